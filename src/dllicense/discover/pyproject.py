"""Declared dependencies of ``pyproject.toml``: PEP 621 and PEP 735 dependency groups."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.discover.declared import parse_declared
from dllicense.discover.selfextras import both_markers, expand_self_extras
from dllicense.models import Declared, Location, Problem
from dllicense.paths import reason
from dllicense.tomlfile import describe_error, error_line, line_of, parse_toml, read_text

PEP621_FIELDS = frozenset({"dependencies", "optional-dependencies"})


def read_pyproject(
    path: Path, label: str
) -> tuple[str, list[Declared], list[Problem], frozenset[str]]:
    """Return (project name, declared requirements, problems, static fields) of one
    ``pyproject.toml``. The static fields are those of ``dependencies`` and
    ``optional-dependencies`` that the ``[project]`` table owns (PEP 621: present and not
    listed in ``dynamic``); the others may come from setup.py / setup.cfg."""
    text = ""
    try:
        text = read_text(path)
        data = parse_toml(text)
    except (OSError, ValueError) as exc:
        line = None if isinstance(exc, OSError) else error_line(exc, text)
        message = describe_error(exc) if line else reason(exc)
        return (
            "",
            [],
            [Problem("DL010", f"cannot read {label}: {message}", location=Location(label, line))],
            frozenset(),
        )
    raw_project = data.get("project")
    project: dict[str, Any] = raw_project if isinstance(raw_project, dict) else {}
    name = str(project.get("name", ""))
    own = canonicalize_name(name) if name else ""
    declared: list[Declared] = []
    problems: list[Problem] = []

    def add(raw: object, scope: str) -> None:
        if not isinstance(raw, str):
            problems.append(
                Problem(
                    "DL004",
                    f"requirement {raw!r} in {scope} is not a string",
                    location=Location(label),
                )
            )
            return
        location = Location(label, line_of(text, f'"{raw}"') or line_of(text, f"'{raw}'"))
        item = parse_declared(raw, scope, location)
        if isinstance(item, Problem):
            problems.append(item)
        else:
            declared.append(item)

    for raw in _list(project.get("dependencies")):
        add(raw, "runtime")
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        for extra in sorted(extras):
            for raw in _list(extras[extra]):
                add(raw, f"extra:{canonicalize_name(extra)}")
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group in sorted(groups):
            for raw in _expand_group(groups, group, (), problems, label):
                add(raw, f"group:{canonicalize_name(group)}")
    tool = data.get("tool")
    if not isinstance(raw_project, dict) and isinstance(tool, dict) and "poetry" in tool:
        poetry_name, poetry_declared = _poetry_declared(data, text, label)
        name, own = name or poetry_name, own or canonicalize_name(poetry_name)
        declared += poetry_declared
    # "myproject[test]" in an extra or a group stands for the project's own extra "test"
    declared = expand_self_extras(
        declared,
        own,
        lambda d: d.name,
        lambda d: d.extras,
        lambda d: d.scope,
        lambda d, via: replace(d, scope=via.scope, marker=both_markers(via.marker, d.marker)),
    )
    static: frozenset[str] = frozenset()
    if isinstance(raw_project, dict):
        dynamic = {str(f) for f in _list(project.get("dynamic"))}
        static = PEP621_FIELDS - dynamic
    return name, declared, problems, static


def _poetry_declared(data: dict[str, Any], text: str, label: str) -> tuple[str, list[Declared]]:
    """A Poetry project with no ``[project]`` table (Poetry 1 style, TransformerLens before
    2025-10) declares in ``[tool.poetry.dependencies]``, its groups and extras: the same roots
    the ``poetry.lock`` reader takes from them. ``git``/``url``/``path`` dependencies are kept
    with their kind (``DL005``)."""
    from dllicense.discover.locks.common import table  # the lock readers' helpers: imported
    from dllicense.discover.locks.poetry import tool_poetry_roots  # only for such a project

    poetry = table(table(data.get("tool")).get("poetry"))
    kinds: dict[str, str] = {}
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    tables += [table(g).get("dependencies") for g in table(poetry.get("group")).values()]
    for deps in tables:
        for raw_name, spec in table(deps).items():
            for item in spec if isinstance(spec, list) else [spec]:
                keys = set(table(item))
                if keys & {"git", "url"}:
                    kinds[canonicalize_name(raw_name)] = "url"
                elif "path" in keys:
                    kinds.setdefault(canonicalize_name(raw_name), "path")
    declared = []
    lines = [t.strip() for t in text.splitlines()]  # split once, not once per dependency
    for root in tool_poetry_roots(data, label):
        dep = root.dependency
        extras = f"[{','.join(dep.extras)}]" if dep.extras else ""
        raw = f"{dep.name}{extras}{dep.specifier}" + (f"; {dep.marker}" if dep.marker else "")
        line = next((n for n, t in enumerate(lines, 1) if t.startswith(dep.name)), None)
        declared.append(
            Declared(
                raw=raw,
                name=dep.name,
                scope=root.scope,
                location=Location(label, line),
                specifier=dep.specifier,
                extras=dep.extras,
                marker=dep.marker,
                kind=kinds.get(dep.name, "pypi"),
            )
        )
    name = poetry.get("name")
    return name if isinstance(name, str) else "", declared


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _expand_group(
    groups: dict[str, Any], name: str, seen: tuple[str, ...], problems: list[Problem], label: str
) -> list[Any]:
    """The requirements of a PEP 735 group with ``include-group`` entries expanded."""
    if name in seen:
        chain = " -> ".join((*seen, name))
        problems.append(
            Problem("DL011", f"dependency group cycle {chain}", location=Location(label))
        )
        return []
    if name not in groups:
        problems.append(
            Problem(
                "DL011",
                f"included dependency group {name!r} does not exist",
                location=Location(label),
            )
        )
        return []
    out: list[Any] = []
    for entry in _list(groups[name]):
        if isinstance(entry, dict) and "include-group" in entry:
            out.extend(
                _expand_group(groups, str(entry["include-group"]), (*seen, name), problems, label)
            )
        else:
            out.append(entry)
    return out
