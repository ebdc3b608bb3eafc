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
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

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
    workers = jobs()
    if len(items) < (MIN_ITEMS if min_items is None else min_items) or workers < 2:
        return [func(x) for x in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if "fork" not in multiprocessing.get_all_start_methods():
        return [func(x) for x in items]
    chunk = chunksize or max(64, len(items) // (workers * 8))
    global _JOB
    _JOB = (func, items)  # forked workers inherit it: only indexes are sent, results come back
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            out = []
            for result, read in pool.map(_run, range(len(items)), chunksize=chunk):
                merge_worker(read)  # what the worker read joins the scan's journal
                out.append(result)
            return out
    except (BrokenProcessPool, OSError, AttributeError, TypeError):  # no fork, or unpicklable
        return [func(x) for x in items]
    finally:
        _JOB = None


_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run(index: int) -> tuple[Any, Journal | None]:
    """One item of the current job, in a forked worker, with the files it read."""
    assert _JOB is not None
    func, items = _JOB
    return in_worker(func, items[index])


def jobs() -> int:
    """Worker processes: ``$DLLICENSE_JOBS`` (1 = serial), else the CPUs (at most 8)."""
    given = os.environ.get("DLLICENSE_JOBS", "")
    return max(int(given), 1) if given.isdigit() else min(os.cpu_count() or 1, 8)
