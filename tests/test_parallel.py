"""The fork pool gives the same result as a serial run, whatever the scheduling."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dllicense import parallel
from dllicense.collect import collect_all, start_collect
from dllicense.journal import recording
from dllicense.report import render
from tests.conftest import DISTS, read_dists, scan_dirs

SITES = sorted(DISTS.glob("*"))


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def test_ordered_map_keeps_the_order_and_uses_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLLICENSE_JOBS", "2")
    items = list(range(500, 0, -1))
    found = parallel.ordered_map(_pid_and_square, items, min_items=1)
    assert [square for _, square in found] == [x * x for x in items]
    assert os.getpid() not in {pid for pid, _ in found}  # it really ran in the workers
    assert not parallel._JOBS  # the job is not kept after the map


def test_serial_below_the_threshold_or_with_one_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLLICENSE_JOBS", "1")
    assert {pid for pid, _ in parallel.ordered_map(_pid_and_square, [1, 2], 1)} == {os.getpid()}
    monkeypatch.setenv("DLLICENSE_JOBS", "2")
    assert {pid for pid, _ in parallel.ordered_map(_pid_and_square, [1, 2])} == {os.getpid()}


def test_a_scan_on_the_pool_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading and collecting the 41 real fixture distributions on 2 workers (threshold
    lowered to 1) gives the same JSON report as one process."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("DLLICENSE_JOBS", "1")
    serial = render(scan_dirs(tmp_path, *SITES, texts="none"), "json")
    monkeypatch.setenv("DLLICENSE_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    pooled = render(scan_dirs(tmp_path, *SITES, texts="none"), "json")
    assert pooled == serial
    assert serial.count('"name": "torch"') == 1 and len(SITES) > 40


def test_a_started_map_runs_while_the_caller_works(monkeypatch: pytest.MonkeyPatch) -> None:
    """``start_map`` forks its workers at once: the answers are gathered later, in order,
    from other processes, and the job is dropped once gathered."""
    monkeypatch.setenv("DLLICENSE_JOBS", "2")
    items = list(range(300))
    pending = parallel.start_map(_pid_and_square, items, min_items=1)
    assert pending.pooled and parallel._JOBS
    meanwhile = sum(x * x for x in items)  # the caller's own work while the workers run
    found = pending.result()
    assert [square for _, square in found] == [x * x for x in items]
    assert sum(square for _, square in found) == meanwhile
    assert os.getpid() not in {pid for pid, _ in found}
    assert pending.result() is found and not parallel._JOBS
    monkeypatch.setenv("DLLICENSE_JOBS", "1")
    serial = parallel.start_map(_pid_and_square, items, min_items=1)
    assert not serial.pooled and {pid for pid, _ in serial.result()} == {os.getpid()}


@pytest.mark.parametrize("record", [False, True])
def test_collect_started_ahead_equals_collect_now(
    monkeypatch: pytest.MonkeyPatch, record: bool
) -> None:
    """``collect_all`` given ``start_collect`` of a superset on the pool (most of the fixture
    distributions) gives what it gives alone, for the distributions asked (a subset, in
    another order, with some the pool never saw), and the parent's journal holds the same
    files and folders (the result cache replays a run by it)."""
    dists = read_dists(*SITES)
    ahead, later = dists[: len(dists) * 2 // 3], dists[len(dists) * 2 // 3 :]
    asked = [*reversed(ahead[::2]), *later]
    monkeypatch.setenv("DLLICENSE_JOBS", "1")
    with recording() as alone_read:
        alone = collect_all(asked, record=record)
    monkeypatch.setenv("DLLICENSE_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    with recording() as pooled_read:
        started = start_collect(ahead, record=record)
        assert started is not None and started.pending.pooled
        pooled = collect_all(asked, record=record, started=started)
    assert [(c.dist, c.evidence, c.files, c.problems, c.unsearched) for c in pooled] == [
        (c.dist, c.evidence, c.files, c.problems, c.unsearched) for c in alone
    ]
    assert all(p.dist is a.dist for p, a in zip(pooled, alone, strict=True))
    for kind in ("files", "folders"):  # what the unasked ones read is noted too
        mine, theirs = getattr(pooled_read, kind), getattr(alone_read, kind)
        assert {k: mine[k] for k in theirs} == theirs and len(mine) > len(theirs)
    # started with the other reading of RECORD: not used, the answer is still the same
    other = start_collect(ahead, record=not record)
    assert [c.evidence for c in collect_all(asked, record=record, started=other)] == [
        c.evidence for c in alone
    ]
    assert not parallel._JOBS
