"""Helpers for the lock tests: the real fixture project and targets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dllicense.discover.project import discover_project
from dllicense.models import Graph, Node, Problem
from dllicense.resolve.lockgraph import lock_graph
from dllicense.skipped import as_problem
from tests.conftest import FIXTURES

LOCKS = FIXTURES / "locks"
PROJECT = LOCKS / "project"
PINNED = LOCKS / "pinned"


@pytest.fixture(autouse=True)
def _no_pip_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's pip configuration (extra indexes, find-links) stays out of --online."""
    from tests.index.conftest import no_pip_config

    no_pip_config(monkeypatch)


def graph_of(
    root: Path,
    lock: str | None,
    python_version: str | None = "3.11",
    platform: str | None = "linux",
    all_targets: bool = False,
    installed: bool = True,
) -> tuple[Graph, tuple[str, ...], tuple[Problem, ...]]:
    found = lock_graph(
        root,
        discover_project(root),
        lock=root / lock if lock else None,
        python_version=python_version,
        platform=platform,
        all_targets=all_targets,
        installed=installed,
    )
    assert found is not None
    graph, files = found
    return graph, files, (*graph.problems, *map(as_problem, graph.skipped))


def versions(graph: Graph) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in graph.nodes:
        out.setdefault(node.name, []).append(node.version)
    return out


def node(graph: Graph, name: str, version: str | None = None) -> Node:
    return next(n for n in graph.nodes if n.name == name and version in (None, n.version))


def copy_project(tmp_path: Path, source: Path = PROJECT) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target
