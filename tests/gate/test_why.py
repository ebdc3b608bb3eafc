"""``dllicense why PKG``: every path from a root, with scopes; cycle-safe and bounded."""

from __future__ import annotations

import json
from pathlib import Path

from dllicense.models import Node
from dllicense.resolve.why import why
from tests.conftest import DISTS
from tests.gate.conftest import dllicense, project


def _node(name: str, parents: tuple[str, ...] = (), direct: bool = False) -> Node:
    scopes = ("runtime",) if direct or parents else ("environment",)
    return Node(name, "1", scopes, (name,), parents, (), direct)


def test_every_path_not_only_the_shortest() -> None:
    nodes = [
        _node("a", direct=True),
        _node("b", ("a",), direct=True),
        _node("c", ("a", "b")),
        _node("d", ("c", "b")),
    ]
    answer = why("d", nodes, {"a": ("runtime",), "b": ("group:dev",)})
    assert answer is not None
    got = [(p.packages, p.scopes) for p in answer.paths]
    assert got == [  # shortest first, then in name order
        (("b", "d"), ("group:dev",)),
        (("a", "b", "d"), ("runtime",)),
        (("a", "c", "d"), ("runtime",)),
        (("b", "c", "d"), ("group:dev",)),
        (("a", "b", "c", "d"), ("runtime",)),
    ]
    assert len(got) == 5 and not answer.truncated


def test_cycles_end_and_environment_roots_are_named() -> None:
    nodes = [
        _node("root", direct=True),
        _node("x", ("root", "y")),
        _node("y", ("x",)),
        _node("lonely"),
    ]
    answer = why("y", nodes)
    assert answer is not None
    assert [p.packages for p in answer.paths] == [("root", "x", "y")]
    alone = why("lonely", nodes)
    assert alone is not None and alone.paths[0].scopes == ("environment",)
    assert why("absent", nodes) is None


def test_the_number_of_paths_is_bounded() -> None:
    # a ladder: 2**12 paths from the root to the bottom
    nodes = [_node("l0a", direct=True), _node("l0b", direct=True)]
    for i in range(1, 13):
        nodes += [
            _node(f"l{i}a", (f"l{i - 1}a", f"l{i - 1}b")),
            _node(f"l{i}b", (f"l{i - 1}a", f"l{i - 1}b")),
        ]
    answer = why("l12a", nodes, limit=50)
    assert answer is not None and answer.truncated and len(answer.paths) == 50


def _graph_project(tmp_path: Path) -> tuple[Path, list[str]]:
    proj = project(tmp_path / "proj", ["keras"])
    paths = ["--path", str(DISTS / "keras-3.15.1"), "--path", str(DISTS / "numpy-2.4.6")]
    return proj, paths


def test_why_from_a_scan_and_from_a_report(tmp_path: Path) -> None:
    proj, paths = _graph_project(tmp_path)
    text = dllicense("why", "NumPy", proj, *paths)
    assert text.returncode == 0, text.stderr
    assert text.stdout == "numpy 2.4.6 (runtime): 1 path\n  proj > keras > numpy  [runtime]\n"
    report = tmp_path / "r.json"
    scan = dllicense("scan", proj, *paths, "--format", "json", "-o", report, "--texts", "none")
    assert scan.returncode in (0, 1), scan.stderr
    from_report = dllicense("why", "numpy", "--from", report, "--format", "json")
    assert from_report.returncode == 0, from_report.stderr
    data = json.loads(from_report.stdout)
    assert data["paths"] == [{"path": ["keras", "numpy"], "scopes": ["runtime"]}]
    assert data["project"] == "proj" and data["truncated"] is False


def test_a_package_not_in_the_graph_exits_1_and_bad_reports_exit_2(tmp_path: Path) -> None:
    proj, paths = _graph_project(tmp_path)
    done = dllicense("why", "torch", proj, *paths)
    assert done.returncode == 1 and "torch is not in the dependency graph" in done.stderr
    declared = project(tmp_path / "declared", ["keras", "torch"])
    said = dllicense("why", "torch", declared, *paths)
    assert said.returncode == 1 and said.stderr.count("\n") == 1
    assert "torch is declared (runtime) but not in the dependency graph of declared: " in (
        said.stderr
    )
    assert "'torch' (runtime) is declared but not installed" in said.stderr  # the DL001
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    bad = dllicense("why", "x", "--from", tmp_path / "bad.json")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--from" in bad.stderr
