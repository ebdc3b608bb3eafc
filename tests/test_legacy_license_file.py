"""License-File entries that leave the folder before Metadata-Version 2.4 (pyarrow 21.0.0)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dllicense.collect.files import find_license_files
from dllicense.discover.distributions import read_distribution
from dllicense.models import Distribution

FIXTURE = Path(__file__).parent / "fixtures" / "legacy-license-file" / "pyarrow-21.0.0.dist-info"


def _pyarrow() -> Distribution:
    dist = read_distribution(FIXTURE, "fixture")
    assert isinstance(dist, Distribution)
    assert dist.license_files == ("../LICENSE.txt", "../NOTICE.txt")
    return dist


def test_legacy_parent_path_is_not_outside_when_files_were_not_fetched() -> None:
    """Metadata from an index, files not fetched: no DL110, and nothing claimed missing."""
    files, problems = find_license_files(replace(_pyarrow(), files_read=False))
    assert files == []
    assert problems == []


def test_legacy_parent_path_absent_is_missing_not_outside() -> None:
    """The dist-info holds neither file (not even by base name): DL111, never DL110."""
    _, problems = find_license_files(_pyarrow())
    assert [p.code for p in problems] == ["DL111", "DL111"]


def test_pep639_parent_path_is_outside() -> None:
    """The same entries under Metadata-Version 2.4 are invalid paths: DL110."""
    dist = replace(_pyarrow(), metadata_version="2.4", files_read=False)
    _, problems = find_license_files(dist)
    assert [p.code for p in problems] == ["DL110", "DL110"]
