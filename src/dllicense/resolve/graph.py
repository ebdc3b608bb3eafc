"""The dependency graph: from declared roots through ``Requires-Dist``.

Markers and extras are evaluated with ``packaging`` for the target
environment. Every node keeps its scopes, its parents and a shortest path
from a root, so any finding can say why a package is there.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from dllicense.models import (  # ENVIRONMENT_SCOPE, scope_selected: re-exported
    ENVIRONMENT_SCOPE,
    Declared,
    Distribution,
    Environment,
    Graph,
    Node,
    Problem,
    Project,
    Skipped,
    scope_selected,
)
from dllicense.resolve.requires import display, parse_requires

__all__ = ["ENVIRONMENT_SCOPE", "resolve", "scope_selected"]


@dataclass
class _State:
    """One distribution as walked; ``extras``: the extras each scope's paths activate."""

    scopes: set[str] = field(default_factory=set)
    extras: dict[str, set[str]] = field(default_factory=dict)
    parents: set[str] = field(default_factory=set)
    path: tuple[str, ...] = ()
    direct: bool = False


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
            found = self.seen[key] = (marker, _applies(marker, self.markers, extras))
        return found[1]


def _applies(marker: Marker, markers: dict[str, str], extras: frozenset[str]) -> bool:
    """A marker that cannot be evaluated (``python_version ~= "3"``) holds, as in the lock
    walk (``discover/locks/markers.py``): a dependency is never dropped silently."""
    try:
        return any(marker.evaluate({**markers, "extra": extra}) for extra in {"", *extras})
    except (UndefinedComparison, UndefinedEnvironmentName, InvalidMarker):
        return True


def _scope_rank(scope: str) -> tuple[int, str]:
    return (0 if scope == "runtime" else 1 if scope.startswith("extra:") else 2, scope)


def resolve(project: Project, env: Environment, include_all: bool = False) -> Graph:
    """Walk from the project's roots; ``include_all`` adds every other distribution."""
    markers = _Markers(dict(env.markers))
    dists = {d.name: d for d in env.distributions}
    states: dict[str, _State] = {}
    problems: list[Problem] = []
    skipped: list[Skipped] = []  # declared or required, not installed (DL001, DL002)
    reported: set[tuple[str, str]] = set()
    queue: deque[tuple[str, str, tuple[str, ...]]] = deque()
    known: dict[tuple[str, frozenset[str]], list[_Child]] = {}

    def children(dist: Distribution, extras: set[str]) -> list[_Child]:
        key = (dist.name, frozenset(extras))
        if key not in known:
            known[key] = _children(dist, markers, key[1], problems, reported)
        return known[key]

    for declared in sorted(project.declared, key=lambda d: (_scope_rank(d.scope), d.name)):
        if declared.kind != "pypi" or not declared.name:
            problems.append(
                Problem(
                    "DL005",
                    f"{declared.kind} requirement {declared.raw!r} ({declared.scope}) is "
                    "reported only: dllicense never builds, fetches or runs it",
                    package=declared.name,
                    location=declared.location,
                )
            )
            if declared.name not in dists:
                continue  # no name, or not installed: nothing more to say than DL005
        marker = Marker(declared.marker) if declared.marker else None
        if not markers.applies(marker, frozenset()):
            continue
        if declared.name not in dists:
            skipped.append(_not_installed(declared))
            continue
        state = states.setdefault(declared.name, _State())
        state.direct = True
        state.extras.setdefault(declared.scope, set()).update(declared.extras)
        state.path = state.path or (declared.name,)
        queue.append((declared.name, declared.scope, (declared.name,)))

    expanded: set[tuple[str, str, frozenset[str]]] = set()
    while queue:
        name, scope, path = queue.popleft()
        state = states[name]
        extras = state.extras.get(scope, set())  # only this scope's paths count
        key = (name, scope, frozenset(extras))
        if key in expanded:
            continue
        expanded.add(key)
        state.scopes.add(scope)
        for child in children(dists[name], extras):
            if child.name not in dists:
                _missing(dists[name], child, reported, skipped)
                continue
            child_state = states.setdefault(child.name, _State())
            child_state.parents.add(name)
            child_state.path = child_state.path or (*path, child.name)
            child_extras = child_state.extras.setdefault(scope, set())
            grew = not set(child.extras) <= child_extras
            child_extras.update(child.extras)
            if grew or scope not in child_state.scopes:
                queue.append((child.name, scope, (*path, child.name)))

    if include_all or not project.declared:
        for name in dists:
            state = states.setdefault(name, _State(path=(name,)))
            if "runtime" not in state.scopes:  # only an extra or a group: listed all the same
                state.scopes.add(ENVIRONMENT_SCOPE)
        for name, dist in dists.items():
            for child in children(dist, _all_extras(states[name])):
                if child.name not in dists:
                    _missing(dist, child, reported, skipped)
                elif ENVIRONMENT_SCOPE in states[child.name].scopes:
                    states[child.name].parents.add(name)

    nodes = []
    for name in sorted(states):
        state = states[name]
        dist = dists[name]
        requires = sorted({c.name for c in children(dist, _all_extras(state))})
        nodes.append(
            Node(
                name=name,
                version=dist.version,
                scopes=tuple(sorted(state.scopes, key=_scope_rank)),
                path=state.path,
                parents=tuple(sorted(state.parents)),
                requires=tuple(requires),
                direct=state.direct,
                extras=tuple(sorted(_all_extras(state))),
            )
        )
    return Graph(nodes=tuple(nodes), problems=tuple(problems), skipped=tuple(skipped))


def _all_extras(state: _State) -> set[str]:
    return set().union(*state.extras.values())


@dataclass(frozen=True)
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
        if markers.applies(req.marker, chosen):
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
