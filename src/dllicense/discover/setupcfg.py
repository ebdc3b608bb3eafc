"""``setup.cfg``'s ``[options] install_requires`` and ``[options.extras_require]``.

Read with ``configparser`` the way setuptools reads them: a multi-line value is one
requirement per line, a one-line value is split on ``;``, ``#`` lines are comments, and
``file: a.txt, b.txt`` names requirements files of the project (read with the
requirements-file reader).
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from pathlib import Path

from dllicense.models import Location, Problem
from dllicense.tomlfile import line_of, read_text


@dataclass
class SetupCfg:
    """Requirement strings with their lines, and ``file:`` references, per field."""

    name: str = ""
    install_requires: list[tuple[str, int]] | None = None  # None: option not given
    extras_require: dict[str, list[tuple[str, int]]] | None = None
    files: dict[str, list[str]] = field(default_factory=dict)  # scope -> files named by file:
    problems: list[Problem] = field(default_factory=list)


def _split(value: str, text: str, start: int) -> tuple[list[tuple[str, int]], list[str]]:
    """(requirements with lines, files of a ``file:`` directive) of one option value."""
    value = value.strip()
    if value.startswith("file:"):
        return [], [f.strip() for f in value[5:].split(",") if f.strip()]
    parts = value.splitlines() if "\n" in value else value.split(";")
    out = []
    for part in parts:
        part = part.strip()
        if part and not part.startswith("#"):
            out.append((part, line_of(text, part, start) or start))
    return out, []


def read_setup_cfg(path: Path, label: str) -> SetupCfg:
    """Read one ``setup.cfg``; an unreadable file is a DL013 finding."""
    result = SetupCfg()
    text = ""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keep extra names
    try:
        text = read_text(path)
        parser.read_string(text, source=label)
    except (OSError, ValueError, configparser.Error) as error:
        line = getattr(error, "lineno", None)
        message = str(error).splitlines()[0]
        result.problems.append(
            Problem("DL013", f"{label}: cannot be read ({message})", location=Location(label, line))
        )
        return result
    if parser.has_option("metadata", "name"):
        result.name = parser.get("metadata", "name").strip()
    if parser.has_option("options", "install_requires"):
        start = line_of(text, "[options]") or 1
        found, files = _split(parser.get("options", "install_requires"), text, start)
        result.install_requires = found
        if files:
            result.files["runtime"] = files
    if parser.has_section("options.extras_require"):
        start = line_of(text, "[options.extras_require]") or 1
        result.extras_require = {}
        for extra, value in parser.items("options.extras_require"):
            found, files = _split(value, text, start)
            result.extras_require[extra] = found
            if files:
                result.files[f"extra:{extra}"] = files
    return result
