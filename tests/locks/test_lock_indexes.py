"""The index each package was locked from: read from real locks, carried to the graph,
and used by ``--online`` (the test index server standing in for PyPI's and PyTorch's)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dllicense.cli import main
from dllicense.discover.locks import read_lock
from tests.locks.conftest import LOCKS, PROJECT, copy_project, graph_of

REAL = LOCKS / "real"
PYPI = "https://pypi.org/simple"
PYTORCH = "https://download.pytorch.org/whl/"


def indexes(folder: Path, lock: str) -> dict[tuple[str, str], str]:
    found = read_lock(folder / lock, folder)
    assert not found.problems
    return {(p.name, p.version): p.index for p in found.packages}


def test_uv_lock_registry_per_package() -> None:
    found = indexes(REAL / "resselt-uv", "uv.lock")
    torch = {v: i for (n, v), i in found.items() if n == "torch"}
    assert torch == {
        "2.6.0+cu124": PYTORCH + "cu124",
        "2.7.1+cu118": PYTORCH + "cu118",
        "2.7.1+cu126": PYTORCH + "cu126",
        "2.7.1+cu128": PYTORCH + "cu128",
        "2.7.1": PYPI,
    }
    others = {i for (n, _), i in found.items() if n != "torch"}
    assert others == {PYPI} and len(found) == 80


def test_poetry_lock_package_source() -> None:
    found = indexes(REAL / "resselt-poetry", "poetry.lock")
    assert {k: i for k, i in found.items() if i} == {
        ("torch", "2.4.0+cu121"): PYTORCH + "cu121",
        ("torchvision", "0.19.0+cu121"): PYTORCH + "cu121",
    }
    assert len(found) == 37


@pytest.mark.parametrize(
    ("lock", "expected"),
    [
        ("uv.lock", {PYPI}),
        ("poetry.lock", {PYPI}),  # [[tool.poetry.source]] pypi-simple, its URL
        ("pylock.uv.toml", {PYPI}),
        # "index": "pypi" names _meta.sources; pipenv writes it for the declared packages only
        ("Pipfile.lock", {PYPI, ""}),
        ("pdm.lock", {""}),  # not recorded, no [[tool.pdm.source]]: the configured indexes
    ],
)
def test_fixture_locks(lock: str, expected: set[str]) -> None:
    assert set(indexes(PROJECT, lock).values()) == expected


def test_pdm_sources_decide_like_pdm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDX_USER", "me")
    project = copy_project(tmp_path)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as out:
        out.write(
            '\n[[tool.pdm.source]]\nname = "pytorch"\nurl = "https://${IDX_USER}@example.org/cu128"\n'
            'include_packages = ["chard?t"]\nexclude_packages = ["*"]\n'
        )
    found = indexes(project, "pdm.lock")
    assert {i for (n, _), i in found.items() if n == "chardet"} == {"https://me@example.org/cu128"}
    # excluded from the pytorch source, only the implicit PyPI is left: the default indexes
    assert {i for (n, _), i in found.items() if n != "chardet"} == {""}
    with (project / "pyproject.toml").open("a", encoding="utf-8") as out:
        out.write('\n[[tool.pdm.source]]\nname = "pypi"\nurl = "https://mirror.example/simple"\n')
    found = indexes(project, "pdm.lock")
    assert found[("idna", "3.20")] == "https://mirror.example/simple"


def test_graph_nodes_carry_the_index() -> None:
    graph, _, _ = graph_of(REAL / "resselt-poetry", "poetry.lock", installed=False)
    by_name = {n.name: n for n in graph.nodes}
    assert by_name["torch"].version == "2.4.0+cu121"
    assert by_name["torch"].index == PYTORCH + "cu121"
    assert by_name["numpy"].index == ""


def test_online_reads_torch_from_the_index_it_was_locked_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real poetry.lock with its PyTorch URL pointed at the stand-in server."""
    from tests.index.server import CONSTRUCTED, Behaviour, RecordedIndex, tree

    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    for proxy in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(proxy, raising=False)
        monkeypatch.delenv(proxy.upper(), raising=False)
    default = RecordedIndex()
    pytorch = RecordedIndex(
        Behaviour(simple="none", project_json=False, override=tree(CONSTRUCTED))
    )
    try:
        project = tmp_path / "resselt"
        shutil.copytree(REAL / "resselt-poetry", project)
        lock = project / "poetry.lock"
        lock.write_text(lock.read_text("utf-8").replace(PYTORCH, pytorch.url + "/whl/"), "utf-8")
        args = ["--online", "--index-url", default.index_url, "--cache-dir", str(tmp_path / "c")]
        result = CliRunner().invoke(
            main,
            [
                "scan",
                str(project),
                "--format",
                "json",
                "--texts",
                "none",
                "--python-version",
                "3.11",
                "--platform",
                "linux",
                *args,
            ],
        )
    finally:
        default.stop()
        pytorch.stop()
    data = json.loads(result.output)
    torch = next(p for p in data["packages"] if p["name"] == "torch")
    assert (torch["version"], torch["license"]) == ("2.4.0+cu121", "BSD-3-Clause")
    codes = {f["code"] for f in data["findings"] if f["package"] == "torch"}
    assert not {c for c in codes if c.startswith(("DL12", "DL03"))}, codes
    assert "/whl/cu121/torch/" in pytorch.paths()
    assert "/simple/torch/" not in default.paths()  # its own index had it
    # torchvision is locked from the same index, which has no page for it: a finding
    assert any(f["package"] == "torchvision" and f["code"] == "DL120" for f in data["findings"])
