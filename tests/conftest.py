"""Shared test helpers: fixture locations and a scan of fixture folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dllicense.discover.distributions import read_distribution
from dllicense.models import Distribution, ScanResult
from dllicense.pipeline import ScanOptions, scan

FIXTURES = Path(__file__).parent / "fixtures"
DISTS = FIXTURES / "dists"
WHEELS = FIXTURES / "wheels"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the user's cache out of the tests; one cache per session, like a real user."""
    cache = tmp_path_factory.getbasetemp() / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def scan_dirs(project: Path, *dirs: Path, **options: object) -> ScanResult:
    """Scan the distributions of ``dirs`` for ``project`` (every distribution unless declared)."""
    return scan(ScanOptions(project=project, paths=tuple(os.fspath(d) for d in dirs), **options))  # type: ignore[arg-type]


def read_dists(*sites: Path) -> list[Distribution]:
    """Every ``*.dist-info`` of the folders ``sites``, read as the scan reads them, in order."""
    out = []
    for site in sites:
        for name in sorted(os.listdir(site)):
            if name.endswith(".dist-info"):
                dist = read_distribution(site / name, "fixture")
                assert isinstance(dist, Distribution)
                out.append(dist)
    return out


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m dllicense ARGS`` in a fresh process, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "dllicense", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )
