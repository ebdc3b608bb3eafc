"""``environment.yml``: conda match specs and its ``pip:`` list."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from packaging.specifiers import SpecifierSet

from dllicense.discover.declared import parse_line, unpinned_source
from dllicense.discover.ecosystems.common import (
    EXACT_VERSION,
    Declaration,
    ManifestError,
    find_line,
)
from dllicense.discover.requirements import EDITABLE, INCLUDE, local_file, read_requirements
from dllicense.discover.yamlsubset import YamlError, parse_yaml
from dllicense.models import Declared, Location, Problem

# conda entries that are the interpreter and the installer, not libraries the code uses
CONDA_SKIP = frozenset({"python", "pip"})


def conda_version(spec: str) -> str:
    """The exact (or fuzzy ``=2.1`` -> ``2.1``) version of a conda match spec's version part."""
    spec = spec.strip()
    if spec.startswith("=="):
        value = spec[2:]
    elif spec.startswith("="):
        value = spec[1:]
    elif spec[:1].isdigit():
        value = spec
    else:
        return ""
    value = value.split("=")[0].split()[0] if value.strip() else ""
    value = value.removesuffix("*").removesuffix(".")
    return value if EXACT_VERSION.match(value) and not re.search(r"[,|<>!]", value) else ""


_SPEC = re.compile(r"^(?:(?P<channel>[^\s:]+)::)?(?P<name>[A-Za-z0-9_.\-]+)(?P<spec>.*)$")
_PYTHON_PIN = re.compile(r"^\d+\.\d+(?:\.\d+)?$")  # X.Y or X.Y.Z: one Python


def python_pin(text: str) -> tuple[str, str] | None:
    """The Python an environment file pins, as (``X.Y`` or ``X.Y.Z``, its entry), when its
    ``python`` match spec names one: conda's ``python=3.8.5`` is 3.8.5*, ``python=3.8``
    and ``python 3.8.*`` are 3.8.*, ``python==3.10.*`` is 3.10.*. ``None``: no ``python``
    entry, a range (``python>=3.8``), an alternative (``3.8|3.9``), a major alone
    (``python=3``), pins that differ, or a file that does not parse."""
    try:
        data = parse_yaml(text)
    except YamlError:
        return None
    dependencies = data.get("dependencies") if isinstance(data, dict) else None
    if not isinstance(dependencies, list):
        return None
    pins: dict[str, str] = {}  # version ("": not one Python) -> the entry as written
    for item in dependencies:
        found = _SPEC.match(item.strip()) if isinstance(item, str) else None
        if found and found["name"].lower() == "python":
            version = conda_version(found["spec"])
            pins.setdefault(version if _PYTHON_PIN.match(version) else "", item.strip())
    if len(pins) != 1 or "" in pins:
        return None
    return next(iter(pins.items()))


def read_conda(
    text: str, rel: str, root: Path | None = None
) -> tuple[list[Declaration], list[Problem]]:
    """Dependencies of a conda environment file (and its ``pip:`` sub-list).

    ``root`` is the folder of the file, where ``-r FILE`` entries of the ``pip:`` list are
    looked up (``None``: they are not read)."""
    try:
        data = parse_yaml(text)
    except YamlError as error:
        raise ManifestError(str(error), error.line) from error
    if data is None:
        return [], []
    if not isinstance(data, dict):
        raise ManifestError("not a mapping of name/channels/dependencies")
    dependencies = data.get("dependencies") or []
    if not isinstance(dependencies, list):
        raise ManifestError("dependencies must be a list", find_line(text, "dependencies:"))
    start = find_line(text, "dependencies:") or 1
    out: list[Declaration] = []
    problems: list[Problem] = []
    for item in dependencies:
        if isinstance(item, str):
            declaration = _conda_spec(item, text, rel, start)
            if declaration is not None:
                out.append(declaration)
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            for entry in item["pip"]:
                if isinstance(entry, str):
                    _pip_entry(entry, text, rel, start, out, problems, root)
        else:
            problems.append(
                Problem(
                    "DL070",
                    f"{rel}: dependency entry {item!r} is neither a match spec nor a pip: list",
                    location=Location(rel, start),
                )
            )
    return out, problems


def _conda_spec(raw: str, text: str, rel: str, start: int) -> Declaration | None:
    found = _SPEC.match(raw)
    if not found:
        return None
    name = found["name"].lower()
    if name in CONDA_SKIP:
        return None
    note = f"channel {found['channel']}" if found["channel"] else ""
    return Declaration(
        "conda",
        name,
        conda_version(found["spec"]),
        raw,
        Location(rel, find_line(text, raw, start)),
        "conda",
        note,
        found["channel"] or "",
    )


def _pip_entry(
    raw: str,
    text: str,
    rel: str,
    start: int,
    out: list[Declaration],
    problems: list[Problem],
    root: Path | None,
) -> None:
    """One entry of the ``pip:`` list, read as a line of a requirements file."""
    location = Location(rel, find_line(text, raw, start))
    include = INCLUDE.match(raw)
    if include and include.group(1) in ("-c", "--constraint"):
        return  # constraints pin versions, they add no requirement
    if include:
        _pip_include(include.group(2), rel, location, out, problems, root)
        return
    editable = EDITABLE.match(raw)
    if raw.startswith("-") and not editable:
        return  # --index-url, --extra-index-url, --find-links, --pre: options, no requirement
    item = parse_line(raw, "runtime", location, editable=editable is not None)  # as pip_declared
    if isinstance(item, Problem):
        problems.append(replace(item, message=f"{rel}: pip entry {raw!r}: {item.message}"))
    elif item.kind != "pypi":
        problems.append(unpinned_source(item, f"{rel}: pip entry: "))
    else:
        out.append(_as_declaration(item, "pip: section"))


def _pip_include(
    reference: str,
    rel: str,
    location: Location,
    out: list[Declaration],
    problems: list[Problem],
    root: Path | None,
) -> None:
    """``-r FILE`` in the ``pip:`` list: the file is read like a requirements file (its
    path is relative to the environment file's folder, the project root)."""
    target = local_file(reference)
    if root is None or "://" in target:
        message = f"{rel}: pip entry -r {reference}: not read (not a file of the project)"
        problems.append(Problem("DL012", message, location=location))
        return
    path = root / target
    declared, more, _ = read_requirements(path, root, "runtime")  # as pip_declared
    problems.extend(more)
    for item in declared:
        if item.kind != "pypi":
            problems.append(unpinned_source(item, f"{rel} -r {target}: "))
        else:
            out.append(_as_declaration(item, f"pip: section, -r {target}"))


def _as_declaration(item: Declared, note: str) -> Declaration:
    pins = [s.version for s in SpecifierSet(item.specifier) if s.operator in ("==", "===")]
    version = pins[0] if len(pins) == 1 and "*" not in pins[0] else ""
    return Declaration("pypi", item.name, version, item.raw, item.location, "conda", note)
