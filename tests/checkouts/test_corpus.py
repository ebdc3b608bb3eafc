"""The checkout corpus: real projects, one per dependency-file shape, with the real tools' answers.

Each ``tests/fixtures/checkouts/<slug>/`` holds a project's dependency files
(copied byte for byte from the commit named in its SOURCE.md), the runtime set
that uv / poetry / pdm give for CPython 3.11 on Linux x86_64
(``expected-runtime.txt``) and the index answers for those versions
(``index/``), served on 127.0.0.1. With nothing installed and --online, the scan
must find exactly that set: from the lock (and no DL031 on a lock its tool calls
fresh), or without one from the real resolver; and nothing of its own environment.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from dllicense.pipeline import ScanOptions, scan
from tests.checkouts.conftest import CHECKOUTS, copy_checkout, project_files
from tests.index.server import JSON_TYPE, RecordedIndex

Serve = Callable[..., RecordedIndex]

SLUGS = sorted(p.name for p in CHECKOUTS.iterdir() if p.is_dir())
# The dependency files that make each shape of the issue: the corpus must keep one of each.
SHAPES = {
    "uv.lock": "outlines-uv",
    "poetry.lock": "fastembed-poetry",
    "pdm.lock": "giskard-pdm",
    "pylock.toml": "energon-pylock",
    "requirements.txt": "llmc-requirements",
    "pyproject.toml": "langextract-pyproject",
    "environment.yml": "dit-conda",
    "": "nanogpt-nofile",
}
LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "pylock.toml")
BLOB_ROW = re.compile(r"^\| `([^`]+)` \| `([0-9a-f]{40})` \|", re.M)
GENERATED_ROW = re.compile(r"^\| `([^`]+)` \| generated, sha256 `([0-9a-f]{64})` \|", re.M)


def expected(slug: str, name: str = "expected-runtime.txt") -> set[tuple[str, str]]:
    lines = (CHECKOUTS / slug / name).read_text("utf-8").splitlines()
    return {(n, v) for n, _, v in (line.partition("==") for line in lines)}


def git_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_one_checkout_per_shape() -> None:
    assert sorted(SHAPES.values()) == SLUGS
    for shape, slug in SHAPES.items():
        names = {
            p.relative_to(CHECKOUTS / slug).as_posix() for p in project_files(CHECKOUTS / slug)
        }
        if shape in LOCKS:
            assert shape in names
            assert not (set(LOCKS) - {shape}) & names
        else:  # no lock; only the one manifest of that shape
            assert names == ({shape} if shape else set())


@pytest.mark.parametrize("slug", SLUGS)
def test_source_names_the_commit_and_every_copied_byte(slug: str) -> None:
    source = (CHECKOUTS / slug / "SOURCE.md").read_text("utf-8")
    assert re.search(r"^- Repository: https://github\.com/[\w.-]+/[\w.-]+$", source, re.M)
    assert re.search(r"^- Commit: [0-9a-f]{40}$", source, re.M)
    listed = dict(BLOB_ROW.findall(source))
    generated = dict(GENERATED_ROW.findall(source))
    files = {p.relative_to(CHECKOUTS / slug).as_posix(): p for p in project_files(CHECKOUTS / slug)}
    assert set(files) == set(listed) | set(generated)
    for path, blob in listed.items():
        assert git_blob(files[path].read_bytes()) == blob, path
    for path, digest in generated.items():
        assert hashlib.sha256(files[path].read_bytes()).hexdigest() == digest, path
    assert "## Oracle" in source


@pytest.mark.parametrize("slug", SLUGS)
def test_expected_sets_are_well_formed(slug: str) -> None:
    text = (CHECKOUTS / slug / "expected-runtime.txt").read_text("utf-8")
    lines = text.splitlines()
    assert lines == sorted(set(lines), key=lambda line: line.partition("==")[0])  # by name
    for name, version in expected(slug):
        assert name == canonicalize_name(name) and version
    pyproject = CHECKOUTS / slug / "pyproject.toml"
    if pyproject.exists():
        own = re.search(r'^name = "([^"]+)"', pyproject.read_text("utf-8"), re.M)
        assert own and canonicalize_name(own.group(1)) not in {n for n, _ in expected(slug)}
    assert bool(lines) == (SHAPES[""] != slug)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_expected_package_has_index_data(slug: str) -> None:
    index = CHECKOUTS / slug / "index"
    pages = set(index.glob("simple/*.json")) if index.exists() else set()
    assert {p.stem for p in pages} == {n for n, _ in expected(slug)}
    recorded = json.loads((index / "recorded.json").read_text("utf-8")) if pages else {}
    for name, version in expected(slug):
        page = json.loads((index / "simple" / f"{name}.json").read_text("utf-8"))
        assert page["versions"] == [version]
        wheels = [f for f in page["files"] if f["filename"].endswith(".whl")]
        if recorded["packages"][name].get("error") == "no wheel for the target":
            assert not wheels and len(page["files"]) == 1, name  # the sdist alone
            continue
        assert wheels, name
        announced = [f for f in wheels if "core-metadata" in f]
        assert len(announced) == 1, name
        stored = (index / "metadata" / f"{announced[0]['filename']}.metadata").read_bytes()
        assert hashlib.sha256(stored).hexdigest() == announced[0]["core-metadata"]["sha256"]
        assert re.search(rb"^Version: " + re.escape(version.encode()) + rb"\r?$", stored, re.M)


def runtime_set(slug: str, serve: Serve, tmp_path: Path) -> tuple[set[tuple[str, str]], list[str]]:
    """The runtime PyPI set dllicense finds for a fresh copy of ``slug``, and its DL031s."""
    server = serve(slug)
    result = scan(
        ScanOptions(
            project=copy_checkout(slug, tmp_path / "checkout"),
            online=True,
            index_url=server.index_url,
            texts="none",
            cache_dir=tmp_path / "cache",
            python_version="3.11",
            platform="linux",
        )
    )
    found = {
        (p.node.name, p.node.version)
        for p in result.packages
        if "runtime" in p.node.scopes and p.node.ecosystem == "pypi"
    }
    dl031 = [f"{f.package}: {f.message}" for f in result.findings if f.code == "DL031"]
    return found, dl031


LOCKED = [SHAPES[lock] for lock in LOCKS]
# Known differences from the tools' answers, as strict xfails (a fix turns them red); none now.
SET_DIFFERS: dict[str, str] = {}
DL031_DIFFERS: dict[str, str] = {}


def known(slugs: list[str], differs: dict[str, str]) -> list[object]:
    return [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=differs[s]))
        if s in differs
        else s
        for s in slugs
    ]


@pytest.mark.parametrize("slug", known(LOCKED, SET_DIFFERS))
def test_locked_runtime_set_is_the_tools_answer(
    slug: str, serve_checkout: Serve, tmp_path: Path
) -> None:
    found, _ = runtime_set(slug, serve_checkout, tmp_path)
    want = expected(slug)
    assert (sorted(found - want), sorted(want - found)) == ([], [])


@pytest.mark.parametrize("slug", known(LOCKED, DL031_DIFFERS))
def test_fresh_lock_has_no_dl031(slug: str, serve_checkout: Serve, tmp_path: Path) -> None:
    _, dl031 = runtime_set(slug, serve_checkout, tmp_path)
    assert dl031 == []


def _get(url: str, accept: str = "*/*") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, bytes(response.read())
    except urllib.error.HTTPError as err:
        return err.code, b""


def test_server_serves_a_checkouts_own_index(serve_checkout: Serve) -> None:
    server = serve_checkout("outlines-uv")
    status, body = _get(server.index_url + "/pydantic/", JSON_TYPE)
    page = json.loads(body)
    assert status == 200 and page["versions"] == ["2.12.4"]
    wheel = next(f for f in page["files"] if "core-metadata" in f)
    assert wheel["url"].startswith(server.url + "/packages/")
    status, metadata = _get(wheel["url"] + ".metadata")
    assert hashlib.sha256(metadata).hexdigest() == wheel["core-metadata"]["sha256"]
    assert _get(server.index_url + "/six/", JSON_TYPE)[0] == 404  # not in this checkout
    status, html = _get(server.index_url + "/pydantic/", "text/html")  # made from the JSON
    assert status == 200 and html.count(b"<a href=") == len(page["files"])
    assert f'data-core-metadata="sha256={wheel["core-metadata"]["sha256"]}"'.encode() in html


def test_server_can_hide_a_checkouts_metadata(serve_checkout: Serve) -> None:
    server = serve_checkout("outlines-uv", core_metadata=False)
    page = json.loads(_get(server.index_url + "/pydantic/", JSON_TYPE)[1])
    assert not any("core-metadata" in f or "dist-info-metadata" in f for f in page["files"])
    wheel = next(f for f in page["files"] if f["filename"].endswith(".whl"))
    assert _get(wheel["url"] + ".metadata")[0] == 404


UNLOCKED = [SHAPES[s] for s in ("requirements.txt", "pyproject.toml", "environment.yml")]


@pytest.mark.parametrize("slug", UNLOCKED)
def test_without_a_lock_online_resolves_the_resolvers_answer(
    slug: str, serve_checkout: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing installed, no lock, --online: the complete runtime set is uv's answer for
    CPython 3.11 on Linux, package for package (the direct dependencies alone were 8 of 71)."""
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    found, dl031 = runtime_set(slug, serve_checkout, tmp_path)
    assert found == expected(slug)
    assert not dl031


def test_requirements_resolve_the_same_with_pips_resolver(
    serve_checkout: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dllicense.resolve import online

    monkeypatch.setattr(online, "find_uv", lambda: None)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    slug = SHAPES["requirements.txt"]
    found, _ = runtime_set(slug, serve_checkout, tmp_path)
    assert found == expected(slug)


def test_a_checkout_without_dependency_files_scans_nothing_of_dllicense(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No dependency file, nothing installed: an empty set, not the scanner's own packages."""
    import sys

    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)  # as in a pre-commit hook
    result = scan(
        ScanOptions(project=copy_checkout(SHAPES[""], tmp_path), texts="none", use_cache=False)
    )
    assert result.packages == ()
    assert "nothing installed" in result.environment
