"""``why``: every path from a root of the graph to one package.

Paths are walked upwards through ``Node.parents``, breadth first so that
shorter paths come first, never through a package twice (cycles), and bounded
both in paths returned and in partial paths explored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace

from packaging.version import InvalidVersion, Version

from dllicense.models import ENVIRONMENT_SCOPE, Node, Why, WhyPath

__all__ = ["MAX_STEPS", "Why", "WhyPath", "why"]

MAX_STEPS = 200_000  # partial paths explored before giving up


def why(
    name: str,
    nodes: Iterable[Node],
    declared_scopes: Mapping[str, tuple[str, ...]] | None = None,
    limit: int = 100,
) -> Why | None:
    """Paths from the project's roots to ``name``; None when ``name`` is not a node.

    A lock read for every target (``--all-targets``) can hold several versions of a name:
    they are one step of a path (parents are names), and the answer lists every version.
    """
    graph: dict[str, Node] = {}
    versions: dict[str, list[str]] = {}
    for n in nodes:
        versions.setdefault(n.name, []).append(n.version)
        first = graph.get(n.name)
        graph[n.name] = n if first is None else _merged(first, n)
    target = graph.get(name)
    if target is None:
        return None
    declared = declared_scopes or {}
    found: list[WhyPath] = []
    queue: deque[tuple[str, ...]] = deque([(name,)])
    steps = 0
    truncated = False
    while queue:
        chain = queue.popleft()  # the package first, walking up to a root
        steps += 1
        node = graph[chain[-1]]
        known = {p for p in node.parents if p in graph}
        parents = sorted(known.difference(chain))
        if node.direct or not known:
            root = node.name
            scopes = declared.get(root) or (node.scopes if node.direct else (ENVIRONMENT_SCOPE,))
            if len(found) == limit:
                truncated = True
                break
            found.append(WhyPath(tuple(reversed(chain)), tuple(scopes)))
        if steps >= MAX_STEPS:
            truncated = bool(queue) or bool(parents)
            break
        queue.extend((*chain, parent) for parent in parents)
    found.sort(key=lambda p: (len(p.packages), p.packages))
    version = ", ".join(sorted(set(versions[name]), key=_version_order))
    return Why(target.name, version, target.scopes, tuple(found), truncated)


def _merged(a: Node, b: Node) -> Node:
    """Two versions of one name as one step: direct if either is, their parents and scopes."""
    return replace(
        a,
        direct=a.direct or b.direct,
        parents=tuple(sorted({*a.parents, *b.parents})),
        scopes=tuple(dict.fromkeys((*a.scopes, *b.scopes))),
    )


def _version_order(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)
