"""``poetry.lock``: every locked version with its markers, python range and dependencies.

Poetry does not lock the project itself: its roots are the project's PEP 621
declarations plus the ``[tool.poetry]`` dependency tables of ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from dllicense.discover.locks.common import (
    array,
    header_lines,
    line_at,
    load_toml,
    pep440,
    poetry_requirement,
    pyproject,
    table,
    text_of,
)
from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage, Root
from dllicense.models import Location


def read_poetry(path: Path, label: str, root: Path) -> Lock:
    data, text, problem = load_toml(path, label)
    if problem:
        return Lock("poetry", label, (), problems=(problem,), files=(label,))
    lines = header_lines(text, "[[package]]")
    packages = []
    for index, raw in enumerate(array(data.get("package"))):
        entry = table(raw)
        name = canonicalize_name(text_of(entry.get("name")))
        if not name:
            continue
        regular, optional = _dependencies(table(entry.get("dependencies")))
        extras = []
        for extra, items in sorted(table(entry.get("extras")).items()):
            deps = []
            for item in array(items):
                dep = poetry_requirement(text_of(item))
                if dep is not None:
                    deps += optional.get(dep.name, [dep])
            extras.append((canonicalize_name(extra), tuple(deps)))
        packages.append(
            LockedPackage(
                name=name,
                version=text_of(entry.get("version")),
                marker=_markers(entry.get("markers"), array(entry.get("groups"))),
                requires_python=pep440(text_of(entry.get("python-versions"))),
                dependencies=tuple(regular),
                optional=tuple(extras),
                line=line_at(lines, index),
                index=_index(table(entry.get("source"))),
            )
        )
    return Lock(
        "poetry",
        label,
        tuple(packages),
        roots=tool_poetry_roots(pyproject(root)),
        files=(label,),
    )


def _index(source: dict[str, Any]) -> str:
    """The index of a ``[package.source]`` (poetry writes one for non-PyPI sources only)."""
    return text_of(source.get("url")) if source.get("type") == "legacy" else ""


def _markers(value: object, groups: list[Any]) -> str:
    """``markers`` is a string, or (lock 2.1) a table of group -> marker where a group of
    ``groups`` that the table does not name needs the package everywhere."""
    if isinstance(value, str):
        return value
    markers = table(value)
    if any(text_of(g) and not text_of(markers.get(text_of(g))) for g in groups):
        return ""
    parts = [text_of(m) for m in markers.values() if text_of(m)]
    return " or ".join(f"({p})" for p in sorted(set(parts)))


def _constraints(spec: object) -> list[dict[str, Any]]:
    if isinstance(spec, str):
        return [{"version": spec}]
    if isinstance(spec, dict):
        return [spec]
    return [table(s) for s in array(spec)]


def _dependencies(
    deps: dict[str, Any],
) -> tuple[list[LockedDependency], dict[str, list[LockedDependency]]]:
    regular: list[LockedDependency] = []
    optional: dict[str, list[LockedDependency]] = {}
    for raw_name, spec in sorted(deps.items()):
        name = canonicalize_name(raw_name)
        for item in _constraints(spec):
            dep = _dependency(name, item)
            if item.get("optional") is True:
                optional.setdefault(name, []).append(dep)
            else:
                regular.append(dep)
    return regular, optional


def _dependency(name: str, item: dict[str, Any]) -> LockedDependency:
    markers = [text_of(item.get("markers"))]
    markers.append(_python_marker(text_of(item.get("python"))))
    if text_of(item.get("platform")):
        markers.append(f'sys_platform == "{text_of(item.get("platform"))}"')
    marker = " and ".join(f"({m})" for m in markers if m)
    extras = tuple(sorted(canonicalize_name(text_of(e)) for e in array(item.get("extras"))))
    return LockedDependency(
        name, specifier=pep440(text_of(item.get("version"))), marker=marker, extras=extras
    )


def _python_marker(spec: str) -> str:
    """Poetry's ``python = ">=3.8,<3.10"`` as a marker (``""`` for poetry-only syntax)."""
    try:
        specs = SpecifierSet(pep440(spec)) if pep440(spec) else SpecifierSet()
    except InvalidSpecifier:
        return ""
    return " and ".join(
        f'python_version {s.operator} "{s.version}"'
        if s.version.endswith(".*")
        else f'python_full_version {s.operator} "{s.version}"'
        for s in sorted(specs, key=str)
    )


def tool_poetry_roots(data: dict[str, Any], label: str = "pyproject.toml") -> tuple[Root, ...]:
    """Roots declared the poetry way (``[tool.poetry.dependencies]``, groups, extras)."""
    poetry = table(table(data.get("tool")).get("poetry"))
    where = Location(label)
    main = table(poetry.get("dependencies"))
    extra_of: dict[str, list[str]] = {}
    for extra, names in table(poetry.get("extras")).items():
        for n in array(names):
            extra_of.setdefault(canonicalize_name(text_of(n)), []).append(canonicalize_name(extra))
    roots = []
    for raw_name, spec in sorted(main.items()):
        name = canonicalize_name(raw_name)
        if name == "python":
            continue
        for item in _constraints(spec):
            dep = _dependency(name, item)
            if item.get("optional") is True:
                for extra in extra_of.get(name, []):
                    roots.append(Root(f"extra:{extra}", dep, label, where))
            else:
                roots.append(Root("runtime", dep, label, where))
    groups = {"dev": table(poetry.get("dev-dependencies"))}
    for group, body in table(poetry.get("group")).items():
        groups[group] = {**groups.get(group, {}), **table(table(body).get("dependencies"))}
    for group, deps in sorted(groups.items()):
        scope = f"group:{canonicalize_name(group)}"
        for raw_name, spec in sorted(deps.items()):
            for item in _constraints(spec):
                dep = _dependency(canonicalize_name(raw_name), item)
                roots.append(Root(scope, dep, label, where))
    return tuple(roots)
