"""The dependency graph: from declared roots through ``Requires-Dist``.

Markers and extras are evaluated with ``packaging`` for the target
environment. Every node keeps its scopes, its parents and a shortest path
from a root, so any finding can say why a package is there.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from packaging.markers import Marker

from dllicense.discover.locks.markers import holds
from dllicense.models import (  # ENVIRONMENT_SCOPE, scope_selected: re-exported
    ENVIRONMENT_SCOPE,
    Declared,
    Distribution,
    Environment,
    Graph,
    Problem,
    Project,
    Skipped,
    scope_selected,
)
from dllicense.records import frozen
from dllicense.resolve.requires import Requires, display, parse_requires
from dllicense.resolve.walk import Edge, Key, State, Walk, node, reported_only, scope_rank

__all__ = ["ENVIRONMENT_SCOPE", "requires_dist_edges", "resolve", "scope_selected"]


class _Markers:
    """Marker verdicts for one target environment, each (marker, extras) evaluated once."""

    def __init__(self, markers: dict[str, str]) -> None:
        self.markers = markers
        # keyed by identity (hashing a Marker prints it); the value keeps the marker alive
        self.seen: dict[tuple[int, frozenset[str]], tuple[Marker, bool]] = {}

    def applies(self, marker: Marker | None, extras: frozenset[str]) -> bool:
        if marker is None:
            return True
        key = (id(marker), extras)
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = (marker, holds(marker, self.markers, extras))
        return found[1]

    def holds(self, req: Requires, extras: frozenset[str]) -> bool:
        """Does the requirement apply? ``extra == "x"`` alone never does without a chosen
        extra, and its marker is then not even parsed (tests/resolve/test_requires.py checks
        that packaging agrees)."""
        if req.extra_only and not extras:
            return False
        return self.applies(req.marker, extras)


def resolve(
    project: Project,
    env: Environment,
    include_all: bool = False,
    scopes: tuple[str, ...] | None = None,
) -> Graph:
    """Walk from the project's roots; ``include_all`` adds every other distribution.
    ``scopes``: the ``--scope`` choices; a declared requirement of a scope not chosen (an
    optional extra, a group) that is not installed is not a DL001 (None: every scope)."""
    markers = _Markers(dict(env.markers))
    dists = {d.name: d for d in env.distributions}
    problems: list[Problem] = []
    skipped: list[Skipped] = []  # declared or required, not installed (DL001, DL002)
    reported: set[tuple[str, str]] = set()
    known: dict[tuple[str, frozenset[str]], list[_Child]] = {}

    def children(dist: Distribution, extras: Iterable[str]) -> list[_Child]:
        key = (dist.name, extras if isinstance(extras, frozenset) else frozenset(extras))
        found = known.get(key)
        if found is None:
            found = known[key] = _children(dist, markers, key[1], problems, reported)
        return found

    def edges(key: Key, extras: frozenset[str]) -> Iterator[Edge]:
        dist = dists[key[0]]
        for child in children(dist, extras):
            if child.name in dists:
                yield Edge((child.name, dists[child.name].version), child.extras)
            else:
                _missing(dist, child, reported, skipped)

    walk = Walk(edges)
    for declared in sorted(project.declared, key=lambda d: (scope_rank(d.scope), d.name)):
        only = reported_only(declared)
        if only is not None:
            problems.append(only)
            if declared.name not in dists:
                continue  # no name, or not installed: nothing more to say than DL005
        marker = Marker(declared.marker) if declared.marker else None
        if not markers.applies(marker, frozenset()):
            continue
        if declared.name not in dists:
            if scopes is None or scope_selected(declared.scope, scopes):
                skipped.append(_not_installed(declared))
            continue
        key = (declared.name, dists[declared.name].version)
        walk.add_root(key, declared.scope, declared.extras)
    states = walk.run()

    # each state's extras, once (the union of its scopes' sets; none for most)
    extras_of: dict[Key, frozenset[str]] = {}
    if include_all or not project.declared:
        keys = {name: (name, dist.version) for name, dist in dists.items()}
        for name, key in keys.items():
            state = states.get(key)
            if state is None:
                state = states[key] = State(path=(name,))
            if "runtime" not in state.scopes:  # only an extra or a group: listed all the same
                state.scopes.add(ENVIRONMENT_SCOPE)
        for name, dist in dists.items():
            key = keys[name]
            state = states[key]
            extras = extras_of[key] = _extras(state)
            for child in children(dist, extras):
                child_key = keys.get(child.name)
                if child_key is None:
                    _missing(dist, child, reported, skipped)
                    continue
                child_state = states[child_key]
                if ENVIRONMENT_SCOPE in child_state.scopes:
                    child_state.parents.add(key)
                    state.children.add(child_key)

    nodes = []
    for key, state in sorted(states.items()):
        known_extras = extras_of.get(key)
        extras = _extras(state) if known_extras is None else known_extras
        names = {c.name for c in children(dists[key[0]], extras)}
        nodes.append(node(key, state, names))
    return Graph(nodes=tuple(nodes), problems=tuple(problems), skipped=tuple(skipped))


def requires_dist_edges(
    env: Environment, names: Collection[str] | None = None
) -> dict[str, tuple[set[str], set[str]]]:
    """Each distribution's (parents, requires) by name, as ``resolve`` of an empty project
    with ``include_all`` gives them (no extra active, parents among the distributions,
    requires including the ones not installed), without building the graph: at 20,000
    distributions the walk, the states and the nodes cost ~0.4 s that only these needed.
    ``names``: only these distributions' (the rest of the requirements are not evaluated)."""
    markers = _Markers(dict(env.markers))
    dists = {d.name: d for d in env.distributions}
    wanted = dists.keys() if names is None else dists.keys() & set(names)
    out: dict[str, tuple[set[str], set[str]]] = {name: (set(), set()) for name in wanted}
    none: frozenset[str] = frozenset()
    for name, dist in dists.items():
        mine = out.get(name)
        for raw in dist.requires_dist:
            req = parse_requires(raw)
            if req is None:
                continue
            theirs = out.get(req.name)
            if (mine is not None or theirs is not None) and (
                not req.marker_text or markers.holds(req, none)
            ):
                if mine is not None:
                    mine[1].add(req.name)
                if theirs is not None:
                    theirs[0].add(name)
    return out


_NONE: frozenset[str] = frozenset()


def _extras(state: State) -> frozenset[str]:
    """``state.all_extras()`` as a frozenset (the ``children`` key)."""
    values = state.extras.values()
    return frozenset().union(*values) if any(values) else _NONE


@frozen
class _Child:
    name: str
    extras: tuple[str, ...]
    raw: str  # the Requires-Dist string


def _children(
    dist: Distribution,
    markers: _Markers,
    chosen: frozenset[str],
    problems: list[Problem],
    reported: set[tuple[str, str]],
) -> list[_Child]:
    out = []
    for raw in dist.requires_dist:
        req = parse_requires(raw)
        if req is None:
            if (dist.name, raw) not in reported:
                reported.add((dist.name, raw))
                problems.append(
                    Problem(
                        "DL004",
                        f"{dist.display_name}: invalid Requires-Dist {raw!r}",
                        package=dist.name,
                        version=dist.version,
                    )
                )
            continue
        if not req.marker_text or markers.holds(req, chosen):  # most have no marker
            out.append(_Child(req.name, req.extras, raw))
    return out


def _missing(
    parent: Distribution, child: _Child, reported: set[tuple[str, str]], skipped: list[Skipped]
) -> None:
    """DL002 once per (parent, missing child)."""
    if (parent.name, child.name) not in reported:
        reported.add((parent.name, child.name))
        skipped.append(
            Skipped(
                child.name,
                "",
                "resolve",
                "required-not-installed",
                f"{parent.display_name} requires {display(child.raw)}, which is not installed",
            )
        )


def _not_installed(declared: Declared) -> Skipped:
    return Skipped(
        declared.name,
        "",
        "resolve",
        "declared-not-installed",
        f"{declared.raw!r} ({declared.scope}) is declared but not installed",
        declared.location,
    )
