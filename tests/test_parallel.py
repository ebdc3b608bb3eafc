"""The fork pool gives the same result as a serial run, whatever the scheduling."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dllicense import parallel
from dllicense.report import render
from tests.conftest import DISTS, scan_dirs

SITES = sorted(DISTS.glob("*"))


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def test_ordered_map_keeps_the_order_and_uses_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLLICENSE_JOBS", "2")
    items = list(range(500, 0, -1))
    found = parallel.ordered_map(_pid_and_square, items, min_items=1)
    assert [square for _, square in found] == [x * x for x in items]
    assert os.getpid() not in {pid for pid, _ in found}  # it really ran in the workers
    assert parallel._JOB is None  # the job is not kept after the map


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
