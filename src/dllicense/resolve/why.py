"""``why``: every path from a root of the graph to one package.

Paths are walked upwards through ``Node.parents``, breadth first so that
shorter paths come first, never through a package twice (cycles), and bounded
both in paths returned and in partial paths explored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from dllicense.models import ENVIRONMENT_SCOPE, Node, Why, WhyPath
from dllicense.resolve.walk import Key, version_order

__all__ = ["MAX_STEPS", "Why", "WhyPath", "why"]

MAX_STEPS = 200_000  # partial paths explored before giving up


def why(
    name: str,
    nodes: Iterable[Node],
    declared_scopes: Mapping[str, tuple[str, ...]] | None = None,
    limit: int = 100,
) -> Why | None:
    """Paths from the project's roots to ``name``; None when ``name`` is not a node.

    The walk goes by identity (name, version) through ``Node.depends``: with every locked
    version (``--all-targets``) a path goes through the very versions that require each
    other. The answer lists every version of ``name``; paths are given by name.
    """
    graph: dict[Key, Node] = {}
    for n in nodes:
        graph.setdefault((n.name, n.version), n)
    parents = _parents(graph)
    targets = sorted((k for k in graph if k[0] == name), key=lambda k: version_order(k[1]))
    if not targets:
        return None
    declared = declared_scopes or {}
    found: dict[tuple[str, ...], WhyPath] = {}
    queue: deque[tuple[Key, ...]] = deque((k,) for k in targets)
    steps = 0
    truncated = False
    while queue:
        chain = queue.popleft()  # the package first, walking up to a root
        steps += 1
        node = graph[chain[-1]]
        known = parents.get(chain[-1], set())
        above = sorted(known.difference(chain))
        if node.direct or not known:
            packages = tuple(reversed([k[0] for k in chain]))
            scopes = declared.get(node.name) or (
                node.scopes if node.direct else (ENVIRONMENT_SCOPE,)
            )
            if packages not in found and len(found) == limit:
                truncated = True
                break
            found.setdefault(packages, WhyPath(packages, tuple(scopes)))
        if steps >= MAX_STEPS:
            truncated = bool(queue) or bool(above)
            break
        queue.extend((*chain, parent) for parent in above)
    paths = sorted(found.values(), key=lambda p: (len(p.packages), p.packages))
    version = ", ".join(k[1] for k in targets)
    scopes = tuple(dict.fromkeys(s for k in targets for s in graph[k].scopes))
    return Why(name, version, scopes, tuple(paths), truncated)


def _parents(graph: Mapping[Key, Node]) -> dict[Key, set[Key]]:
    """Each node's parents by identity: from ``depends``; a parent known only by name (a
    node or report that records no ``depends``) stands for every version of that name."""
    out: dict[Key, set[Key]] = {}
    by_name: dict[str, list[Key]] = {}
    for key, n in graph.items():
        by_name.setdefault(key[0], []).append(key)
        for child in n.depends:
            if child in graph:
                out.setdefault(child, set()).add(key)
    for key, n in graph.items():
        for name in n.parents:
            versions = by_name.get(name, [])
            if not any(key in graph[k].depends for k in versions):
                out.setdefault(key, set()).update(versions)
    return out
