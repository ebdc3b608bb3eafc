"""Same inputs, same bytes: every format, with and without SOURCE_DATE_EPOCH."""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.report import FORMATS, render
from tests.conftest import DISTS
from tests.report.conftest import PROJECT_DISTS, scan_project

FOLDERS = tuple(DISTS / d for d in PROJECT_DISTS)


@pytest.mark.parametrize("epoch", ["1700000000", None])
def test_every_format_is_byte_identical_across_scans(project_dir: Path, epoch: str | None) -> None:
    first = scan_project(project_dir, *FOLDERS, epoch=epoch)
    second = scan_project(project_dir, *FOLDERS, epoch=epoch)
    assert first is not second
    for fmt in FORMATS:
        assert render(first, fmt) == render(second, fmt), fmt


def test_no_clock_without_source_date_epoch(project_dir: Path) -> None:
    result = scan_project(project_dir, *FOLDERS, epoch=None)
    assert result.generated == ""
    for fmt in FORMATS:
        text = render(result, fmt)
        assert "1700000000" not in text and "2023-11-14" not in text, fmt
    assert '"timestamp"' not in render(result, "cyclonedx")
    assert '"created": "1970-01-01T00:00:00Z"' in render(result, "spdx")


def test_the_timestamp_is_the_only_difference(project_dir: Path) -> None:
    early = scan_project(project_dir, *FOLDERS, epoch="1700000000")
    late = scan_project(project_dir, *FOLDERS, epoch="1800000000")
    for fmt in ("html", "markdown", "notice", "sarif", "json"):
        a, b = render(early, fmt), render(late, fmt)
        assert a.replace("2023-11-14T22:13:20", "2027-01-15T08:00:00") == b, fmt
