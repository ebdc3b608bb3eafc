"""Declared dependencies of pip requirements files, read without running pip.

Handles ``-r``/``-c`` includes (with loop detection), line continuations,
comments, ``--hash`` and other per-line options, environment markers,
editable and URL lines (reported, never executed or fetched).
"""

from __future__ import annotations

import re
from pathlib import Path

from dllicense.discover.declared import parse_line
from dllicense.models import Declared, Location, Problem
from dllicense.tomlfile import read_text

INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")
EDITABLE = re.compile(r"^(-e|--editable)(?:\s+|=)(\S+)")
_OPTION_WITH_VALUE = re.compile(r"\s--(hash|config-settings|global-option)(?:=|\s+)\S+")
_RUNTIME_NAMES = ("requirements", "base", "prod", "production", "main", "runtime", "install")


def scope_for(path: Path) -> str:
    """``requirements.txt`` is runtime; ``requirements-test.txt`` is ``group:test``."""
    stem = path.stem.lower()
    for prefix in ("requirements-", "requirements_", "requirements."):
        stem = stem.removeprefix(prefix)
    for suffix in ("-requirements", "_requirements"):
        stem = stem.removesuffix(suffix)
    return "runtime" if stem in _RUNTIME_NAMES else f"group:{stem}"


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Join ``\\``-continued lines and drop comments; yields (first line number, content)."""
    out: list[tuple[int, str]] = []
    buffer = ""
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        buffer += line
        content = re.sub(r"(^|\s)#.*$", "", buffer).strip()
        buffer = ""
        if content:
            out.append((start, content))
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def read_requirements(
    path: Path, root: Path, scope: str | None = None, _stack: tuple[Path, ...] = ()
) -> tuple[list[Declared], list[Problem], list[str]]:
    """Return (declared, problems, files read) for one requirements file and its includes."""
    label = _label(path, root)
    scope = scope or scope_for(path)
    resolved = path.resolve()
    if resolved in _stack:
        return (
            [],
            [
                Problem(
                    "DL012", f"requirements file {label} includes itself", location=Location(label)
                )
            ],
            [],
        )
    try:
        text = read_text(path)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return (
            [],
            [Problem("DL012", f"cannot read {label}: {reason}", location=Location(label))],
            [],
        )
    declared: list[Declared] = []
    problems: list[Problem] = []
    files = [label]
    for number, line in logical_lines(text):
        location = Location(label, number)
        include = INCLUDE.match(line)
        if include:
            target = path.parent / local_file(include.group(2))
            if include.group(1) in ("-c", "--constraint"):
                files.append(_label(target, root))  # constraints pin versions, they add no roots
                continue
            more, more_problems, more_files = read_requirements(
                target, root, scope, (*_stack, resolved)
            )
            declared += more
            problems += more_problems
            files += more_files
            continue
        editable = EDITABLE.match(line)
        if line.startswith("-") and not editable:
            continue  # --index-url, --find-links, --pre, ...: options, no requirement
        line = _OPTION_WITH_VALUE.sub("", " " + line).strip()
        item = parse_line(line, scope, location, editable=editable is not None)
        if isinstance(item, Problem):
            problems.append(item)
        else:
            declared.append(item)
    return declared, problems, files


def local_file(reference: str) -> str:
    """An include's file: ``file:name`` (a relative ``file:`` URL, read by pip) is ``name``."""
    if reference.lower().startswith("file:") and not reference[5:].startswith("//"):
        return reference[5:]
    return reference


def _label(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name
