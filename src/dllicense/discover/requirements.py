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
from dllicense.paths import inside, reason, resolve
from dllicense.sanitize import excerpt
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
    path: Path, root: Path, scope: str | None = None
) -> tuple[list[Declared], list[Problem], list[str]]:
    """Return (declared, problems, files read) for one requirements file and its includes.

    Every file is read once (a file included twice adds nothing the second time), and
    only inside ``root``: a file or include that leads outside the project (``..``, an
    absolute path, a symbolic link) is a DL012 finding and is not read.
    """
    reader = _Reader(root, scope or scope_for(path))
    reader.read(path, ())
    return reader.declared, reader.problems, reader.files


class _Reader:
    """One requirements file and its includes, each file read once."""

    def __init__(self, root: Path, scope: str) -> None:
        self.root = root
        self.scope = scope
        self.declared: list[Declared] = []
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.done: set[str] = set()

    def _problem(self, label: str, message: str) -> None:
        self.problems.append(Problem("DL012", message, location=Location(label)))

    def read(self, path: Path, stack: tuple[str, ...]) -> None:
        label = _label(path, self.root)
        where = inside(path, self.root)
        if where is None:
            shown = excerpt(label)
            try:
                resolve(path)
            except OSError:
                self._problem(shown, f"cannot read {shown}: symbolic link loop")
                return
            self._problem(shown, f"requirements file {shown} leads outside the project: not read")
            return
        if where in stack:
            self._problem(label, f"requirements file {label} includes itself")
            return
        if where in self.done:
            return  # already read through another include
        self.done.add(where)
        try:
            text = read_text(path)
        except (OSError, ValueError) as exc:
            self._problem(label, f"cannot read {label}: {reason(exc)}")
            return
        self.files.append(label)
        for number, line in logical_lines(text):
            self._line(path, label, number, line, (*stack, where))

    def _line(self, path: Path, label: str, number: int, line: str, stack: tuple[str, ...]) -> None:
        include = INCLUDE.match(line)
        if include:
            target = path.parent / local_file(include.group(2))
            if include.group(1) in ("-c", "--constraint"):
                self.files.append(_label(target, self.root))  # constraints add no roots
                return
            self.read(target, stack)
            return
        editable = EDITABLE.match(line)
        if line.startswith("-") and not editable:
            return  # --index-url, --find-links, --pre, ...: options, no requirement
        line = _OPTION_WITH_VALUE.sub("", " " + line).strip()
        item = parse_line(line, self.scope, Location(label, number), editable=editable is not None)
        if isinstance(item, Problem):
            self.problems.append(item)
        else:
            self.declared.append(item)


def local_file(reference: str) -> str:
    """An include's file: ``file:name`` (a relative ``file:`` URL, read by pip) is ``name``."""
    if reference.lower().startswith("file:") and not reference[5:].startswith("//"):
        return reference[5:]
    return reference


def _label(path: Path, root: Path) -> str:
    """The project-relative path of a file (its name when it is outside)."""
    return inside(path, root) or path.name
