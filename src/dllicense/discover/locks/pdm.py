"""``pdm.lock``: packages with groups, markers and PEP 508 dependencies.

Like poetry, pdm does not lock the project itself: the roots are the project's
declarations (and pdm's legacy ``[tool.pdm.dev-dependencies]``). A package locked
with extras appears once more with ``extras = [...]``; its extra dependencies
become that extra's optional dependencies.

pdm.lock does not record the index a package came from. ``[[tool.pdm.source]]``
tells, the way pdm picks sources (``pdm.utils.filtered_sources``): the sources
whose ``include_packages`` match the package, else every source whose
``exclude_packages`` do not, PyPI first unless a source named ``pypi`` replaces
it. When that leaves one index, it is the package's; otherwise it is unknown.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

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
    sources = _sources(manifest)
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
                index=_index_of(locked, sources),
            )
        )
    metadata = table(data.get("metadata"))
    strategy = array(metadata.get("strategy"))
    groups = [text_of(g) for g in array(metadata.get("groups"))]
    return Lock(
        "pdm",
        label,
        tuple(packages),
        roots=_legacy_dev_roots(manifest),
        files=(label,),
        by_scope="inherit_metadata" in strategy,
        # ``pdm lock -G``: the groups locked; an extra or group left out is not stale
        covers=frozenset(scope_of_group(g, extras) for g in groups if g) if groups else None,
    )


def _sources(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``[[tool.pdm.source]]`` by name, after the implicit PyPI unless one is named ``pypi``."""
    found: dict[str, dict[str, Any]] = {"pypi": {"name": "pypi", "url": ""}}
    for raw in array(table(table(data.get("tool")).get("pdm")).get("source")):
        source = table(raw)
        name = text_of(source.get("name"))
        if name and text_of(source.get("url")):
            found[name] = source
    return list(found.values())


def _index_of(package: str, sources: list[dict[str, Any]]) -> str:
    """The URL of the one index pdm would take ``package`` from, else ``""``."""
    preference = [(s, _preference(package, s)) for s in sources]
    chosen = [s for s, p in preference if p is True] or [s for s, p in preference if p is None]
    if len(chosen) != 1 or text_of(chosen[0].get("type")) == "find_links":
        return ""
    return _expand_auth(text_of(chosen[0].get("url")))


def _preference(package: str, source: dict[str, Any]) -> bool | None:
    def patterns(key: str) -> list[str]:
        raw = [text_of(p) for p in array(source.get(key))]
        return [re.sub(r"[^A-Za-z0-9?*\[\]-]+", "-", p).lower() for p in raw if p]

    if any(fnmatch.fnmatch(package, p) for p in patterns("include_packages")):
        return True
    if any(fnmatch.fnmatch(package, p) for p in patterns("exclude_packages")):
        return False
    return None


def _expand_auth(url: str) -> str:
    """pdm's ``${VAR}`` in the credentials of a source URL, from the environment."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    auth, _, host = parts.netloc.rpartition("@")
    auth = re.sub(r"\$\{([^${}]+)\}", lambda m: quote(os.environ.get(m.group(1), ""), ""), auth)
    return urlunsplit(parts._replace(netloc=f"{auth}@{host}"))


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
