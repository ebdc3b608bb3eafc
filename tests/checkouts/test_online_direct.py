"""--online reads the metadata of the wheels a lock or the resolver names without simple pages.

Without a lock, uv's answer (``uv pip compile --format pylock.toml``) names each pin's
wheel on the one configured index: its ``.metadata`` is read directly, as a uv.lock's
wheels are, and the scan is the one the simple pages would give. A uv.lock made against
the served index (its registry and file URLs naming that server) reads its wheels the
same way; the wheel read is the one an installer here prefers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.tags import sys_tags

from dllicense.collect import index as index_module
from dllicense.collect.index_pages import IndexFile
from dllicense.collect.index_select import wheel_rank
from dllicense.collect.index_source import USER_AGENT
from dllicense.pipeline import ScanOptions, scan
from dllicense.report.json_report import render
from tests.checkouts.conftest import copy_checkout
from tests.checkouts.test_corpus import Serve, expected
from tests.index.server import RecordedIndex


def _scan(project: Path, server: RecordedIndex, cache: Path) -> str:
    result = scan(
        ScanOptions(
            project=project,
            online=True,
            index_url=server.index_url,
            texts="none",
            cache_dir=cache,
            python_version="3.11",
            platform="linux",
        )
    )
    return render(result).replace(server.url, "SERVER").replace(str(project), "PROJECT")


def _ours(server: RecordedIndex) -> list[str]:
    return [r.path for r in server.requests if r.headers.get("User-Agent") == USER_AGENT]


@pytest.fixture(autouse=True)
def _nothing_active(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")


@pytest.mark.parametrize("slug", ["langextract-pyproject", "outlines-uv"])
def test_resolved_wheels_are_read_without_pages_and_scan_as_the_pages_do(
    slug: str, serve_checkout: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_checkout(slug, tmp_path / "checkout")
    (project / "uv.lock").unlink(missing_ok=True)  # outlines-uv: resolved, not locked
    direct = serve_checkout(slug)
    report = _scan(project, direct, tmp_path / "c1")
    metadata = [p for p in _ours(direct) if p.endswith(".metadata")]
    pages = [p for p in _ours(direct) if p.startswith("/simple/")]
    # the recorded index keeps one wheel's .metadata per version: a pin whose wheel uv
    # chose otherwise falls back to the page (real PyPI has them for every wheel)
    assert len(metadata) >= len(expected(slug)) > len(pages) * 3
    monkeypatch.setattr(index_module.IndexClient, "resolved_from", lambda self: "")
    paged = serve_checkout(slug)
    assert _scan(project, paged, tmp_path / "c2") == report
    assert len([p for p in _ours(paged) if p.startswith("/simple/")]) == len(expected(slug))


def test_a_second_remote_source_keeps_the_pages(tmp_path: Path) -> None:
    """Two remote sources: which one a resolved wheel came from is unknown."""
    from dllicense.collect.index import IndexClient, IndexOptions

    one = IndexClient(IndexOptions("http://127.0.0.1:9/simple", cache_dir=tmp_path))
    assert one.resolved_from() == "http://127.0.0.1:9/simple"
    local = IndexOptions(
        "http://127.0.0.1:9/simple", cache_dir=tmp_path, find_links=(tmp_path.as_uri(),)
    )
    assert IndexClient(local).resolved_from() == "http://127.0.0.1:9/simple"
    two = IndexOptions(
        "http://127.0.0.1:9/simple", cache_dir=tmp_path, extra_index_urls=("http://127.0.0.1:8/",)
    )
    assert IndexClient(two).resolved_from() == ""
    links = IndexOptions(
        "http://127.0.0.1:9/simple", cache_dir=tmp_path, find_links=("http://127.0.0.1:8/x",)
    )
    assert IndexClient(links).resolved_from() == ""


def test_a_lock_made_against_the_index_reads_its_wheels_without_pages(
    serve_checkout: Serve, tmp_path: Path
) -> None:
    server = serve_checkout("outlines-uv")
    project = copy_checkout("outlines-uv", tmp_path / "checkout")
    lock = project / "uv.lock"
    text = lock.read_text("utf-8").replace("https://pypi.org/simple", server.index_url)
    lock.write_text(text.replace("https://files.pythonhosted.org", server.url), "utf-8")
    _scan(project, server, tmp_path / "cache")
    ours = _ours(server)
    assert not [p for p in ours if p.startswith("/simple/")]
    assert len(ours) == len(expected("outlines-uv"))  # one .metadata each, pillow's too


PILLOW = (
    "pillow-12.0.0-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
    "pillow-12.0.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
)


def test_wheels_rank_as_an_installer_prefers_them() -> None:
    """The wheel read is the one pip or uv would install here: manylinux_2_28 before
    manylinux_2_17 (the name order put the 2_17 wheel first)."""
    order = [str(t) for t in sys_tags()]
    if "cp311-cp311-manylinux_2_28_x86_64" not in order:
        pytest.skip("this interpreter installs no cp311 manylinux_2_28 x86_64 wheel")
    files = [IndexFile(filename=f, url=f"http://127.0.0.1:9/{f}") for f in PILLOW]
    assert min(files, key=wheel_rank).filename == PILLOW[1]
    pure = IndexFile(filename="pillow-12.0.0-py3-none-any.whl", url="http://127.0.0.1:9/p")
    assert min([*files, pure], key=wheel_rank) is pure


def test_the_resolver_is_named_by_its_version_query(serve_checkout: Serve) -> None:
    """``uv --version`` runs beside the resolution; the label is its answer, as before."""
    import subprocess

    from dllicense.resolve import online

    uv = online.find_uv()
    assert uv is not None
    said = subprocess.run([uv, "--version"], capture_output=True, text=True, check=True)
    server = serve_checkout("outlines-uv")
    answer = online.resolve_online(
        ["pydantic==2.12.4"],
        online.Target("3.11", "linux"),
        online.Indexes(server.index_url),
        use_cache=False,
    )
    assert answer.resolver == " ".join(said.stdout.split()[:2])
    assert answer.resolver.startswith("uv 0.")
    assert {p.name for p in answer.pins} >= {"pydantic", "pydantic-core"}


def test_a_lock_scan_imports_no_html_or_sdist_reader(serve_checkout: Serve, tmp_path: Path) -> None:
    """JSON pages and .metadata files only: html.parser and tarfile stay unimported."""
    import os
    import subprocess
    import sys

    server = serve_checkout("outlines-uv")
    project = copy_checkout("outlines-uv", tmp_path / "checkout")
    lock = project / "uv.lock"
    text = lock.read_text("utf-8").replace("https://pypi.org/simple", server.index_url)
    lock.write_text(text.replace("https://files.pythonhosted.org", server.url), "utf-8")
    code = (
        "import sys; from pathlib import Path; from dllicense.pipeline import ScanOptions, scan; "
        f"r = scan(ScanOptions(project=Path({str(project)!r}), online=True, "
        f"index_url={server.index_url!r}, texts='none', use_cache=False, "
        f"cache_dir=Path({str(tmp_path / 'cache')!r}), python_version='3.11', platform='linux')); "
        "print(len(r.packages), 'html.parser' in sys.modules, 'tarfile' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.split() == ["26", "False", "False"], done.stderr[-2000:]


@pytest.mark.parametrize(
    "slug",
    [
        "outlines-uv",
        "giskard-pdm",
        "langextract-pyproject",
        "energon-pylock",
        "fastembed-poetry",
        "llmc-requirements",
        "dit-conda",
    ],
)
def test_lookups_in_parallel_or_one_by_one_give_the_same_json(
    slug: str, serve_checkout: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's check: byte-identical JSON whether the index lookups run many at once
    or one by one (a lock's direct reads, a lock's pages, a resolver's answer)."""
    project = copy_checkout(slug, tmp_path / "checkout")
    served = serve_checkout(slug)
    if slug == "outlines-uv":  # its lock made against the served index: the direct path
        lock = project / "uv.lock"
        text = lock.read_text("utf-8").replace("https://pypi.org/simple", served.index_url)
        lock.write_text(text.replace("https://files.pythonhosted.org", served.url), "utf-8")
    parallel = _scan(project, served, tmp_path / "c1")
    real = index_module.IndexClient.fetch_many
    sizes: list[int] = []

    def one_by_one(
        self: index_module.IndexClient,
        wanted: list[index_module.Wanted],
        workers: int = index_module.LOOKUPS,
    ) -> list[object]:
        sizes.append(len(wanted))
        return real(self, wanted, workers=1)  # type: ignore[return-value]

    monkeypatch.setattr(index_module.IndexClient, "fetch_many", one_by_one)
    assert _scan(project, served, tmp_path / "c2") == parallel
    assert sizes and max(sizes) >= 10  # the lookups did go through fetch_many


def test_resolved_wheels_on_an_index_with_credentials(
    serve_checkout: Serve, tmp_path: Path
) -> None:
    """The index URL's credentials reach the resolver and the direct reads of its wheels
    (same host), and appear nowhere in the report."""
    server = serve_checkout("outlines-uv", auth=("alice", "s3cr:et"))
    project = copy_checkout("outlines-uv", tmp_path / "checkout")
    (project / "uv.lock").unlink()
    url = server.index_url.replace("http://", "http://alice:s3cr%3Aet@")
    result = scan(
        ScanOptions(
            project=project,
            online=True,
            index_url=url,
            texts="none",
            cache_dir=tmp_path / "cache",
            python_version="3.11",
            platform="linux",
        )
    )
    report = render(result)
    assert "s3cr" not in report and "alice" not in report
    found = {(p.node.name, p.node.version) for p in result.packages if p.node.ecosystem == "pypi"}
    assert found == expected("outlines-uv")
    ours = [r for r in server.requests if r.headers.get("User-Agent") == USER_AGENT]
    assert [r for r in ours if r.path.endswith(".metadata")]
    assert len([r for r in ours if r.path.startswith("/simple/")]) <= 1  # pillow's fallback
    assert all(r.headers.get("Authorization", "").startswith("Basic ") for r in ours)
