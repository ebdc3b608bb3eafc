"""No package vanishes: what a stage skips is a typed ``Skipped`` that becomes a finding.

The invariant of a scan: every package the graph reaches (a declared root of a selected
scope whose marker holds, and everything a scanned package requires) is a scanned package
or is named by a finding. Checked here on the real checkout corpus, with and without
``--online`` (its recorded index), on the hostile site-packages and on a conda environment.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import get_args

import pytest
from packaging.markers import Marker

from dllicense.models import ScanResult, SkipReason, scope_selected
from dllicense.pipeline import ScanOptions, scan
from dllicense.resolve.lockgraph import target_markers
from dllicense.rules import rules
from dllicense.skipped import SKIP_CODES, unaccounted
from tests.checkouts.conftest import CHECKOUTS, copy_checkout
from tests.checkouts.test_corpus import Serve
from tests.conftest import FIXTURES, scan_dirs

SLUGS = sorted(p.name for p in CHECKOUTS.iterdir() if p.is_dir())
TARGET = target_markers(None, "3.11", "linux")
UNACCOUNTED = "neither scanned nor reported"


def vanished(result: ScanResult, markers: dict[str, str]) -> list[str]:
    """What the scan reached and neither scanned nor named in a finding, read from the
    result alone: declared roots and the requirements of every scanned package."""
    scanned = {p.node.name for p in result.packages}
    named = {f.package for f in result.findings}
    reached = {r for p in result.packages for r in p.node.requires}
    for d in result.declared:
        applies = not d.marker or Marker(d.marker).evaluate({**markers, "extra": ""})
        if d.kind == "pypi" and d.name and applies and scope_selected(d.scope, result.scopes):
            reached.add(d.name)
    lost = sorted(reached - scanned - named)
    lost += [f.package for f in result.findings if UNACCOUNTED in f.message]
    return lost


def test_every_skip_reason_has_a_registered_rule() -> None:
    assert set(SKIP_CODES) == set(get_args(SkipReason))
    assert set(SKIP_CODES.values()) <= set(rules())


@pytest.mark.parametrize("online", [False, True], ids=["offline", "online"])
@pytest.mark.parametrize("slug", SLUGS)
def test_no_package_of_a_checkout_vanishes(
    slug: str, online: bool, serve_checkout: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    result = scan(
        ScanOptions(
            project=copy_checkout(slug, tmp_path / "checkout"),
            online=online,
            index_url=serve_checkout(slug).index_url if online else None,
            texts="none",
            cache_dir=tmp_path / "cache",
            python_version="3.11",
            platform="linux",
        )
    )
    assert vanished(result, TARGET) == []


def test_no_hostile_package_vanishes(tmp_path: Path) -> None:
    """Unreadable metadata folders are Skipped (DL021) and named, never dropped."""
    result = scan_dirs(tmp_path, FIXTURES / "hostile" / "site-packages", texts="none")
    assert vanished(result, TARGET) == []
    assert any(f.code == "DL021" and f.package for f in result.findings)


def test_a_conda_dependency_that_is_not_installed_is_named(tmp_path: Path) -> None:
    """A conda record's dependency with no installed record was dropped silently; it is
    ``required-not-installed`` (DL002) now: the fixture's mkl requires llvm-openmp."""
    env = tmp_path / "env"
    shutil.copytree(FIXTURES / "conda" / "env", env, symlinks=True)
    (tmp_path / "requirements.txt").write_text("tqdm\n")
    result = scan(ScanOptions(project=tmp_path, conda_prefix=str(env), texts="none"))
    missing = {(f.package, f.message) for f in result.findings if f.code == "DL002"}
    assert (
        "llvm-openmp",
        "conda package mkl 2022.1.0 requires llvm-openmp, which is not installed",
    ) in missing
    assert "mkl" in {p.node.name for p in result.packages}
    assert [f for f in result.findings if UNACCOUNTED in f.message] == []


def test_the_invariant_catches_a_dropped_package(serve_checkout: Serve, tmp_path: Path) -> None:
    """``unaccounted`` (the pipeline's check) and ``vanished`` (this file's) both see a
    package that a scan lost: here one removed from a real scan's result."""
    slug = "fastembed-poetry"
    result = scan(
        ScanOptions(
            project=copy_checkout(slug, tmp_path / "checkout"),
            online=True,
            index_url=serve_checkout(slug).index_url,
            texts="none",
            cache_dir=tmp_path / "cache",
            python_version="3.11",
            platform="linux",
        )
    )
    named = {f.package for f in result.findings}
    dropped = next(p for p in result.packages if p.node.parents and p.node.name not in named)
    kept = tuple(p for p in result.packages if p is not dropped)
    lost = unaccounted([p.node for p in result.packages], kept, result.findings)
    assert [(s.package, s.reason) for s in lost] == [(dropped.node.name, "unaccounted")]
    assert vanished(replace(result, packages=kept), TARGET) == [dropped.node.name]
