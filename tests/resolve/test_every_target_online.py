"""``--online --all-targets``: the resolver's answer for every target, read as a graph.

Found by a new-user tryout on haotian-liu/LLaVA@c121f043 (``uv pip compile --universal
--python-version 3.11``, 106 pins, the same set as uv's own answer): networkx is pinned
twice (3.6.1 and 3.7 by Python version) and the 3.6.1 node got the 3.7 metadata's DL032 and
a DL033 error "not installed (use --online ...)" under --online; anyio's ``exceptiongroup;
python_version < "3.11"`` and importlib-resources' ``zipp`` were DL034 gaps, although uv
resolves for Python 3.11 and above only. Real dist-info from ``tests/fixtures/dists``.
"""

from __future__ import annotations

import pytest

from dllicense.models import Declared, Location, Node
from dllicense.resolve.lockgraph import build_graph, match_installed
from dllicense.resolve.online import Pin, Resolution, Target, as_lock, python_version_floor
from tests.conftest import DISTS, read_dists


def test_each_version_of_a_name_gets_its_own_metadata() -> None:
    dists = read_dists(DISTS / "numpy-1.26.4", DISTS / "numpy-2.4.6")
    nodes = [Node("numpy", v, ("runtime",), ("numpy",), (), (), True) for v in ("1.26.4", "2.4.6")]
    found, missing = match_installed(nodes, dists)
    assert {n.version: d.version for n, d in found.items()} == {
        "1.26.4": "1.26.4",
        "2.4.6": "2.4.6",
    }
    assert not any(missing.values())
    # one version only: the other node still says which one is there (DL032) and DL033
    found, missing = match_installed(nodes, dists[:1])
    assert [n.version for n in found] == ["1.26.4"]
    assert [p.code for p in missing[nodes[1]]] == ["DL032", "DL033"]


@pytest.mark.parametrize(
    ("python", "gaps"),
    [
        ("3.11", set()),  # importlib-metadata is for Python < 3.10 only: not a gap
        ("3.9", {"importlib-metadata"}),  # a resolution down to 3.9 should have locked it
    ],
)
def test_every_target_is_every_target_of_the_resolution(python: str, gaps: set[str]) -> None:
    # triton 3.9.0: ``Requires-Dist: importlib-metadata; python_version < "3.10"``
    triton = read_dists(DISTS / "triton-3.9.0")[0]
    answer = Resolution("uv 0.13.9", (Pin("triton", "3.9.0"),))
    floor = python_version_floor(Target(python, "linux", universal=True))
    lock = as_lock(answer, {("triton", "3.9.0"): triton}, None, floor)
    declared = (Declared("triton", "triton", "runtime", Location("pyproject.toml", 1)),)
    graph = build_graph(lock, declared, None)  # None: every target
    assert {s.package for s in graph.skipped if s.reason == "not-locked"} == gaps
    assert python_version_floor(Target(python, "linux")) == ""  # one target: no floor
