"""A uv workspace whose root is virtual: the members are the project (microsoft/graphrag)."""

from __future__ import annotations

from pathlib import Path

from dllicense.discover.locks.uv import read_uv

WORKSPACE = Path(__file__).parents[1] / "fixtures" / "locks" / "real" / "graphrag-uv-workspace"
MEMBERS = {
    "graphrag",
    "graphrag-cache",
    "graphrag-chunking",
    "graphrag-common",
    "graphrag-input",
    "graphrag-llm",
    "graphrag-storage",
    "graphrag-vectors",
}


def test_members_of_a_virtual_root_are_runtime_roots() -> None:
    lock = read_uv(WORKSPACE / "uv.lock", "uv.lock", WORKSPACE)
    assert lock.problems == ()
    runtime = {r.dependency.name: r for r in lock.roots if r.scope == "runtime"}
    assert set(runtime) == MEMBERS  # the root itself declares no runtime dependency
    assert {r.dependency.version for r in runtime.values()} == {"3.1.2"}
    text = (WORKSPACE / "uv.lock").read_text(encoding="utf-8").splitlines()
    graphrag = runtime["graphrag"].location
    assert graphrag is not None and graphrag.file == "uv.lock" and graphrag.line
    assert text[graphrag.line - 1 : graphrag.line + 1] == ["[[package]]", 'name = "graphrag"']
    dev = {r.dependency.name for r in lock.roots if r.scope == "group:dev"}
    assert {"pytest", "ruff", "mkdocs-material"} <= dev and not dev & MEMBERS


LIVEKIT = Path(__file__).parents[1] / "fixtures" / "locks" / "real" / "livekit-agents-uv-virtual"


def test_a_root_with_no_project_table_is_its_members_and_manifest_groups() -> None:
    """livekit/agents: no ``[project]`` at the root, so no root package in the lock."""
    lock = read_uv(LIVEKIT / "uv.lock", "uv.lock", LIVEKIT)
    assert lock.problems == ()
    runtime = {r.dependency.name for r in lock.roots if r.scope == "runtime"}
    assert len(runtime) == 83  # its [manifest] members
    assert {"livekit-agents", "livekit-plugins-openai", "livekit-example-avatar"} <= runtime
    groups = {(r.scope, r.dependency.name) for r in lock.roots if r.scope != "runtime"}
    assert {("group:dev", "pytest"), ("group:docs", "pdoc3"), ("group:typing", "types-tqdm")} <= (
        groups
    )
    text = (LIVEKIT / "uv.lock").read_text(encoding="utf-8").splitlines()
    where = next(r.location for r in lock.roots if r.scope == "group:dev")
    assert where is not None and where.line and text[where.line - 1] == "[manifest]"
    # what it was made from is the manifest's groups: compared with pyproject's, not DL031
    assert lock.made_from is not None and not lock.project_roots
    assert {r.dependency.name for r in lock.made_from} == {n for _, n in groups}
