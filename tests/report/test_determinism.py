"""Same inputs, same bytes: every format, with and without SOURCE_DATE_EPOCH."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from dllicense.report import FORMATS, render
from tests.conftest import DISTS
from tests.report.conftest import PROJECT_DISTS, scan_project

FOLDERS = tuple(DISTS / d for d in PROJECT_DISTS)


def test_every_format_is_byte_identical_across_scans(project_dir: Path) -> None:
    first = scan_project(project_dir, *FOLDERS, epoch="1700000000")
    second = scan_project(project_dir, *FOLDERS, epoch="1700000000")
    assert first is not second
    for fmt in FORMATS:
        assert render(first, fmt) == render(second, fmt), fmt


def test_the_scan_time_is_the_clock_without_source_date_epoch(project_dir: Path) -> None:
    before = datetime.now(tz=timezone.utc).replace(microsecond=0)
    result = scan_project(project_dir, *FOLDERS, epoch=None)
    after = datetime.now(tz=timezone.utc)
    assert before <= datetime.fromisoformat(result.generated) <= after
    for fmt in ("html", "json", "markdown"):
        assert result.generated in render(result, fmt), fmt
    again = scan_project(project_dir, *FOLDERS, epoch=None)
    html = render(again, "html").replace(again.generated, result.generated)
    assert html == render(result, "html")  # the time is the only difference


def test_the_timestamp_is_the_only_difference(project_dir: Path) -> None:
    early = scan_project(project_dir, *FOLDERS, epoch="1700000000")
    late = scan_project(project_dir, *FOLDERS, epoch="1800000000")
    for fmt in ("html", "markdown", "notice", "sarif", "json"):
        a, b = render(early, fmt), render(late, fmt)
        assert a.replace("2023-11-14T22:13:20", "2027-01-15T08:00:00") == b, fmt
