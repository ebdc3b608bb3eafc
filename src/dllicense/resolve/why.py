"""``why``: every path from a root of the graph to one package.

Paths are walked upwards through ``Node.parents``, breadth first so that
shorter paths come first, never through a package twice (cycles), and bounded
both in paths returned and in partial paths explored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dllicense.models import Node
from dllicense.resolve.graph import ENVIRONMENT_SCOPE

MAX_STEPS = 200_000  # partial paths explored before giving up


@dataclass(frozen=True)
class WhyPath:
    packages: tuple[str, ...]  # root first, the package last
    scopes: tuple[str, ...]  # how the root is declared ("environment" if not declared)


@dataclass(frozen=True)
class Why:
    name: str
    version: str
    scopes: tuple[str, ...]
    paths: tuple[WhyPath, ...]
    truncated: bool  # more paths exist than were returned


def why(
    name: str,
    nodes: Iterable[Node],
    declared_scopes: Mapping[str, tuple[str, ...]] | None = None,
    limit: int = 100,
) -> Why | None:
    """Paths from the project's roots to ``name``; None when ``name`` is not a node."""
    graph = {n.name: n for n in nodes}
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
    return Why(target.name, target.version, target.scopes, tuple(found), truncated)
