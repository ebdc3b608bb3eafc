"""``pylock.toml`` / ``pylock.NAME.toml`` (PEP 751).

A flat list of packages, each with an optional marker that may test ``extras``
and ``dependency_groups``. ``dependencies`` (edges) are optional in the format;
pip and uv leave them out, so usually only the project's declared roots are known.
"""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from dllicense.discover.locks.common import (
    array,
    header_lines,
    line_at,
    load_toml,
    locked_wheels,
    pep440,
    pyproject,
    table,
    text_of,
    unreadable,
)
from dllicense.discover.locks.markers import applies
from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage, Root
from dllicense.models import Location, Problem


def read_pylock(path: Path, label: str, root: Path) -> Lock:
    data, text, problem = load_toml(path, label)
    if problem:
        return Lock("pylock", label, (), problems=(problem,), files=(label,))
    version = text_of(data.get("lock-version"))
    if not version.startswith("1."):
        problem = unreadable(label, f"unsupported lock-version {version!r} (known: 1.x)", 1)
        return Lock("pylock", label, (), problems=(problem,), files=(label,))
    own = canonicalize_name(text_of(table(pyproject(root).get("project")).get("name")))
    extras = frozenset(canonicalize_name(text_of(e)) for e in array(data.get("extras")))
    groups = frozenset(canonicalize_name(text_of(g)) for g in array(data.get("dependency-groups")))
    defaults = frozenset(canonicalize_name(text_of(g)) for g in array(data.get("default-groups")))
    lines = header_lines(text, "[[packages]]")
    packages: list[LockedPackage] = []
    problems: list[Problem] = []
    roots: list[Root] = []
    edges = False
    for index, raw in enumerate(array(data.get("packages"))):
        entry = table(raw)
        name = canonicalize_name(text_of(entry.get("name")))
        line = line_at(lines, index)
        deps = tuple(
            LockedDependency(
                canonicalize_name(text_of(table(d).get("name"))),
                version=text_of(table(d).get("version")),
            )
            for d in array(entry.get("dependencies"))
            if text_of(table(d).get("name"))
        )
        edges = edges or "dependencies" in entry
        local = text_of(table(entry.get("directory")).get("path"))
        if name and (name == own or local == "."):
            where = Location(label, line)
            roots += [Root("runtime", d, "lock", where) for d in deps]
            continue
        if not name or not text_of(entry.get("version")):
            problems.append(
                Problem(
                    "DL005",
                    f"{name or '?'} in {label} has no version (a directory, VCS or archive "
                    "source): it is reported only, never fetched or built",
                    package=name,
                    location=Location(label, line),
                )
            )
            continue
        marker = text_of(entry.get("marker"))
        packages.append(
            LockedPackage(
                name=name,
                version=text_of(entry.get("version")),
                marker=marker,
                requires_python=pep440(text_of(entry.get("requires-python"))),
                dependencies=deps,
                scopes=_scopes(marker, extras, groups, defaults),
                line=line,
                index=text_of(entry.get("index")),
                wheels=locked_wheels(entry.get("wheels")),
            )
        )
    return Lock(
        "pylock",
        label,
        tuple(packages),
        roots=tuple(roots),
        edges=edges,
        project_roots=not roots,
        files=(label,),
        problems=tuple(problems),
        universal=bool(data.get("requires-python")) or any(p.marker for p in packages),
        # PEP 751: extras and dependency-groups default to none
        covers=frozenset(
            {"runtime", *(f"extra:{e}" for e in extras), *(f"group:{g}" for g in groups)}
        ),
    )


def _scopes(
    marker: str, extras: frozenset[str], groups: frozenset[str], defaults: frozenset[str]
) -> tuple[str, ...]:
    """What brings a package in, from its marker's ``extras``/``dependency_groups`` tests.

    ``()`` when the marker does not tell (the graph then decides, or falls back to runtime).
    """
    if "extras" not in marker and "dependency_groups" not in marker:
        return ()
    if applies(marker, None, frozenset(), defaults):
        return ("runtime",)
    out = [f"extra:{e}" for e in sorted(extras) if applies(marker, None, frozenset({e}), defaults)]
    out += [
        f"group:{g}"
        for g in sorted(groups - defaults)
        if applies(marker, None, frozenset(), frozenset({g}))
    ]
    return tuple(out)
