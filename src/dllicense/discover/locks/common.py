"""Helpers shared by the lock readers: parsing with file:line problems, names, scopes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dllicense.discover.locks.model import LockedDependency
from dllicense.models import Location, LockedWheel, Problem
from dllicense.parsing import parse_json
from dllicense.tomlfile import describe_error, error_line, parse_toml, read_text

RUNTIME_GROUPS = frozenset({"default", "main", "runtime"})


def unreadable(label: str, message: str, line: int | None = None) -> Problem:
    return Problem("DL030", f"cannot read {label}: {message}", location=Location(label, line))


def load_toml(path: Path, label: str) -> tuple[dict[str, Any], str, Problem | None]:
    """(data, text, problem): a TOML file; a broken one gives a problem with its line."""
    text = ""
    try:
        text = read_text(path)
        return parse_toml(text), text, None
    except (OSError, ValueError) as exc:
        line = error_line(exc, text)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else None
        return {}, text, unreadable(label, reason or describe_error(exc), line)


def load_json(path: Path, label: str) -> tuple[Any, str, Problem | None]:
    """(data, text, problem): a JSON file; a broken one gives a problem with its line."""
    text = ""
    try:
        text = read_text(path)
        return parse_json(text), text, None
    except json.JSONDecodeError as exc:
        return None, text, unreadable(label, exc.msg, exc.lineno)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, text, unreadable(label, reason)


def pyproject(root: Path) -> dict[str, Any]:
    """The project's ``pyproject.toml`` (``{}`` when absent or broken: discover reports that)."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    data, _, problem = load_toml(path, "pyproject.toml")
    return {} if problem else data


def project_extras(data: dict[str, Any]) -> frozenset[str]:
    """Canonical names of the extras ``pyproject.toml`` declares (PEP 621 and poetry)."""
    project = table(data.get("project"))
    poetry = table(table(data.get("tool")).get("poetry"))
    names = [*table(project.get("optional-dependencies")), *table(poetry.get("extras"))]
    return frozenset(canonicalize_name(n) for n in names)


def table(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def array(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def text_of(value: object) -> str:
    return value if isinstance(value, str) else ""


def header_lines(text: str, header: str) -> list[int]:
    """Line numbers (1-based) of every ``header`` line, e.g. ``[[package]]``, in order."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == header]


def line_at(lines: list[int], index: int) -> int | None:
    return lines[index] if index < len(lines) else None


def scope_of_group(group: str, extras: frozenset[str]) -> str:
    """A lock's group name as a scope: runtime, ``extra:X`` (a project extra) or ``group:X``."""
    name = canonicalize_name(group)
    if group in RUNTIME_GROUPS:
        return "runtime"
    return f"extra:{name}" if name in extras else f"group:{name}"


def requirement(raw: str) -> LockedDependency | None:
    """A PEP 508 string as an edge (``None`` when it is not valid)."""
    try:
        req = Requirement(raw)
    except InvalidRequirement:
        return None
    return LockedDependency(
        name=canonicalize_name(req.name),
        specifier=str(req.specifier),
        marker=str(req.marker) if req.marker else "",
        extras=tuple(sorted(canonicalize_name(e) for e in req.extras)),
    )


_POETRY_REQ = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?"
    r"\s*(?:\((?P<spec>[^)]*)\))?\s*(?:;\s*(?P<marker>.*))?$"
)


def poetry_requirement(raw: str) -> LockedDependency | None:
    """Poetry's ``Name (>=1,<2) ; marker`` form (also plain PEP 508)."""
    found = _POETRY_REQ.match(raw)
    if not found:
        return requirement(raw)
    spec = pep440(found.group("spec") or "")
    extras = [e.strip() for e in (found.group("extras") or "").split(",") if e.strip()]
    return LockedDependency(
        name=canonicalize_name(found.group("name")),
        specifier=spec,
        marker=(found.group("marker") or "").strip(),
        extras=tuple(sorted(canonicalize_name(e) for e in extras)),
    )


def pep440(spec: str) -> str:
    """A specifier as PEP 440: poetry's caret and tilde forms rewritten (``^0.14.1`` is
    ``>=0.14.1,<0.15.0``); ``""`` for ``*`` and other poetry-only syntax (``||``)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    spec = spec.strip()
    if spec in ("", "*"):
        return ""
    if spec[0].isdigit():
        spec = f"=={spec}"
    try:
        return str(SpecifierSet(",".join(_poetry_part(p.strip()) for p in spec.split(","))))
    except InvalidSpecifier:
        return ""


_POETRY_RANGE = re.compile(r"([\^~])\s*(\d+(?:\.\d+){0,2})")


def _poetry_part(part: str) -> str:
    """One ``^X.Y.Z`` or ``~X.Y.Z`` (not ``~=``) as poetry-core reads it, else ``part``."""
    match = _POETRY_RANGE.fullmatch(part)
    if not match:
        return part
    kind, version = match.groups()
    numbers = [int(n) for n in version.split(".")]
    if kind == "^":
        bump = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
    else:
        bump = 1 if len(numbers) > 1 else 0
    upper = [*numbers[:bump], numbers[bump] + 1]
    return f">={version},<{'.'.join(map(str, upper))}"


_HEX = re.compile(r"[0-9a-f]+")


def locked_wheels(value: object) -> tuple[LockedWheel, ...]:
    """The ``wheels`` array of a uv.lock or pylock.toml package: the entries with an http(s)
    ``url`` (local ``path`` wheels are left out). Hashes come as uv's ``hash =
    "sha256:HEX"`` or pylock's ``hashes = { sha256 = "HEX" }``."""
    out = []
    # a uv.lock lists every wheel of every version (energon's: 2,394 for 159 packages): the
    # common shapes are read without building lists to sort (10 -> ~5 ms for that lock)
    for raw in array(value):
        entry = table(raw)
        url = text_of(entry.get("url")).strip()
        if not url[:8].lower().startswith(("https://", "http://")):
            continue
        algo, _, digest = text_of(entry.get("hash")).lower().partition(":")
        more = entry.get("hashes")
        if more is None:  # uv's one "sha256:HEX"
            hashes: tuple[tuple[str, str], ...] = (
                ((algo, digest),) if algo and _HEX.fullmatch(digest) else ()
            )
        else:
            pairs = [(algo, digest)]
            pairs += [(text_of(a).lower(), text_of(d).lower()) for a, d in table(more).items()]
            hashes = tuple(sorted((a, d) for a, d in pairs if a and _HEX.fullmatch(d)))
        size = entry.get("size")
        out.append(LockedWheel(url, hashes, size if isinstance(size, int) and size > 0 else None))
    return tuple(out)
