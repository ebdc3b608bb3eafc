"""Order-preserving parallel map for the per-distribution work of large environments.

Reading and hashing tens of thousands of dist-info folders is CPU-bound in
Python (the GIL makes threads useless), so above a size where a process pool
pays for itself the work is spread over forked workers. Workers are forked
with the job in memory, so only indexes go to them and only results come
back. ``map`` keeps the input order, so results never depend on scheduling.
``multiprocessing`` is imported only when a pool is used (~10 ms of every start-up).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from dllicense.journal import Journal, in_worker, merge_worker

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 10_000  # below this a pool costs more than it saves on 2 CPUs (bench/bench_scale.py)


def ordered_map(
    func: Callable[[T], R],
    items: Sequence[T],
    min_items: int | None = None,
    chunksize: int | None = None,
) -> list[R]:
    """``[func(x) for x in items]``, on several processes when it pays; same result either way.

    ``chunksize``: items per task (default: large chunks for many cheap items; pass 1 for
    few expensive ones, such as licence texts)."""
    return start_map(func, items, min_items, chunksize).result()


class Pending(Generic[R]):
    """A map started on a pool (``start_map``): the caller goes on with other work while the
    workers run, and ``result()`` gathers the answers in order (or computes them here, if no
    pool was started or it broke)."""

    def __init__(self, func: Callable[[T], R], items: Sequence[T], pool: Any = None) -> None:
        self._serial = partial(_serial, func, items)
        self._pool = pool
        self._answers: Iterator[tuple[R, Journal | None]] | None = None  # the pool's, in order
        self._done: list[R] | None = None

    @property
    def pooled(self) -> bool:
        """Whether the work runs on workers (else ``result`` does it here)."""
        return self._pool is not None

    def result(self) -> list[R]:
        """The answers, in the order of the items (computed once)."""
        if self._done is None:
            self._done = self._gather() if self._answers is not None else self._serial()
        return self._done

    def cancel(self) -> None:
        """Not wanted now: the workers stop after the task at hand (``result`` would
        compute the answers here)."""
        if self._pool is not None and self._done is None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            _JOBS.pop(id(self), None)
            self._pool = self._answers = None

    def _gather(self) -> list[R]:
        from concurrent.futures.process import BrokenProcessPool

        assert self._answers is not None
        out: list[R] = []
        try:
            for answer, read in self._answers:
                merge_worker(read)  # what the worker read joins the scan's journal
                out.append(answer)
            return out
        except (BrokenProcessPool, OSError, AttributeError, TypeError):  # unpicklable
            return self._serial()
        finally:
            self._pool.shutdown()
            _JOBS.pop(id(self), None)


def start_map(
    func: Callable[[T], R],
    items: Sequence[T],
    min_items: int | None = None,
    chunksize: int | None = None,
) -> Pending[R]:
    """``ordered_map`` started: the workers (if it pays, as there) are forked now, with the
    job in memory, and run while the caller goes on; ``result()`` waits for them."""
    workers = jobs()
    if len(items) < (MIN_ITEMS if min_items is None else min_items) or workers < 2:
        return Pending(func, items)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return Pending(func, items)
    chunk = chunksize or max(64, len(items) // (workers * 8))
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    pending: Pending[R] = Pending(func, items, pool)
    # forked workers inherit the job (they are all forked at the first task): only
    # indexes are sent, results come back
    _JOBS[id(pending)] = (func, items)
    try:
        pending._answers = pool.map(partial(_run, id(pending)), range(len(items)), chunksize=chunk)
    except (OSError, AttributeError, TypeError):  # no fork
        pool.shutdown()
        _JOBS.pop(id(pending), None)
        return Pending(func, items)
    return pending


_JOBS: dict[int, tuple[Callable[[Any], Any], Sequence[Any]]] = {}  # started maps, by Pending


def _serial(func: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [func(x) for x in items]


def _run(job: int, index: int) -> tuple[Any, Journal | None]:
    """One item of a started job, in a forked worker, with the files it read."""
    func, items = _JOBS[job]
    return in_worker(func, items[index])


def jobs() -> int:
    """Worker processes: ``$DLLICENSE_JOBS`` (1 = serial), else the CPUs (at most 8)."""
    given = os.environ.get("DLLICENSE_JOBS", "")
    return max(int(given), 1) if given.isdigit() else min(os.cpu_count() or 1, 8)
