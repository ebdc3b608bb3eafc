"""Reading TOML with errors that name file and line."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from dllicense.readfile import read_bounded

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError
MAX_BYTES = 20 * 1024 * 1024

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def read_text(path: Path, limit: int = MAX_BYTES) -> str:
    """Read a text file with a size bound; undecodable bytes are replaced."""
    data, size = read_bounded(path, limit)
    if size > limit:
        raise ValueError(f"{path.name} is larger than {limit // (1024 * 1024)} MB")
    return data.decode("utf-8", errors="replace")


def parse_toml(text: str) -> dict[str, Any]:
    """Parse TOML text; raises ``TOMLDecodeError``."""
    return tomllib.loads(text)


def error_line(exc: Exception, text: str = "") -> int | None:
    """The line number a ``TOMLDecodeError`` points at (the last line for "end of document")."""
    found = _AT_LINE.search(str(exc))
    if found:
        return int(found.group(1))
    if "end of document" in str(exc) and text:
        return len(text.splitlines()) or 1
    return None


def describe_error(exc: Exception) -> str:
    """A TOML error message without the trailing position (reported separately)."""
    return _AT_LINE.sub("", str(exc)).replace(" (at end of document)", "").strip()


def line_of(text: str, needle: str, start: int = 1) -> int | None:
    """First line (1-based, at or after ``start``) that contains ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and needle in line:
            return number
    return None
