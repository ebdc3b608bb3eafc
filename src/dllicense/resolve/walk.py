"""The one graph walk: from roots along edges, over nodes keyed by (name, version).

The environment graph (``resolve.graph``: installed distributions and their
``Requires-Dist``), the lock graph (``resolve.lockgraph``) and the conda graph
(``resolve.condagraph``) only say which nodes are roots and what each node's edges
are for a set of active extras; this module walks them. A scope (runtime,
``extra:NAME``, ``group:NAME``) flows from a root to everything it reaches; a
node's extras are those its scope's own paths activate. Every node keeps its
scopes, its parents and children by identity and a shortest path from a root.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from packaging.version import InvalidVersion, Version

from dllicense.models import Declared, LockedWheel, Node, Problem
from dllicense.records import frozen

Key = tuple[str, str]  # (canonical name, version)


@frozen
class Edge:
    """A dependency found: the child's identity and the extras the edge asks of it."""

    child: Key
    extras: tuple[str, ...] = ()


@dataclass
class State:
    """One node as walked; ``extras``: the extras each scope's paths activate."""

    scopes: set[str] = field(default_factory=set)
    extras: dict[str, set[str]] = field(default_factory=dict)
    parents: set[Key] = field(default_factory=set)
    children: set[Key] = field(default_factory=set)
    path: tuple[str, ...] = ()
    direct: bool = False

    def all_extras(self) -> set[str]:
        return set().union(*self.extras.values())


Edges = Callable[[Key, frozenset[str]], Iterable[Edge]]


def version_order(version: str) -> tuple[int, Version | str]:
    """Versions in PEP 440 order; one that is not PEP 440 first, as text."""
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def scope_rank(scope: str) -> tuple[int, str]:
    """runtime first, then extras, then groups and the rest, each by name."""
    return (0 if scope == "runtime" else 1 if scope.startswith("extra:") else 2, scope)


def reported_only(declared: Declared) -> Problem | None:
    """DL005 for a declaration that is not a PyPI requirement dllicense can walk."""
    if declared.kind == "pypi" and declared.name:
        return None
    return Problem(
        "DL005",
        f"{declared.kind} requirement {declared.raw!r} ({declared.scope}) is reported only: "
        "dllicense never builds, fetches or runs it",
        package=declared.name,
        location=declared.location,
    )


class Walk:
    """Nodes reached so far; ``add_root`` then ``run``."""

    def __init__(self, edges: Edges) -> None:
        self.edges = edges
        self.states: dict[Key, State] = {}
        self.queue: deque[tuple[Key, str, tuple[str, ...]]] = deque()
        self.expanded: set[tuple[Key, str, frozenset[str]]] = set()

    def add_root(
        self,
        key: Key,
        scope: str,
        extras: Iterable[str] = (),
        path: tuple[str, ...] = (),
        direct: bool = True,
    ) -> None:
        """A root of ``scope`` (``path``: how it is reached, default itself)."""
        state = self.states.setdefault(key, State())
        state.direct = state.direct or direct
        state.extras.setdefault(scope, set()).update(extras)
        state.path = state.path or path or (key[0],)
        self.queue.append((key, scope, path or (key[0],)))

    def run(self) -> dict[Key, State]:
        """Walk every root queued; a node is expanded again only for new scopes or extras."""
        while self.queue:
            key, scope, path = self.queue.popleft()
            state = self.states[key]
            extras = frozenset(state.extras.get(scope, ()))  # only this scope's paths count
            if (key, scope, extras) in self.expanded:
                continue
            self.expanded.add((key, scope, extras))
            state.scopes.add(scope)
            for edge in self.edges(key, extras):
                state.children.add(edge.child)
                child = self.states.setdefault(edge.child, State())
                child.parents.add(key)
                child.path = child.path or (*path, edge.child[0])
                child_extras = child.extras.setdefault(scope, set())
                grew = not set(edge.extras) <= child_extras
                child_extras.update(edge.extras)
                if grew or scope not in child.scopes:
                    self.queue.append((edge.child, scope, (*path, edge.child[0])))
        return self.states


def node(
    key: Key,
    state: State,
    requires: Iterable[str] | None = None,
    *,
    index: str = "",
    wheels: tuple[LockedWheel, ...] = (),
    ecosystem: str = "pypi",
) -> Node:
    """The ``Node`` of a walked state (``requires``: names, default its children's)."""
    names = {c[0] for c in state.children} if requires is None else set(requires)
    scopes = state.scopes
    return Node(
        name=key[0],
        version=key[1],
        scopes=tuple(scopes) if len(scopes) == 1 else tuple(sorted(scopes, key=scope_rank)),
        path=state.path,
        parents=tuple(sorted({p[0] for p in state.parents})),
        requires=tuple(sorted(names)),
        direct=state.direct,
        extras=tuple(sorted(state.all_extras())),
        depends=tuple(sorted(state.children)),
        ecosystem=ecosystem,
        index=index,
        wheels=wheels,
    )
