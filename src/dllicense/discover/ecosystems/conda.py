"""``environment.yml``: conda match specs and its ``pip:`` list."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dllicense.discover.ecosystems.common import (
    EXACT_VERSION,
    Declaration,
    ManifestError,
    find_line,
)
from dllicense.discover.yamlsubset import YamlError, parse_yaml
from dllicense.models import Location, Problem

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


def read_conda(text: str, rel: str) -> tuple[list[Declaration], list[Problem]]:
    """Dependencies of a conda environment file (and its ``pip:`` sub-list)."""
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
                    _pip_entry(entry, text, rel, start, out, problems)
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
    found = re.match(r"^(?:(?P<channel>[^\s:]+)::)?(?P<name>[A-Za-z0-9_.\-]+)(?P<spec>.*)$", raw)
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
    )


def _pip_entry(
    raw: str, text: str, rel: str, start: int, out: list[Declaration], problems: list[Problem]
) -> None:
    location = Location(rel, find_line(text, raw, start))
    if raw.startswith("-"):
        return  # pip options (-r file, --index-url, -e path): nothing declared by name here
    try:
        requirement = Requirement(raw)
    except InvalidRequirement as error:
        problems.append(Problem("DL004", f"{rel}: pip entry {raw!r}: {error}", location=location))
        return
    pins = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
    version = pins[0] if len(pins) == 1 and "*" not in pins[0] else ""
    name = str(canonicalize_name(requirement.name))
    out.append(Declaration("pypi", name, version, raw, location, "conda", "pip: section"))
