"""``uv.lock``: a universal lock with the project itself as a package.

The root package (``source = { virtual = "." }`` or ``editable = "."``) records the
project's dependencies, extras and dev groups (the roots) and, under
``[package.metadata]``, the requirements the lock was made from. A virtual root of a
workspace adds its ``[manifest] members`` as runtime roots.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.discover.locks.common import (
    array,
    header_lines,
    line_at,
    load_toml,
    locked_wheels,
    pyproject,
    table,
    text_of,
    unreadable,
)
from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage, Root
from dllicense.discover.selfextras import both_markers, expand_self_extras
from dllicense.models import Location

_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")
_LOCAL = ("virtual", "editable", "directory")


def read_uv(path: Path, label: str, root: Path) -> Lock:
    data, text, problem = load_toml(path, label)
    if problem:
        return Lock("uv", label, (), problems=(problem,), files=(label,))
    if data.get("version") != 1:
        found = data.get("version")
        problem = unreadable(label, f"unsupported uv.lock version {found!r} (known: 1)")
        return Lock("uv", label, (), problems=(problem,), files=(label,))
    lines = header_lines(text, "[[package]]")
    own = canonicalize_name(text_of(table(pyproject(root).get("project")).get("name")))
    packages: list[LockedPackage] = []
    root_entry: dict[str, Any] = {}
    for index, raw in enumerate(array(data.get("package"))):
        entry = table(raw)
        name = canonicalize_name(text_of(entry.get("name")))
        if not name:
            continue
        source = table(entry.get("source"))
        if (own and name == own) or any(source.get(k) == "." for k in _LOCAL):
            root_entry = root_entry or entry
            continue
        optional = tuple(
            (canonicalize_name(extra), _deps(deps))
            for extra, deps in sorted(table(entry.get("optional-dependencies")).items())
        )
        markers = [text_of(m) for m in array(entry.get("resolution-markers")) if text_of(m)]
        packages.append(
            LockedPackage(
                name=name,
                version=text_of(entry.get("version")),
                marker=" or ".join(f"({m})" for m in markers),
                dependencies=_deps(entry.get("dependencies")),
                optional=optional,
                line=line_at(lines, index),
                index=text_of(source.get("registry")),
                wheels=locked_wheels(entry.get("wheels")),
            )
        )
    roots: list[Root] = []
    made_from: tuple[Root, ...] | None = None
    problems = []
    if root_entry:
        where = Location(label, line_at(lines, array(data.get("package")).index(root_entry)))
        roots += [Root("runtime", d, "lock", where) for d in _deps(root_entry.get("dependencies"))]
        for extra, deps in sorted(table(root_entry.get("optional-dependencies")).items()):
            scope = f"extra:{canonicalize_name(extra)}"
            roots += [Root(scope, d, "lock", where) for d in _deps(deps)]
        for group, deps in sorted(table(root_entry.get("dev-dependencies")).items()):
            scope = f"group:{canonicalize_name(group)}"
            roots += [Root(scope, d, "lock", where) for d in _deps(deps)]
        self_name = canonicalize_name(text_of(root_entry.get("name"))) or own
        roots = _expand_self(roots, self_name, keep_marker=False)
        if table(root_entry.get("source")).get("virtual") == ".":
            roots += _workspace_members(data, packages, self_name, label)
        made_from = tuple(
            _expand_self(_made_from(table(root_entry.get("metadata")), where), self_name, True)
        )
    elif table(data.get("manifest")).get("members"):
        roots, made_from = _virtual_workspace(data, packages, text, label)
    else:
        problems.append(
            unreadable(label, "no package for the project itself: its roots are unknown")
        )
    return Lock(
        "uv",
        label,
        tuple(packages),
        roots=tuple(roots),
        project_roots=made_from is None,
        made_from=made_from,
        files=(label,),
        problems=tuple(problems),
    )


def _workspace_members(
    data: dict[str, Any], packages: Sequence[LockedPackage], root: str, label: str
) -> list[Root]:
    """A virtual workspace root (``package = false``: graphrag's monorepo) ships nothing of its
    own: its ``[manifest] members`` are the project, each a runtime root at its locked version
    (what ``uv sync --all-packages`` installs)."""
    members = {
        canonicalize_name(text_of(m)) for m in array(table(data.get("manifest")).get("members"))
    }
    members.discard(root)
    return [
        Root(
            "runtime", LockedDependency(p.name, version=p.version), "lock", Location(label, p.line)
        )
        for p in packages
        if p.name in members and not p.index
    ]


def _virtual_workspace(
    data: dict[str, Any], packages: Sequence[LockedPackage], text: str, label: str
) -> tuple[list[Root], tuple[Root, ...]]:
    """A workspace root with no ``[project]`` table (uv's virtual workspace: livekit/agents) is
    no package of the lock: its members are runtime roots and its ``[dependency-groups]``,
    recorded under ``[manifest.dependency-groups]``, are its group roots and what it was made
    from."""
    header = next(
        (n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[manifest]"), None
    )
    where = Location(label, header)
    groups = [
        Root(f"group:{canonicalize_name(group)}", _requirement(table(item)), "lock", where)
        for group, items in sorted(
            table(table(data.get("manifest")).get("dependency-groups")).items()
        )
        for item in array(items)
    ]
    return _workspace_members(data, packages, "", label) + groups, tuple(groups)


def _expand_self(roots: Sequence[Root], own: str, keep_marker: bool) -> list[Root]:
    """``{ name = "<project>", extra = [...] }`` stands for the project's own extras.

    ``keep_marker``: for ``[package.metadata]``, whose markers name the extra itself
    (``extra == 'a'``) and are not evaluated, only compared by specifier.
    """

    def moved(member: Root, via: Root) -> Root:
        if keep_marker:
            return replace(member, scope=via.scope)
        marker = both_markers(via.dependency.marker, member.dependency.marker)
        return replace(
            member, scope=via.scope, dependency=replace(member.dependency, marker=marker)
        )

    return expand_self_extras(
        roots,
        own,
        lambda r: r.dependency.name,
        lambda r: r.dependency.extras,
        lambda r: r.scope,
        moved,
    )


def _deps(value: object) -> tuple[LockedDependency, ...]:
    out = []
    for raw in array(value):
        dep = table(raw)
        name = canonicalize_name(text_of(dep.get("name")))
        if name:
            out.append(
                LockedDependency(
                    name=name,
                    version=text_of(dep.get("version")),
                    marker=text_of(dep.get("marker")),
                    extras=tuple(
                        sorted(canonicalize_name(text_of(e)) for e in array(dep.get("extra")))
                    ),
                )
            )
    return tuple(out)


def _made_from(metadata: dict[str, Any], where: Location) -> tuple[Root, ...]:
    """``requires-dist`` and ``requires-dev``: what ``pyproject.toml`` said when uv locked."""
    out = []
    for raw in array(metadata.get("requires-dist")):
        item = table(raw)
        marker = text_of(item.get("marker"))
        extra = _EXTRA.search(marker)
        scope = f"extra:{canonicalize_name(extra.group(1))}" if extra else "runtime"
        out.append(Root(scope, _requirement(item), "lock", where))
    for group, items in sorted(table(metadata.get("requires-dev")).items()):
        scope = f"group:{canonicalize_name(group)}"
        out += [Root(scope, _requirement(table(i)), "lock", where) for i in array(items)]
    return tuple(out)


def _requirement(item: dict[str, Any]) -> LockedDependency:
    return LockedDependency(
        name=canonicalize_name(text_of(item.get("name"))),
        specifier=text_of(item.get("specifier")),
        marker=text_of(item.get("marker")),
        extras=tuple(sorted(canonicalize_name(text_of(e)) for e in array(item.get("extras")))),
    )
