"""What a lock file says, as read (discover); ``resolve.lockgraph`` turns it into a ``Graph``.

Readers never re-resolve: they keep the lock's own packages, versions, markers
and edges. Names are canonical (PEP 503); markers are PEP 508 strings.
"""

from __future__ import annotations

from dllicense.models import Location, LockedWheel, Problem
from dllicense.records import frozen


@frozen
class LockedDependency:
    """An edge of the lock: ``version`` when the lock names the exact one, else a specifier."""

    name: str
    specifier: str = ""
    version: str = ""
    marker: str = ""
    extras: tuple[str, ...] = ()


@frozen
class LockedPackage:
    """One locked (name, version) with when it applies and what it needs.

    ``marker``/``requires_python`` say for which targets the lock uses this version;
    ``optional`` maps each of the package's own extras to its extra dependencies;
    ``scopes`` are the scopes the lock itself records (pdm groups, Pipfile.lock sections);
    ``index`` is the package index it was locked from, when the lock tells (may hold
    credentials: never print it); ``wheels`` the wheel files the lock records for it
    (uv.lock, pylock.toml), so that ``--online`` can read their PEP 658 metadata directly.
    """

    name: str
    version: str
    marker: str = ""
    requires_python: str = ""
    dependencies: tuple[LockedDependency, ...] = ()
    optional: tuple[tuple[str, tuple[LockedDependency, ...]], ...] = ()
    scopes: tuple[str, ...] = ()
    line: int | None = None
    index: str = ""
    wheels: tuple[LockedWheel, ...] = ()
    ecosystem: str = "pypi"  # "conda": a conda package (pixi.lock, conda-lock, explicit files)
    license: str = ""  # conda: the recipe licence the lock records (pixi.lock)
    license_family: str = ""
    build: str = ""  # conda: the build string


@frozen
class Root:
    """A requirement of the project: from the lock itself (``origin="lock"``) or a manifest."""

    scope: str  # runtime, extra:NAME, group:NAME
    dependency: LockedDependency
    origin: str  # "lock" or the label of the manifest ("Pipfile", "pyproject.toml")
    location: Location | None = None


@frozen
class Lock:
    """A lock file as read.

    ``edges``: the lock records every package's dependencies (uv, poetry, pdm, annotated
    requirements); otherwise only roots are known and other packages hang free.
    ``project_roots``: the project's ``pyproject.toml`` declarations are roots too
    (formats that do not record the root package: poetry, pdm, pylock).
    ``made_from``: the requirements the lock says it was made from (uv), to detect staleness.
    ``universal``: made for every target (uv, poetry, pdm, a pylock or requirements file
    with markers), not for the one environment it was made in (pipenv, ``pip lock``).
    ``covers``: the scopes the lock is for, when it says (a pylock's ``extras`` and
    ``dependency-groups``, a requirements file's own scope): declarations of other
    scopes are not its to lock.
    ``unpinned``: entries the lock names without a version (pipenv keeps ``"*"`` for a
    package of another platform), as roots: a problem when they apply to the target.
    ``by_scope``: the installer takes every package whose recorded scopes and marker fit,
    without walking the edges (pdm's ``inherit_metadata`` strategy): those are its scopes.
    """

    kind: str  # uv, poetry, pdm, pipfile, pylock, requirements; "resolved": a resolver's answer
    label: str
    packages: tuple[LockedPackage, ...]
    roots: tuple[Root, ...] = ()
    edges: bool = True
    project_roots: bool = True
    made_from: tuple[Root, ...] | None = None
    files: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    unpinned: tuple[Root, ...] = ()
    universal: bool = True
    covers: frozenset[str] | None = None  # the scopes it locks (None: every scope declared)
    by_scope: bool = False
