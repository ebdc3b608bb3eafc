"""Reading TOML with errors that name file and line.

A large text (a lock) is parsed by ``tomli``, whose compiled wheels read it about three
times as fast as ``tomllib`` (the same parser, pure Python; outlines' 800 KB uv.lock:
35 ms against 106 ms); a small one (pyproject.toml, a policy) by ``tomllib``, already
imported, so a scan with no lock does not pay tomli's import (3-7 ms). Each parser is
asked again when the other rejects a text: ``tomli`` 2.4 and later also read TOML 1.1
(as ``tomllib`` does from Python 3.15), and a text both reject is reported with the
standard library's message and line.
"""

from __future__ import annotations

import bisect
import re
import sys
from pathlib import Path
from typing import Any

from dllicense import readfile
from dllicense.parsing import TOO_DEEP
from dllicense.preparsed import preparsed

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOMLDecodeError = tomllib.TOMLDecodeError
MAX_BYTES = 20 * 1024 * 1024
LARGE = 64 * 1024  # characters: from here on tomli first (its import pays for itself)

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def read_text(path: Path, limit: int = MAX_BYTES) -> str:
    """Read a regular text file with a size bound (``ValueError`` past it); undecodable
    bytes are replaced."""
    return readfile.read_text(path, limit)


def parse_toml(text: str) -> dict[str, Any]:
    """Parse TOML text; raises ``TOMLDecodeError`` (also for too deep nesting).

    A shipped data file's text is answered from its stored parse (``preparsed``)."""
    stored = preparsed(text)
    if stored is not None:
        return stored
    if len(text) >= LARGE:
        found = _by_tomli(text)
        if found is not None:
            return found
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise TOMLDecodeError(f"TOML {TOO_DEEP}") from None
    except TOMLDecodeError:
        found = _by_tomli(text) if len(text) < LARGE else None  # TOML 1.1, say
        if found is None:
            raise
        return found


def _by_tomli(text: str) -> dict[str, Any] | None:
    """``text`` parsed by tomli, None if it rejects it."""
    import tomli

    try:
        return tomli.loads(text)
    except (tomli.TOMLDecodeError, RecursionError):
        return None


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
    """First line (1-based, at or after ``start``) that contains ``needle``.

    One lookup; a reader that looks up many needles in one text uses ``lines_of``.
    """
    return lines_of(text).find(needle, start)


_WORD = re.compile(r"[A-Za-z0-9_]+")
_INDEXES: dict[int, tuple[str, Lines]] = {}


def lines_of(text: str) -> Lines:
    """The ``Lines`` index of ``text``, built once per text (the last few are kept)."""
    key = id(text)
    kept = _INDEXES.get(key)
    if kept is not None and kept[0] is text:
        return kept[1]
    index = Lines(text)
    if len(_INDEXES) >= 2:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[key] = (text, index)
    return index


class Lines:
    """Lines of a text indexed once: a lookup costs the lines that hold its rarest word.

    ``find`` answers as a scan of the lines would (the first line at or after ``start``
    containing the needle). A line that contains the needle contains each word of the
    needle that does not touch the needle's ends, so only the lines holding the rarest
    such word are checked; a needle without one is found with ``str.find``.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self._words: dict[str, list[int]] | None = None

    def _index(self) -> dict[str, list[int]]:
        if self._words is None:
            words: dict[str, list[int]] = {}
            for number, line in enumerate(self.lines, start=1):
                for word in set(_WORD.findall(line)):
                    words.setdefault(word, []).append(number)
            self._words = words
        return self._words

    def find(self, needle: str, start: int = 1) -> int | None:
        """First line (1-based, at or after ``start``) that contains ``needle``."""
        inner = [
            m.group() for m in _WORD.finditer(needle) if m.start() > 0 and m.end() < len(needle)
        ]
        if not inner or "\n" in needle or "\r" in needle:
            return self._scan(needle, start)
        index = self._index()
        candidates = min((index.get(word, []) for word in inner), key=len)
        first = bisect.bisect_left(candidates, start)
        for number in candidates[first:]:
            if needle in self.lines[number - 1]:
                return number
        return None

    def _scan(self, needle: str, start: int) -> int | None:
        for number in range(max(start, 1), len(self.lines) + 1):
            if needle in self.lines[number - 1]:
                return number
        return None
