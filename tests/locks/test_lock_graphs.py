"""Each lock format's own graph, read from real lock files made by the real tools."""

from __future__ import annotations

import pytest

from tests.locks.conftest import PINNED, PROJECT, graph_of, node, versions

EDGES = ["uv.lock", "poetry.lock", "pdm.lock"]
FLAT = ["Pipfile.lock", "pylock.toml", "pylock.uv.toml"]
UNIVERSAL = ["uv.lock", "poetry.lock", "pdm.lock", "pylock.uv.toml"]

PY311 = {
    "certifi": ["2026.10.19.post1"],
    "chardet": ["7.7.0"],
    "charset-normalizer": ["3.5.3"],
    "idna": ["3.20"],
    "iniconfig": ["2.3.1"],
    "requests": ["2.34.2"],
    "text-unidecode": ["1.3"],
    "urllib3": ["2.8.0"],
}
PY39 = {
    **PY311,
    "chardet": ["5.2.0"],
    "iniconfig": ["2.1.0"],
    "requests": ["2.32.5"],
    "urllib3": ["2.6.3"],
}


@pytest.mark.parametrize("lock", [*EDGES, *FLAT])
def test_versions_scopes_and_roots_for_python_3_11_on_linux(lock: str) -> None:
    graph, files, problems = graph_of(PROJECT, lock)
    assert versions(graph) == PY311
    assert problems == ()
    assert files[-1] == lock
    scopes = {n.name: n.scopes for n in graph.nodes}
    assert scopes["chardet"] == ("extra:detect",)
    assert scopes["iniconfig"] == ("group:dev",)
    assert {name for name, s in scopes.items() if s == ("runtime",)} == {
        "certifi",
        "charset-normalizer",
        "idna",
        "requests",
        "text-unidecode",
        "urllib3",
    }
    direct = {n.name for n in graph.nodes if n.direct}
    assert direct == {"requests", "text-unidecode", "chardet", "iniconfig"}
    assert node(graph, "requests").path == ("requests",)


@pytest.mark.parametrize("lock", EDGES)
def test_locks_with_edges_give_paths_parents_and_requires(lock: str) -> None:
    graph, _, _ = graph_of(PROJECT, lock)
    idna = node(graph, "idna")
    assert idna.path == ("requests", "idna")
    assert idna.parents == ("requests",)
    assert not idna.direct
    assert node(graph, "requests").requires == ("certifi", "charset-normalizer", "idna", "urllib3")


@pytest.mark.parametrize("lock", FLAT)
def test_flat_locks_know_only_the_roots(lock: str) -> None:
    graph, _, _ = graph_of(PROJECT, lock)
    idna = node(graph, "idna")
    assert (idna.path, idna.parents, idna.direct) == (("idna",), (), False)


def test_pipfile_lock_takes_its_roots_from_the_pipfile() -> None:
    graph, files, _ = graph_of(PROJECT, "Pipfile.lock")
    assert files == ("Pipfile", "Pipfile.lock")
    assert node(graph, "chardet").scopes == ("extra:detect",)  # the [detect] category


@pytest.mark.parametrize("lock", UNIVERSAL)
def test_universal_locks_pick_the_versions_of_python_3_9(lock: str) -> None:
    graph, _, problems = graph_of(PROJECT, lock, python_version="3.9")
    assert versions(graph) == PY39
    assert problems == ()


@pytest.mark.parametrize("lock", UNIVERSAL)
def test_platform_markers(lock: str) -> None:
    linux, _, _ = graph_of(PROJECT, lock, python_version="3.12", platform="linux")
    windows, _, _ = graph_of(PROJECT, lock, python_version="3.12", platform="win32")
    assert "colorama" not in versions(linux)
    colorama = node(windows, "colorama")
    assert (colorama.version, colorama.scopes, colorama.direct) == ("0.4.6", ("runtime",), True)


@pytest.mark.parametrize("lock", UNIVERSAL)
def test_all_targets_reports_every_locked_version(lock: str) -> None:
    graph, _, problems = graph_of(PROJECT, lock, python_version=None, all_targets=True)
    assert problems == ()
    found = versions(graph)
    assert found["chardet"] == ["5.2.0", "7.7.0"]  # LGPL-2.1-or-later, then 0BSD
    assert found["requests"] == ["2.32.5", "2.34.2"]
    assert found["urllib3"] == ["2.6.3", "2.8.0"]
    assert found["colorama"] == ["0.4.6"]
    assert all(n.scopes == ("extra:detect",) for n in graph.nodes if n.name == "chardet")


def test_single_environment_locks_say_what_they_lack_for_another_target() -> None:
    # pip lock locks the environment it ran in: no colorama (win32 only), no chardet 5
    graph, _, problems = graph_of(PROJECT, "pylock.toml", python_version="3.12", platform="win32")
    assert "colorama" not in versions(graph)
    assert [(p.code, p.package) for p in problems] == [("DL034", "colorama")]
    # pipenv keeps "*" for a package of another platform: not pinned, not scanned
    _, _, problems = graph_of(PROJECT, "Pipfile.lock", python_version="3.12", platform="win32")
    assert [(p.code, p.package) for p in problems] == [("DL034", "colorama")]
    assert problems[0].location is not None and problems[0].location.file == "Pipfile.lock"


def test_pinned_requirements_with_via_annotations() -> None:
    graph, files, problems = graph_of(PINNED, None, installed=False)
    assert files == ("requirements.txt",)
    assert problems == ()
    assert versions(graph) == PY311
    assert node(graph, "idna").path == ("requests", "idna")
    assert node(graph, "iniconfig").scopes == ("group:dev",)  # via lockdemo (pyproject.toml:dev)
    graph, _, _ = graph_of(PINNED, None, python_version="3.9", installed=False)
    assert versions(graph) == PY39


def test_pinned_requirements_are_a_lock_only_without_an_environment() -> None:
    from dllicense.discover.project import discover_project
    from dllicense.resolve.lockgraph import lock_graph

    assert lock_graph(PINNED, discover_project(PINNED), installed=True) is None
    assert lock_graph(PROJECT, discover_project(PROJECT), no_lock=True) is None


def test_lock_precedence() -> None:
    from dllicense.discover.locks import find_lock

    assert find_lock(PROJECT) == [PROJECT / "uv.lock"]
    assert find_lock(PROJECT, PROJECT / "pdm.lock") == [PROJECT / "pdm.lock"]
    assert find_lock(PINNED) == []
    assert find_lock(PINNED, pinned=True) == [PINNED / "requirements.txt"]


@pytest.mark.parametrize("lock", UNIVERSAL)
def test_why_walks_through_every_locked_version(lock: str) -> None:
    """--all-targets: urllib3 2.6.3 and 2.8.0 are both nodes; why names both versions and
    walks up through the parents of either (requests in both of its versions)."""
    from dllicense.resolve.why import why

    graph, _, _ = graph_of(PROJECT, lock, python_version=None, all_targets=True)
    answer = why("urllib3", graph.nodes)
    assert answer is not None
    assert answer.version == "2.6.3, 2.8.0"
    if any(n.parents for n in graph.nodes if n.name == "urllib3"):  # pylock.uv has no edges
        assert ("requests", "urllib3") in [p.packages for p in answer.paths]
    chardet = why("chardet", graph.nodes)
    assert chardet is not None and chardet.version == "5.2.0, 7.7.0"
    assert chardet.scopes == ("extra:detect",)
