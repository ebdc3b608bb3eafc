"""``pdm.lock``: packages with groups, markers and PEP 508 dependencies.

Like poetry, pdm does not lock the project itself: the roots are the project's
declarations (and pdm's legacy ``[tool.pdm.dev-dependencies]``). A package locked
with extras appears once more with ``extras = [...]``; its extra dependencies
become that extra's optional dependencies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.discover.locks.common import (
    array,
    header_lines,
    line_at,
    load_toml,
    pep440,
    project_extras,
    pyproject,
    requirement,
    scope_of_group,
    table,
    text_of,
)
from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage, Root
from dllicense.models import Location


def read_pdm(path: Path, label: str, root: Path) -> Lock:
    data, text, problem = load_toml(path, label)
    if problem:
        return Lock("pdm", label, (), problems=(problem,), files=(label,))
    manifest = pyproject(root)
    extras = project_extras(manifest)
    lines = header_lines(text, "[[package]]")
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for index, raw in enumerate(array(data.get("package"))):
        entry = table(raw)
        name = canonicalize_name(text_of(entry.get("name")))
        if not name:
            continue
        slot = merged.setdefault(
            (name, text_of(entry.get("version"))),
            {"entry": entry, "line": line_at(lines, index), "optional": {}, "groups": set()},
        )
        slot.setdefault("markers", set()).add(text_of(entry.get("marker")))
        slot["groups"].update(text_of(g) for g in array(entry.get("groups")))
        own_extras = [canonicalize_name(text_of(e)) for e in array(entry.get("extras"))]
        for extra in own_extras:
            slot["optional"][extra] = _deps(entry.get("dependencies"), name)
        if not own_extras:
            slot["entry"], slot["line"] = entry, line_at(lines, index)
    packages = []
    for (locked, version), slot in sorted(merged.items()):
        entry = slot["entry"]
        markers: set[str] = slot["markers"]
        plain = not array(entry.get("extras"))
        packages.append(
            LockedPackage(
                name=locked,
                version=version,
                marker="" if "" in markers else " or ".join(f"({m})" for m in sorted(markers)),
                requires_python=pep440(text_of(entry.get("requires_python"))),
                dependencies=_deps(entry.get("dependencies"), locked) if plain else (),
                optional=tuple(sorted(slot["optional"].items())),
                scopes=tuple(sorted({scope_of_group(g, extras) for g in slot["groups"] if g})),
                line=slot["line"],
            )
        )
    strategy = array(table(data.get("metadata")).get("strategy"))
    return Lock(
        "pdm",
        label,
        tuple(packages),
        roots=_legacy_dev_roots(manifest),
        files=(label,),
        by_scope="inherit_metadata" in strategy,
    )


def _deps(value: object, own: str) -> tuple[LockedDependency, ...]:
    out = []
    for raw in array(value):
        dep = requirement(text_of(raw))
        if dep is not None and dep.name != own:  # an extras entry lists its own package
            out.append(dep)
    return tuple(out)


def _legacy_dev_roots(data: dict[str, Any]) -> tuple[Root, ...]:
    """``[tool.pdm.dev-dependencies]`` (pdm's dev groups before PEP 735)."""
    groups = table(table(table(data.get("tool")).get("pdm")).get("dev-dependencies"))
    roots = []
    for group, items in sorted(groups.items()):
        for item in array(items):
            dep = requirement(text_of(item))
            if dep is not None:
                roots.append(
                    Root(
                        f"group:{canonicalize_name(group)}",
                        dep,
                        "pyproject.toml",
                        Location("pyproject.toml"),
                    )
                )
    return tuple(roots)
