"""``Pipfile.lock``: pipenv's flat lock, one section per category, no edges.

``default`` is runtime, ``develop`` the ``dev`` group, any other category an
extra when ``pyproject.toml`` has an extra of that name, else a group. The roots
come from the ``Pipfile`` beside it; without one, every locked package is a root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.discover.locks.common import (
    array,
    load_json,
    load_toml,
    pep440,
    project_extras,
    pyproject,
    scope_of_group,
    table,
    text_of,
    unreadable,
)
from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage, Root
from dllicense.models import Location, Problem
from dllicense.tomlfile import line_of

_NOT_CATEGORIES = frozenset({"source", "requires", "pipenv", "scripts"})
_SECTIONS = {"packages": "default", "dev-packages": "develop"}


def read_pipfile_lock(path: Path, label: str, root: Path) -> Lock:
    data, text, problem = load_json(path, label)
    if problem:
        return Lock("pipfile", label, (), problems=(problem,), files=(label,))
    if not isinstance(data, dict):
        problem = unreadable(label, "not a Pipfile.lock (the top level is not an object)", 1)
        return Lock("pipfile", label, (), problems=(problem,), files=(label,))
    extras = project_extras(pyproject(root))
    packages: list[LockedPackage] = []
    problems: list[Problem] = []
    unpinned: list[Root] = []
    sources = {
        text_of(table(s).get("name")): text_of(table(s).get("url"))
        for s in array(table(data.get("_meta")).get("sources"))
    }
    for category in sorted(k for k in data if k != "_meta"):
        scope = scope_of_group(_group(category), extras)
        for raw_name, raw in sorted(table(data[category]).items()):
            entry = table(raw)
            name = canonicalize_name(raw_name)
            raw_version = text_of(entry.get("version"))
            version = raw_version.removeprefix("===").removeprefix("==")
            line = line_of(text, f'"{raw_name}": {{')
            if raw_version and not raw_version.startswith("=="):
                dep = LockedDependency(
                    name, pep440(raw_version), marker=text_of(entry.get("markers"))
                )
                unpinned.append(Root(scope, dep, label, Location(label, line)))
                continue
            if not version:
                problems.append(
                    Problem(
                        "DL005",
                        f"{raw_name} in {label} is not a release from an index "
                        "(no version): it is reported only, never fetched or built",
                        package=name,
                        location=Location(label, line),
                    )
                )
                continue
            packages.append(
                LockedPackage(
                    name=name,
                    version=version,
                    marker=text_of(entry.get("markers")),
                    scopes=(scope,),
                    line=line,
                    index=sources.get(text_of(entry.get("index")), ""),
                )
            )
    pipfile = path.parent / "Pipfile"
    roots, files, more = _pipfile_roots(pipfile, extras) if pipfile.is_file() else ((), (), [])
    return Lock(
        "pipfile",
        label,
        _merge(packages),
        roots=roots,
        edges=False,
        project_roots=not roots,
        files=(*files, label),
        problems=(*problems, *more),
        unpinned=tuple(unpinned),
        universal=False,
    )


def _group(category: str) -> str:
    return {"default": "default", "develop": "dev"}.get(category, category)


def _merge(packages: list[LockedPackage]) -> tuple[LockedPackage, ...]:
    """One package per (name, version), with the scopes of every section that locks it."""
    out: dict[tuple[str, str], LockedPackage] = {}
    for p in packages:
        key = (p.name, p.version)
        if key in out:
            first = out[key]
            scopes = tuple(sorted({*first.scopes, *p.scopes}))
            out[key] = LockedPackage(
                p.name, p.version, first.marker, scopes=scopes, line=first.line, index=first.index
            )
        else:
            out[key] = p
    return tuple(out[k] for k in sorted(out))


def _pipfile_roots(
    pipfile: Path, extras: frozenset[str]
) -> tuple[tuple[Root, ...], tuple[str, ...], list[Problem]]:
    data, text, problem = load_toml(pipfile, "Pipfile")
    if problem:
        return (), ("Pipfile",), [problem]
    roots = []
    for category in sorted(data):
        if category in _NOT_CATEGORIES or not isinstance(data[category], dict):
            continue
        scope = scope_of_group(_group(_SECTIONS.get(category, category)), extras)
        for raw_name, spec in sorted(table(data[category]).items()):
            item: dict[str, Any] = spec if isinstance(spec, dict) else {"version": spec}
            dep = LockedDependency(
                name=canonicalize_name(raw_name),
                specifier=pep440(text_of(item.get("version"))),
                marker=text_of(item.get("markers")),
                extras=tuple(
                    sorted(canonicalize_name(text_of(e)) for e in array(item.get("extras")))
                ),
            )
            line = line_of(text, f"{raw_name} =") or line_of(text, f'"{raw_name}"')
            where = Location("Pipfile", line)
            roots.append(Root(scope, dep, "Pipfile", where))
    return tuple(roots), ("Pipfile",), []
