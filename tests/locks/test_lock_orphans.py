"""Left-over packages of a stale lock, grouped by root cause (issue 15 tryout).

datalab-to/marker@2f7f1975's poetry.lock (tests/fixtures/locks/real/marker-poetry, see the
README there) still locks langchain-openai, which pyproject.toml no longer declares, and what
only it pulls in: one cause, one DL031 that names every left-over package.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from dllicense.discover.locks import LockedDependency, LockedPackage
from dllicense.resolve.lockgraph import _orphan_roots
from tests.locks.conftest import LOCKS, graph_of

PULLED = [
    "jsonpatch 1.33",
    "langchain-core 0.2.43",
    "langsmith 0.1.147",
    "orjson 3.10.16",
    "requests-toolbelt 1.0.0",
    "tiktoken 0.9.0",
]


def test_one_finding_per_stale_root_naming_what_it_pulled_in() -> None:
    _, _, problems = graph_of(LOCKS / "real" / "marker-poetry", "poetry.lock", installed=False)
    [stale] = [p for p in problems if p.code == "DL031"]
    assert (stale.package, stale.version) == ("langchain-openai", "0.1.25")
    assert stale.location is not None and stale.location.line == 2410
    for name in PULLED:  # no left-over is lost
        assert name in stale.message


def _pkg(name: str, *deps: str) -> LockedPackage:
    return LockedPackage(name, "1", dependencies=tuple(LockedDependency(d) for d in deps))


def test_shared_and_cyclic_left_overs_keep_their_own_finding() -> None:
    a, b = _pkg("a", "shared", "only-a"), _pkg("b", "shared")
    shared, only_a = _pkg("shared"), _pkg("only-a")
    x, y = _pkg("x", "y"), _pkg("y", "x")  # a cycle: no root among them
    grouped = {
        p.name: [q.name for q in pulled]
        for p, pulled in _orphan_roots([a, b, shared, only_a, x, y])
    }
    assert grouped == {"a": ["only-a"], "b": [], "shared": [], "x": [], "y": []}


def test_a_requirement_on_two_lines_missing_from_the_lock_is_one_finding(tmp_path: Path) -> None:
    """bentoml's pyproject declares ``tritonclient>=2.29.0`` and ``tritonclient[all]; ...``
    in one extra: a lock that misses such a requirement gives one DL031 naming both lines."""
    project = tmp_path / "bentoml"
    shutil.copytree(LOCKS / "real" / "bentoml-pdm", project)
    path = project / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    twice = '"sqlitedict>=2.0", "sqlitedict[x]; sys_platform != \'darwin\'",'
    path.write_text(text.replace('"watchfiles>=0.15.0",', f'"watchfiles>=0.15.0", {twice}'))
    _, _, problems = graph_of(project, "pdm.lock", installed=False)
    [stale] = [p for p in problems if p.code == "DL031"]
    assert stale.package == "sqlitedict"
    assert "sqlitedict>=2.0 (runtime)" in stale.message
    assert "also: sqlitedict (runtime)" in stale.message
