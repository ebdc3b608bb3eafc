"""Lock fidelity on fresh locks made by the real tools (tests/fixtures/locks/README.md).

``selfextra/``: an extra and a group that name the project itself are the project's own
extras, never an out-of-date lock (DL031). ``extrascope/``: an extra of a dependency
activated only by an extra or a group stays out of the runtime scope; each scope equals
the tool's own export of its lock, for CPython 3.11 on Linux. ``groupmarkers/``: Poetry's
markers per group; ``pdmgroups/``: PDM installs a package for every group it records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from dllicense.cli import main
from dllicense.models import Graph, Problem
from dllicense.resolve.lockgraph import target_markers
from tests.locks.conftest import LOCKS, copy_project, graph_of

SELF = LOCKS / "selfextra"
SCOPES = LOCKS / "extrascope"
GROUP_MARKERS = LOCKS / "groupmarkers"
PDM_GROUPS = LOCKS / "pdmgroups"


def _dl031(problems: tuple[Problem, ...]) -> list[str]:
    return sorted(p.package for p in problems if p.code == "DL031")


def _scopes(graph: Graph) -> dict[str, tuple[str, ...]]:
    return {n.name: n.scopes for n in graph.nodes}


@pytest.mark.parametrize("lock", ["uv.lock", "pdm.lock"])
@pytest.mark.parametrize("all_targets", [False, True])
def test_self_referencing_extras_are_no_out_of_date_lock(lock: str, all_targets: bool) -> None:
    graph, _, problems = graph_of(SELF, lock, all_targets=all_targets)
    assert [p for p in problems if p.code in ("DL031", "DL034")] == []
    scopes = _scopes(graph)
    assert scopes["six"] == ("extra:a", "extra:b", "group:dev")  # b names a, dev names b
    assert scopes["text-unidecode"] == ("extra:b", "group:dev")
    assert scopes["idna"] == ("runtime",)
    assert "toy" not in scopes


@pytest.mark.parametrize("lock", ["uv.lock", "pdm.lock"])
def test_a_real_change_of_a_self_referenced_extra_is_still_out_of_date(
    tmp_path: Path, lock: str
) -> None:
    project = copy_project(tmp_path, SELF)
    path = project / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('a = ["six"]', 'a = ["six", "colorama"]'), encoding="utf-8")
    _, _, problems = graph_of(project, lock)
    # colorama reaches extra a, extra b (toy[a]) and group dev (toy[b]): none is locked; one
    # cause, one finding that names the three scopes
    assert _dl031(problems) == ["colorama"]
    messages = " | ".join(p.message for p in problems)
    assert all(f"colorama ({s})" in messages for s in ("extra:a", "extra:b", "group:dev"))


def test_dropping_a_self_reference_is_out_of_date_for_uv(tmp_path: Path) -> None:
    project = copy_project(tmp_path, SELF)
    path = project / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"toy[a]", ', ""), encoding="utf-8")
    _, _, problems = graph_of(project, "uv.lock")
    # uv.lock was made with extra b = toy[a] (six) and dev = toy[b]: six left both, one cause
    assert _dl031(problems) == ["six"]
    messages = " | ".join(p.message for p in problems)
    assert "uv.lock was made with six (extra:b)" in messages
    assert "uv.lock was made with six (group:dev)" in messages


def _oracle(name: str, folder: Path = SCOPES, python: str = "3.11") -> set[tuple[str, str]]:
    """A tool's export of its lock: the pins whose markers hold for CPython 3.11 on Linux."""
    env = target_markers(None, python, "linux")
    out = set()
    for line in (folder / "oracle" / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            (pin,) = req.specifier
            assert pin.operator == "=="
            out.add((canonicalize_name(req.name), pin.version))
    return out


@pytest.mark.parametrize("tool", ["uv", "poetry", "pdm"])
def test_each_scope_equals_the_tools_export(tool: str) -> None:
    graph, _, problems = graph_of(SCOPES, f"{tool}.lock")
    assert problems == ()

    def scoped(*wanted: str) -> set[tuple[str, str]]:
        return {(n.name, n.version) for n in graph.nodes if set(n.scopes) & set(wanted)}

    runtime = _oracle(f"{tool}-runtime.txt")
    assert scoped("runtime") == runtime == {("fsspec", "2026.9.0")}
    assert scoped("runtime", "extra:x") == _oracle(f"{tool}-extra-x.txt")
    assert scoped("group:dev") == _oracle(f"{tool}-group-dev.txt")
    assert ("aiohttp", "3.14.5") in scoped("group:dev")  # the oracle is not empty


def test_a_scan_with_nothing_installed_lists_the_runtime_of_the_export(tmp_path: Path) -> None:
    project = copy_project(tmp_path, SCOPES)
    args = ["scan", str(project), "--no-cache", "--format", "json", "--texts", "none"]
    args += ["--python-version", "3.11", "--platform", "linux"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["environment"] == "lock file uv.lock (nothing installed)"
    assert {(p["name"], p["version"]) for p in data["packages"]} == _oracle("uv-runtime.txt")


@pytest.mark.parametrize("python", ["3.10", "3.11"])
def test_poetry_markers_per_group_leave_the_other_groups_unconditional(python: str) -> None:
    """``markers = {test = ...}``: main needs typing-extensions everywhere, test on 3.10 only."""
    graph, _, problems = graph_of(GROUP_MARKERS, "poetry.lock", python_version=python)
    assert problems == ()

    def scoped(scope: str) -> set[tuple[str, str]]:
        return {(n.name, n.version) for n in graph.nodes if scope in n.scopes}

    assert scoped("runtime") == _oracle("poetry-runtime.txt", GROUP_MARKERS, python)
    assert scoped("runtime") == {("typing-extensions", "4.16.0")}
    assert scoped("group:test") == _oracle("poetry-group-test.txt", GROUP_MARKERS, python)


def test_pdm_installs_a_package_for_every_group_it_records() -> None:
    """cffi: recorded for default and dev; on CPython only the dev path reaches it."""
    graph, _, problems = graph_of(PDM_GROUPS, "pdm.lock")
    assert problems == ()

    def scoped(scope: str) -> set[tuple[str, str]]:
        return {(n.name, n.version) for n in graph.nodes if scope in n.scopes}

    assert scoped("runtime") == _oracle("pdm-runtime.txt", PDM_GROUPS)
    assert ("cffi", "2.1.1") in scoped("runtime")
    assert scoped("group:dev") == _oracle("pdm-group-dev.txt", PDM_GROUPS)
    cffi = next(n for n in graph.nodes if n.name == "cffi")
    assert cffi.path == ("argon2-cffi-bindings", "cffi")  # why: the path the walk found
