"""``--online`` with a package that has no usable wheel (issue 14 follow-up): the rest of the
graph still resolves, the package is listed with its own DL007, and its licence is read from
the sdist's PKG-INFO without building it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dllicense.collect import index_sdist
from dllicense.collect.index_get import Fail
from dllicense.pipeline import ScanOptions, scan
from dllicense.resolve import online
from tests.index.server import FIXTURES, Behaviour, RecordedIndex

ROOT = FIXTURES / "index-sdist"
SDIST = ROOT / "wheels" / "sqlitedict-2.1.0.tar.gz"
# uv 0.13.9's own words (uv pip compile --no-build --python-version 3.11/3.13
# --python-platform x86_64-unknown-linux-gnu, against PyPI on 2026-12-05)
UV_SQLITEDICT = """error: No solution found when resolving dependencies
  cause: Because all versions of sqlitedict have no usable wheels and you require sqlitedict, \
we can conclude that your requirements are unsatisfiable.

hint: Wheels are required for `sqlitedict` because building from source is disabled for all \
packages (i.e., with `--no-build`)
"""
UV_AV = """error: No solution found when resolving dependencies
  cause: Because av>=10.0.0,<=11.0.0 has no usable wheels and only the following versions of \
av are available:
             av<=11.0.0
             av>=12
         we can conclude that av>=10.0.0,<12 cannot be used.
         And because you require av>=10,<12, we can conclude that your requirements are \
unsatisfiable.

hint: Wheels are required for `av` because building from source is disabled for all packages \
(i.e., with `--no-build`)
"""


@pytest.fixture
def server() -> Iterator[RecordedIndex]:
    index = RecordedIndex(Behaviour(), root=ROOT)
    yield index
    index.stop()


def test_uv_names_the_packages_without_a_usable_wheel() -> None:
    assert online.no_wheel_names(UV_SQLITEDICT) == {"sqlitedict"}
    assert online.no_wheel_names(UV_AV) == {"av"}
    assert (
        online.no_wheel_names("error: Because foo was not found in the package registry") == set()
    )


def test_the_sdist_gives_pkg_info_and_top_folder_licence_files() -> None:
    data = SDIST.read_bytes()
    metadata, files, skipped = index_sdist.read_sdist(data, SDIST.name, "sqlitedict", True)
    assert b"\nName: sqlitedict\n" in metadata and b"\nLicense: Apache 2.0\n" in metadata
    assert set(files) == {"LICENSE.md"} and skipped == 0
    assert b"Apache License" in files["LICENSE.md"]
    assert index_sdist.read_sdist(data, SDIST.name, "sqlitedict", False)[1] == {}


def test_the_sdist_is_read_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    data = SDIST.read_bytes()
    monkeypatch.setattr(index_sdist, "UNPACKED_LIMIT", len(data))  # the tar is larger
    with pytest.raises(Fail, match="unpacks to over"):
        index_sdist.read_sdist(data, SDIST.name, "sqlitedict", False)
    monkeypatch.setattr(index_sdist, "UNPACKED_LIMIT", 1 << 20)
    monkeypatch.setattr(index_sdist, "MAX_MEMBERS", 5)
    with pytest.raises(Fail, match="over 5 members"):
        index_sdist.read_sdist(data, SDIST.name, "sqlitedict", False)
    with pytest.raises(Fail, match="malformed sdist"):
        index_sdist.read_sdist(data[:5000], SDIST.name, "sqlitedict", False)


@pytest.mark.skipif(online.find_uv() is None, reason="needs uv (dllicense[resolve])")
@pytest.mark.parametrize("fetch_files", [False, True])
def test_an_sdist_only_dependency_keeps_the_rest_of_the_graph(
    server: RecordedIndex, tmp_path: Path, fetch_files: bool
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\ndependencies = ["sqlitedict>=2", "six"]\n',
        "utf-8",
    )
    result = scan(
        ScanOptions(
            project=root,
            online=True,
            fetch_files=fetch_files,
            index_url=server.index_url,
            texts="none",
            cache_dir=tmp_path / "cache",
            python_version="3.11",
            platform="linux",
        )
    )
    found = {p.node.name: p for p in result.packages}
    assert {(p.node.name, p.node.version) for p in result.packages} == {
        ("six", "1.17.0"),
        ("sqlitedict", "2.1.0"),
    }
    codes = [f.code for f in result.findings]
    assert "DL006" not in codes
    [dl007] = [f for f in result.findings if f.code == "DL007"]
    assert dl007.package == "sqlitedict" and dl007.version == "2.1.0"
    assert "dependencies are unknown" in dl007.message and ">=2" in dl007.message
    assert found["sqlitedict"].verdict.expression == "Apache-2.0"
    licence_files = {e.source for e in found["sqlitedict"].evidence if e.kind == "license-file"}
    assert licence_files == ({"LICENSE.md"} if fetch_files else set())
    assert any(p.endswith("/sqlitedict-2.1.0.tar.gz") for p in server.paths("/packages/"))
