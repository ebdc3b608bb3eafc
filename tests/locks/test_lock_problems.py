"""Out-of-date locks (DL031), gaps (DL034) and broken lock files (DL030), never a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dllicense.models import Location, Problem
from tests.locks.conftest import LOCKS, copy_project, graph_of, versions


def _edit_pyproject(project: Path) -> None:
    """Declare a new dependency, drop text-unidecode, tighten requests."""
    path = project / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('    "text-unidecode>=1.3",\n', '    "six>=1.16",\n')
    text = text.replace('"requests>=2.31"', '"requests>=2.35"')
    path.write_text(text, encoding="utf-8")


def _codes(problems: tuple[Problem, ...]) -> list[tuple[str, str]]:
    return sorted((p.code, p.package) for p in problems)


def test_uv_lock_records_what_it_was_made_from(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    _edit_pyproject(project)
    graph, _, problems = graph_of(project, "uv.lock")
    assert _codes(problems) == [
        ("DL031", "requests"),
        ("DL031", "six"),
        ("DL031", "text-unidecode"),
    ]
    by_package = {p.package: p for p in problems}
    assert "pyproject.toml declares >=2.35, uv.lock was made from >=2.31" in (
        by_package["requests"].message
    )
    assert by_package["six"].location == Location("pyproject.toml", 8)
    assert "no longer declares" in by_package["text-unidecode"].message
    assert "text-unidecode" in versions(graph)  # the lock's graph is still what is scanned


@pytest.mark.parametrize("lock", ["poetry.lock", "pdm.lock"])
def test_locks_without_the_root_package_are_compared_with_the_declarations(
    tmp_path: Path, lock: str
) -> None:
    project = copy_project(tmp_path)
    _edit_pyproject(project)
    graph, _, problems = graph_of(project, lock)
    assert _codes(problems) == [
        ("DL031", "requests"),  # locked 2.34.2, 2.32.5: not >=2.35
        ("DL031", "six"),  # declared, not locked
        ("DL031", "text-unidecode"),  # locked, required by nothing declared
    ]
    messages = " | ".join(p.message for p in problems)
    assert f"{lock} locks text-unidecode 1.3, which nothing the project declares requires" in (
        messages
    )
    assert "requests" not in versions(graph)


def test_flat_locks_compare_declared_names(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    _edit_pyproject(project)
    _, _, problems = graph_of(project, "pylock.uv.toml")
    assert ("DL031", "six") in _codes(problems)
    _, _, problems = graph_of(project, "Pipfile.lock")  # roots from the Pipfile, six from pyproject
    assert _codes(problems) == [("DL031", "requests"), ("DL031", "six")]


@pytest.mark.parametrize(
    ("lock", "cut", "line"),
    [
        ("uv.lock", 3000, 41),
        ("poetry.lock", 2000, None),
        ("pdm.lock", 1500, None),
        ("pylock.toml", 700, None),
        ("Pipfile.lock", 1000, None),
    ],
)
def test_a_truncated_lock_is_a_finding_with_its_line(
    tmp_path: Path, lock: str, cut: int, line: int | None
) -> None:
    project = copy_project(tmp_path)
    path = project / lock
    text = path.read_text(encoding="utf-8")[:cut]
    path.write_text(text, encoding="utf-8")
    graph, _, problems = graph_of(project, lock)
    assert graph.nodes == ()
    assert [p.code for p in problems] == ["DL030"]
    where = problems[0].location
    assert where is not None and where.file == lock and where.line is not None
    assert where.line == (line or where.line) and 1 <= where.line <= text.count("\n") + 1


def test_not_a_lock_at_all(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "uv.lock").write_text('version = 7\n[[package]]\nname = "x"\n', encoding="utf-8")
    _, _, problems = graph_of(project, "uv.lock")
    assert [p.code for p in problems] == ["DL030"]
    assert "unsupported uv.lock version 7" in problems[0].message
    (project / "Pipfile.lock").write_text("[1, 2]\n", encoding="utf-8")
    _, _, problems = graph_of(project, "Pipfile.lock")
    assert [p.code for p in problems] == ["DL030"]


def test_a_pinned_file_with_unpinned_lines_given_as_lock(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "reqs.txt").write_text(
        "requests==2.34.2\n    # via -r requirements.in\nidna>=3\n", encoding="utf-8"
    )
    graph, _, problems = graph_of(project, "reqs.txt")
    assert versions(graph) == {"requests": ["2.34.2"]}
    assert [(p.code, p.location) for p in problems] == [("DL034", Location("reqs.txt", 3))]


def test_a_lock_that_misses_a_dependency(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    path = project / "pdm.lock"
    text = path.read_text(encoding="utf-8")
    start = text.index('[[package]]\nname = "idna"')
    end = text.index("[[package]]", start + 1)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    graph, _, problems = graph_of(project, "pdm.lock")
    assert "idna" not in versions(graph)
    assert [(p.code, p.package) for p in problems] == [("DL034", "idna")]
    assert "requests 2.34.2 requires idna<4,>=2.5, which pdm.lock does not lock" in (
        problems[0].message
    )


def test_a_pinned_requirements_file_locks_only_its_own_scope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pip-compile pyproject.toml`` pins the runtime requirements: a dev extra it does not
    cover is not a sign that it is out of date (DL031), a runtime requirement still is."""
    from dllicense.pipeline import ScanOptions, scan

    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\ndependencies = ["six"]\n'
        '[project.optional-dependencies]\ndev = ["pytest"]\n',
        encoding="utf-8",
    )
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n", encoding="utf-8")
    result = scan(ScanOptions(project=tmp_path, texts="none", use_cache=False))
    assert [p.node.name for p in result.packages] == ["six"]
    assert not [f for f in result.findings if f.code == "DL031"]
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\ndependencies = ["six", "idna"]\n',
        encoding="utf-8",
    )
    stale = scan(ScanOptions(project=tmp_path, texts="none", use_cache=False))
    assert [f.package for f in stale.findings if f.code == "DL031"] == ["idna"]


def test_pdm_lock_of_some_groups_is_not_out_of_date_for_the_others() -> None:
    """BentoML's real pdm.lock lists the groups it locks in ``[metadata] groups``; its
    extras ``triton`` and ``unsloth`` are left out there on purpose (no DL031), and a
    runtime requirement the lock misses would still be one."""
    project = LOCKS / "real" / "bentoml-pdm"
    graph, _, problems = graph_of(project, "pdm.lock", installed=False)
    assert not [p for p in problems if p.code == "DL031"]
    assert "tritonclient" not in {n.name for n in graph.nodes}
    assert "uvicorn" in {n.name for n in graph.nodes}


def test_pdm_lock_of_some_groups_still_checks_its_own(tmp_path: Path) -> None:
    project = tmp_path / "bentoml"
    shutil.copytree(LOCKS / "real" / "bentoml-pdm", project)
    path = project / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"watchfiles>=0.15.0",', '"watchfiles>=0.15.0", "sqlitedict",'))
    _, _, problems = graph_of(project, "pdm.lock", installed=False)
    assert [(p.code, p.package) for p in problems if p.code == "DL031"] == [("DL031", "sqlitedict")]
