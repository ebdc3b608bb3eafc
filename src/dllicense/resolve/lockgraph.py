"""The dependency graph from a lock file: the lock's own packages, versions and edges.

Markers are evaluated for one target environment (``--python-version``,
``--platform``, default: the inspected environment, else the running interpreter),
or for every target at once (``--all-targets``: each locked version is its own node).
Where a lock gives a dependency only by name (poetry, pdm, pylock), the highest
locked version whose markers and Python range fit the target is taken, as their
installers do. Out-of-date locks (DL031) and gaps in the lock (DL034) are problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion

from dllicense.discover.locks import (
    Lock,
    LockedDependency,
    LockedPackage,
    Root,
    find_lock,
    read_lock,
)
from dllicense.discover.locks.markers import applies
from dllicense.errors import UsageError
from dllicense.models import (
    Declared,
    Distribution,
    Graph,
    Location,
    Node,
    Problem,
    Project,
    Skipped,
    SkipReason,
)
from dllicense.resolve.lockstale import compare_made_from
from dllicense.resolve.targets import Target, describe_target
from dllicense.resolve.targets import target_markers as target_markers  # re-exported
from dllicense.resolve.walk import (
    Edge,
    Key,
    State,
    Walk,
    reported_only,
    scope_rank,
    version_order,
)
from dllicense.resolve.walk import node as make_node


def lock_graph(
    root: Path,
    project: Project,
    *,
    lock: Path | None = None,
    no_lock: bool = False,
    python_version: str | None = None,
    platform: str | None = None,
    all_targets: bool = False,
    markers: Mapping[str, str] | None = None,
    installed: bool = False,
) -> tuple[Graph, tuple[str, ...]] | None:
    """The graph of the project's lock, or ``None`` when there is no lock to use.

    Precedence: ``lock`` (``--lock``); else uv.lock, poetry.lock, pylock.toml, pdm.lock,
    Pipfile.lock in ``root``; else, when no environment is ``installed``, fully pinned
    requirements files. Returns (graph, files read); what the lock could not give is in
    ``graph.problems`` and ``graph.skipped``.
    """
    if no_lock:
        if lock is not None:
            raise UsageError("--lock and --no-lock exclude each other")
        return None
    paths = find_lock(root, lock, pinned=not installed)
    if not paths:
        return None
    target = None if all_targets else target_markers(markers, python_version, platform)
    found = _merge([read_lock(p, root) for p in paths])
    if not found.packages and any(p.code == "DL030" for p in found.problems):
        return Graph((), found.problems), found.files  # nothing to walk
    graph = build_graph(found, project.declared, target)
    problems = (*found.problems, *graph.problems)
    conda = conda_records(found)
    flat = found.label if not found.edges and found.kind != "conda" and target else ""
    graph = Graph(graph.nodes, problems, distributions=conda, skipped=graph.skipped, flat_lock=flat)
    return graph, found.files


def conda_records(lock: Lock) -> tuple[Distribution, ...]:
    """The conda packages of a lock as the metadata of their nodes: the recipe licence the
    lock records (pixi.lock), nothing else (conda-lock and explicit files record none)."""
    return tuple(
        Distribution(
            name=p.name,
            display_name=p.name,
            version=p.version,
            path="",
            location=lock.label,
            summary=f"conda package {p.name} {p.version} {p.build} ({p.index or '?'})",
            license=p.license if p.license != "None" else "",
            files_read=False,
            ecosystem="conda",
            license_family=p.license_family,
        )
        for p in lock.packages
        if p.ecosystem == "conda"
    )


def _merge(locks: list[Lock]) -> Lock:
    """Several pinned requirements files read as one lock (each keeps its scope)."""
    if len(locks) == 1:
        return locks[0]
    packages: dict[tuple[str, str], LockedPackage] = {}
    for lock in locks:
        for p in lock.packages:
            first = packages.get((p.name, p.version))
            scopes = tuple(sorted({*(first.scopes if first else ()), *p.scopes}))
            deps = (*(first.dependencies if first else ()), *p.dependencies)
            packages[(p.name, p.version)] = LockedPackage(
                p.name,
                p.version,
                p.marker,
                p.requires_python,
                deps,
                p.optional,
                scopes,
                p.line,
                index=first.index if first else p.index,
                wheels=first.wheels if first else p.wheels,
            )
    return Lock(
        kind=locks[0].kind,
        label=", ".join(lock.label for lock in locks),
        packages=tuple(packages.values()),
        roots=tuple(r for lock in locks for r in lock.roots),
        edges=all(lock.edges for lock in locks),
        project_roots=any(lock.project_roots for lock in locks),
        files=tuple(f for lock in locks for f in lock.files),
        problems=tuple(p for lock in locks for p in lock.problems),
        unpinned=tuple(r for lock in locks for r in lock.unpinned),
        universal=any(lock.universal for lock in locks),
        covers=None
        if any(lock.covers is None for lock in locks)
        else frozenset().union(*(lock.covers or () for lock in locks)),
    )


_version_key = version_order


def _same(a: str, b: str) -> bool:
    return a == b or _version_key(a) == _version_key(b)


def _scope_sets(scope: str) -> tuple[frozenset[str], frozenset[str]]:
    """(extras, groups) a root of ``scope`` is evaluated with."""
    kind, _, name = scope.partition(":")
    return (
        frozenset({name}) if kind == "extra" else frozenset(),
        frozenset({name}) if kind == "group" else frozenset(),
    )


def _python_ok(spec: str, target: Target) -> bool:
    if not spec:
        return True
    try:
        return SpecifierSet(spec).contains(target.get("python_full_version", ""), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return True


def _matches(package: LockedPackage, dep: LockedDependency) -> bool:
    if dep.version:
        return _same(package.version, dep.version)
    if not dep.specifier:
        return True
    try:
        return SpecifierSet(dep.specifier).contains(package.version, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return True


class _Builder:
    def __init__(self, lock: Lock, target: Target | None, declared: Iterable[Root] = ()) -> None:
        self.lock = lock
        self.target = target
        self.by_name: dict[str, list[LockedPackage]] = {}
        for p in sorted(lock.packages, key=lambda p: _version_key(p.version), reverse=True):
            self.by_name.setdefault(p.name, []).append(p)
        self.packages = {(p.name, p.version): p for p in lock.packages}
        self.walk = Walk(self._edges)
        self.states = self.walk.states
        self.skipped: list[Skipped] = []  # roots and dependencies the lock does not lock
        self.reported: set[tuple[str, str]] = set()
        self.root_scopes: dict[str, set[str]] = {}
        # "whatever extras" for a package's own marker: every extra and group the lock names
        self.any_extras, self.any_groups = _extras_named(lock, declared)

    def fits(self, package: LockedPackage, target: Target) -> bool:
        """Is this locked version the one for ``target`` (its marker, for some extra)?"""
        return applies(package.marker, target, self.any_extras, self.any_groups) and _python_ok(
            package.requires_python, target
        )

    def candidates(self, dep: LockedDependency) -> list[LockedPackage]:
        """The locked versions ``dep`` resolves to: one for a target, all for every target."""
        found = [p for p in self.by_name.get(dep.name, []) if _matches(p, dep)]
        if self.target is None or dep.version:
            return found
        return [p for p in found if self.fits(p, self.target)][:1]

    def add_root(self, root: Root) -> None:
        dep = root.dependency
        extras, groups = _scope_sets(root.scope)
        if not applies(dep.marker, self.target, extras, groups):
            return
        found = self.candidates(dep)
        covered = self.lock.covers is None or root.scope in self.lock.covers
        if not found:
            if covered and (self.target is not None or dep.name not in self.by_name):
                self.skipped.append(self._missing_root(root))
            return  # for every target, a locked name is enough (single-target locks)
        for package in found:
            self.walk.add_root((package.name, package.version), root.scope, dep.extras)

    def run(self, roots: list[Root]) -> None:
        for root in roots:
            self.root_scopes.setdefault(root.dependency.name, set()).add(root.scope)
        for root in sorted(roots, key=lambda r: (scope_rank(r.scope), r.dependency.name)):
            self.add_root(root)
        self.walk.run()

    def _edges(self, key: Key, extras: frozenset[str]) -> Iterator[Edge]:
        if not self.lock.edges:
            return
        package = self.packages[key]
        for dep in self._dependencies(package, extras):
            children = self.candidates(dep)
            if not children:
                self._missing_edge(package, dep)
            for child in children:
                yield Edge((child.name, child.version), dep.extras)

    def _dependencies(
        self, package: LockedPackage, extras: frozenset[str]
    ) -> list[LockedDependency]:
        optional = dict(package.optional)
        deps = [*package.dependencies, *(d for e in sorted(extras) for d in optional.get(e, ()))]
        return [d for d in deps if applies(d.marker, self.target, extras, frozenset())]

    def add_loose(self) -> None:
        """Flat locks: packages no root reaches still belong to the target's install."""
        for package in self.lock.packages:
            key = (package.name, package.version)
            if key in self.states:
                continue
            if self.target is not None and not self.fits(package, self.target):
                continue
            scopes = set(package.scopes or self.root_scopes.get(package.name, ("runtime",)))
            self.states[key] = State(scopes=scopes, path=(package.name,))

    def add_recorded(self) -> None:
        """The lock's own scopes where its installer goes by them (pdm): a package reached
        is installed for the scopes it records (cffi locked for every group is installed
        in runtime too, even if only a dev path reaches it on this target)."""
        for package in self.lock.packages:
            state = self.states.get((package.name, package.version))
            if state is not None and package.scopes:
                state.scopes = set(package.scopes)

    def _missing_root(self, root: Root) -> Skipped:
        code: SkipReason
        dep = root.dependency
        locked = ", ".join(p.version for p in self.by_name.get(dep.name, []))
        wanted = f"{dep.name}{dep.specifier}" if dep.specifier else dep.name
        where = f" ({root.scope})"
        if root.origin == "lock":
            code, message = (
                "not-locked",
                f"{self.lock.label} lists {wanted}{where} but does not lock it",
            )
        elif (
            locked
            and self.target is not None
            and not any(
                _matches(p, dep) for p in self.by_name[dep.name] if self.fits(p, self.target)
            )
            and any(_matches(p, dep) for p in self.by_name[dep.name])
        ):
            code = "not-locked"
            message = (
                f"{wanted}{where}: no version in {self.lock.label} is for "
                f"{describe_target(self.target)} (locked: {locked})"
            )
        elif dep.marker and not self.lock.universal:
            code = "not-locked"
            message = (
                f"{wanted}{where} applies to {describe_target(self.target)}, but "
                f"{self.lock.label} was made for one environment and "
                + (f"locks only {dep.name} {locked}" if locked else f"has no {dep.name}")
            )
        elif locked:
            code = "lock-out-of-date"
            message = (
                f"{wanted}{where} is declared in {root.origin} but {self.lock.label} locks "
                f"{dep.name} {locked}: the lock is out of date"
            )
        else:
            code = "lock-out-of-date"
            message = (
                f"{wanted}{where} is declared in {root.origin} but not in {self.lock.label}: "
                "the lock is out of date"
            )
        return Skipped(dep.name, "", "resolve", code, message, root.location)

    def _missing_edge(self, package: LockedPackage, dep: LockedDependency) -> None:
        if (package.name, dep.name) in self.reported:
            return
        self.reported.add((package.name, dep.name))
        wanted = f"{dep.name}{dep.specifier}" if dep.specifier else dep.name
        if dep.version:
            wanted = f"{dep.name} {dep.version}"
        self.skipped.append(
            Skipped(
                dep.name,
                "",
                "resolve",
                "not-locked",
                f"{package.name} {package.version} requires {wanted}, which "
                f"{self.lock.label} does not lock"
                + ("" if self.target is None else f" for {describe_target(self.target)}"),
                Location(self.lock.label, package.line),
            )
        )

    def nodes(self) -> tuple[Node, ...]:
        return tuple(
            make_node(
                key,
                state,
                index=self.packages[key].index,
                wheels=self.packages[key].wheels,
                ecosystem=self.packages[key].ecosystem,
            )
            for key, state in sorted(
                self.states.items(), key=lambda item: (item[0][0], _version_key(item[0][1]))
            )
        )


def _extras_named(lock: Lock, declared: Iterable[Root]) -> tuple[frozenset[str], frozenset[str]]:
    """Every extra and dependency group the lock or the project names (roots, scopes,
    optional tables)."""
    scopes = {s for p in lock.packages for s in p.scopes} | set(lock.covers or ())
    scopes |= {r.scope for r in (*lock.roots, *(lock.made_from or ()), *declared)}
    extras = {s.partition(":")[2] for s in scopes if s.startswith("extra:")}
    extras |= {e for p in lock.packages for e, _ in p.optional}
    extras |= {e for p in lock.packages for d in p.dependencies for e in d.extras}
    groups = {s.partition(":")[2] for s in scopes if s.startswith("group:")}
    return frozenset(extras), frozenset(groups)


def build_graph(lock: Lock, declared: tuple[Declared, ...], target: Target | None) -> Graph:
    """Walk the lock from its roots for ``target`` (``None``: every target)."""
    problems: list[Problem] = []
    skipped: list[Skipped] = []
    project_roots: list[Root] = []
    for d in declared:
        only = reported_only(d)
        if only is not None:
            problems.append(only)
            continue
        dep = LockedDependency(d.name, specifier=d.specifier, marker=d.marker, extras=d.extras)
        project_roots.append(Root(d.scope, dep, d.location.file, d.location))
    builder = _Builder(lock, target, project_roots)
    loose = {r.dependency.name for r in lock.unpinned}
    for entry in lock.unpinned:
        extras, groups = _scope_sets(entry.scope)
        if applies(entry.dependency.marker, target, extras, groups):
            skipped.append(
                Skipped(
                    entry.dependency.name,
                    "",
                    "resolve",
                    "not-locked",
                    f"{lock.label} does not pin {entry.dependency.name} "
                    f"({entry.dependency.specifier or '*'}), which {describe_target(target)} "
                    "needs: it is not scanned (the lock was made on another platform)",
                    entry.location,
                )
            )
    roots = [
        r
        for r in (*lock.roots, *(project_roots if lock.project_roots else ()))
        if r.dependency.name not in loose
    ]
    builder.run(roots)
    if not lock.edges or lock.kind in ("resolved", "conda"):  # the install set
        builder.add_loose()
    if lock.by_scope:
        builder.add_recorded()
    skipped += builder.skipped
    if not lock.project_roots:
        undeclared = _undeclared_in_lock(
            lock, [r for r in project_roots if r.dependency.name not in loose], target
        )
        problems += [p for p in undeclared if isinstance(p, Problem)]
        skipped += [s for s in undeclared if isinstance(s, Skipped)]
    if lock.edges and lock.project_roots and lock.kind != "resolved":
        problems += _orphans(lock, roots)
    return Graph(builder.nodes(), tuple(problems), skipped=tuple(_one_per_package(skipped)))


def _undeclared_in_lock(
    lock: Lock, declared: list[Root], target: Target | None
) -> list[Problem] | list[Skipped]:
    """What ``pyproject.toml`` declares and the lock does not cover (uv: was not made from).

    A lock that says which scopes it covers (pinned requirements files: their own; a pylock:
    its extras and groups) is not out of date for a declaration of another scope.
    """
    ours = [r for r in declared if r.origin == "pyproject.toml"]
    if lock.covers is not None:
        ours = [r for r in ours if r.scope in lock.covers]
    if lock.made_from is not None:
        return compare_made_from(lock, ours)
    check = _Builder(lock, target, declared)
    said = {r.dependency.name for r in lock.roots}
    out: list[Skipped] = []
    for root in ours:
        extras, groups = _scope_sets(root.scope)
        if not applies(root.dependency.marker, target, extras, groups):
            continue
        name = root.dependency.name
        missing = (
            name not in check.by_name if target is None else not check.candidates(root.dependency)
        )
        skip = check._missing_root(root) if missing else None
        if skip is not None and (skip.reason == "lock-out-of-date" or name not in said):
            out.append(skip)  # a DL034 for the manifest's own root is said already
    return out


def _one_per_package(skips: list[Skipped]) -> list[Skipped]:
    """A requirement declared on several lines (``tritonclient>=2.29.0`` and
    ``tritonclient[all]; ...``) that the lock misses for one reason: one finding naming the
    other lines, not one per line."""
    first: dict[tuple[str, str], int] = {}
    out: list[Skipped] = []
    for skip in skips:
        at = first.get((skip.package, skip.reason))
        if at is None or skip.reason != "lock-out-of-date":
            first[(skip.package, skip.reason)] = len(out)
            out.append(skip)
            continue
        where = skip.location
        line = f" at {where.file}:{where.line}" if where and where.line else ""
        merged = f"{out[at].detail}; also: {skip.detail}{line}"
        out[at] = replace(out[at], detail=merged)
    return out


def _orphans(lock: Lock, roots: list[Root]) -> list[Problem]:
    """Locked packages that nothing declared reaches, for any target: left over in the lock."""
    every = _Builder(lock, None)
    every.run([replace(r, dependency=replace(r.dependency, specifier="")) for r in roots])
    orphans = [
        p
        for p in sorted(lock.packages, key=lambda p: (p.name, _version_key(p.version)))
        if (p.name, p.version) not in every.states
    ]
    out = []
    for p, pulled in _orphan_roots(orphans):
        also = ""
        if pulled:
            names = ", ".join(f"{q.name} {q.version}" for q in pulled)
            also = f" (nor the {len(pulled)} locked packages only it pulls in: {names})"
        out.append(
            Problem(
                "DL031",
                f"{lock.label} locks {p.name} {p.version}, which nothing the project "
                f"declares requires{also}: the lock is out of date",
                package=p.name,
                version=p.version,
                location=Location(lock.label, p.line),
            )
        )
    return out


def _orphan_roots(
    orphans: list[LockedPackage],
) -> list[tuple[LockedPackage, list[LockedPackage]]]:
    """Left-over packages grouped by root cause: a left-over that no other left-over
    depends on, with the left-overs reached only through it (langchain-openai and the
    langchain-core, langsmith, tiktoken... it pulled in: one cause, one finding). A left-over
    reached from two roots, or in a cycle of left-overs, keeps a finding of its own."""
    by_name = {p.name: p for p in orphans}

    def needs(p: LockedPackage) -> set[str]:
        deps = [*p.dependencies, *(d for _, extra in p.optional for d in extra)]
        return {d.name for d in deps if d.name in by_name and d.name != p.name}

    needed = {q for p in orphans for q in needs(p)}
    reached: dict[str, list[str]] = {}
    for root in (p for p in orphans if p.name not in needed):
        seen, todo = {root.name}, [root.name]
        while todo:
            for q in needs(by_name[todo.pop()]):
                if q not in seen:
                    seen.add(q)
                    todo.append(q)
        for q in seen - {root.name}:
            reached.setdefault(q, []).append(root.name)
    grouped = {q for q, roots in reached.items() if len(roots) == 1}
    out = []
    for p in orphans:
        if p.name in needed and p.name in grouped:
            continue
        pulled = [q for q in orphans if reached.get(q.name) == [p.name]]
        out.append((p, pulled))
    return out


def match_installed(
    nodes: Iterable[Node], distributions: Iterable[Distribution]
) -> tuple[dict[Node, Distribution], dict[Node, tuple[Problem, ...]]]:
    """Installed metadata for each locked node: only the very version the lock pins.

    Returns (node -> distribution, node -> problems) where a node without metadata gets
    DL033, and DL032 first when another version is installed.
    """
    installed: dict[str, Distribution] = {}
    # more versions of a name: metadata read for a resolution for every target (--online
    # --all-targets: networkx 3.6.1 below Python 3.11 and 3.7 above, in LLaVA's)
    others: dict[str, list[Distribution]] = {}
    for d in distributions:
        if d.name in installed:
            others.setdefault(d.name, []).append(d)
        else:
            installed[d.name] = d
    found: dict[Node, Distribution] = {}
    missing: dict[Node, tuple[Problem, ...]] = {}
    for node in nodes:
        dist = installed.get(node.name)
        if dist is not None and node.name in others and not _same(dist.version, node.version):
            same = [d for d in others[node.name] if _same(d.version, node.version)]
            dist = same[0] if same else dist
        if dist is not None and _same(dist.version, node.version):
            found[node] = dist
            continue
        problems = []
        if dist is not None:
            problems.append(
                Problem(
                    "DL032",
                    f"locked {node.version}, installed {dist.version} ({dist.location}): "
                    "the installed metadata is not used",
                    node.name,
                    node.version,
                )
            )
        problems.append(
            Problem(
                "DL033",
                "no licence metadata: not installed "
                "(use --online to read it from the package index)",
                node.name,
                node.version,
            )
        )
        missing[node] = tuple(problems)
    return found, missing
