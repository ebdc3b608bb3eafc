"""Where a key of a TOML file is: its line, found from the file's own text.

``tomllib`` gives values, not positions. This reads the text once, line by
line, tracking ``[table]`` and ``[[array]]`` headers (counting the tables of
each array), and records the line of each ``key =`` in each table. A key path
such as ``("exceptions", 1, "expires")`` is the ``expires`` key in the second
``[[exceptions]]`` table. Inline tables and multi-line values are not entered:
a key there is found at its enclosing key's line, which is still the right
neighbourhood for a message.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.|=)""")

Path = tuple[str | int, ...]


class TomlLines:
    """Lines of the keys of one TOML text, under an optional table ``prefix`` (``tool.x``)."""

    def __init__(self, text: str, prefix: str = "") -> None:
        self.lines = text.splitlines()
        self.prefix = tuple(p for p in prefix.split(".") if p)
        self.keys: dict[Path, int] = {}
        self.spans: dict[Path, tuple[int, int]] = {}  # a table: (header line, last line)
        counts: dict[tuple[str, ...], int] = {}
        table: Path = ()
        start = 0
        for number, line in enumerate(self.lines, start=1):
            header = _HEADER.match(line)
            if header:
                self.spans.setdefault(table, (start, number - 1))
                name = tuple(_unquote(p) for p in header.group(2).split("."))
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                    table = (*name, index)
                else:
                    table = name
                start = number
                self.keys.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self.keys.setdefault((*table, _unquote(key.group(1))), number)
        self.spans.setdefault(table, (start, len(self.lines)))

    def line(self, path: Path, value: str = "") -> int | None:
        """The line of ``path`` (or of the nearest enclosing key or table that has one); with
        ``value``, the line in that key's span that holds ``value`` (an array entry)."""
        full: Path = (*self.prefix, *path)
        for end in range(len(full), 0, -1):
            found = self.keys.get(full[:end])
            if found is not None:
                return self._value_line(found, value) if value and end == len(full) else found
        return None

    def _value_line(self, start: int, value: str) -> int:
        quoted = (f'"{value}"', f"'{value}'")
        for number in range(start, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number > start and (_HEADER.match(text) or _KEY.match(text)):
                break
            if any(q in text for q in quoted):
                return number
        return start


def key_path(path: Path) -> str:
    """``("exceptions", 1, "expires")`` -> ``exceptions[1].expires``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _unquote(part: str) -> str:
    part = part.strip()
    return part[1:-1] if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'" else part
