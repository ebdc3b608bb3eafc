"""``requires_dist_edges`` (the loose packages' parents and requirements without a second
graph) says what ``resolve`` of an empty project with ``include_all`` says of every node.

Real metadata: every distribution of ``tests/fixtures/dists`` (markers on extras and
platforms, invalid ``Requires-Dist``, requirements not installed) and the running test
environment's own site-packages, each for two target platforms.
"""

from __future__ import annotations

import sysconfig
from dataclasses import replace
from pathlib import Path

import pytest

from dllicense.discover.environment import select_environment
from dllicense.models import Project
from dllicense.resolve.graph import requires_dist_edges, resolve
from tests.conftest import DISTS


@pytest.mark.parametrize("platform", ["linux", "win32"])
@pytest.mark.parametrize("where", ["fixtures", "site-packages"])
def test_edges_equal_the_include_all_graph(tmp_path: Path, platform: str, where: str) -> None:
    paths = (
        [str(d) for d in sorted(DISTS.iterdir()) if d.is_dir()]
        if where == "fixtures"
        else [sysconfig.get_paths()["purelib"]]
    )
    env = select_environment(tmp_path, None, paths)
    env = replace(
        env, markers=tuple(sorted({**dict(env.markers), "sys_platform": platform}.items()))
    )
    graph = resolve(Project("", (), ()), env, include_all=True)
    edges = requires_dist_edges(env)
    assert len(graph.nodes) > 20
    assert {n.name for n in graph.nodes} == set(edges)
    for node in graph.nodes:
        parents, requires = edges[node.name]
        found = (tuple(sorted(parents)), tuple(sorted(requires)))
        assert (node.parents, node.requires) == found, node.name
    assert any(parents for parents, _ in edges.values())


@pytest.mark.parametrize("where", ["fixtures", "site-packages"])
def test_edges_of_some_names_equal_theirs_among_all(tmp_path: Path, where: str) -> None:
    """``names``: the edges of those distributions only (every third, and a name not
    installed), the same as in the full answer."""
    paths = (
        [str(d) for d in sorted(DISTS.iterdir()) if d.is_dir()]
        if where == "fixtures"
        else [sysconfig.get_paths()["purelib"]]
    )
    env = select_environment(tmp_path, None, paths)
    full = requires_dist_edges(env)
    names = {*sorted(full)[::3], "not-installed-anywhere"}
    some = requires_dist_edges(env, names)
    assert set(some) == names & set(full)
    assert {name: full[name] for name in some} == some
    assert any(parents for parents, _ in some.values())
    assert any(requires for _, requires in some.values())
