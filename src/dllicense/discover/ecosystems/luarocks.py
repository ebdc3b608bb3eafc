"""``*.rockspec``: the ``dependencies`` table."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dllicense.discover.ecosystems.common import (
    Declaration,
    ManifestError,
)
from dllicense.models import Location

# Long brackets ("[==[ ... ]==]", "--[[ ... ]]") are found by ``_tokens`` with
# ``str.find``: a lazy ``\[=*\[.*?\]=*\]`` rescanned the rest of the text from every
# unclosed "[[" (quadratic).
LUA_TOKEN = re.compile(
    r"""(?P<longcomment>--\[(?P<eq>=*)\[)|(?P<comment>--[^\n]*)"""
    r"""|(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"""|(?P<long>\[(?P<leq>=*)\[)"""
    r"""|(?P<name>[A-Za-z_]\w*)|(?P<punct>[{}=,;.\[\]()])|(?P<space>\s+)|(?P<other>.)""",
    re.DOTALL,
)


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of the Lua tokens that matter: string, name, punct.

    An unclosed long comment is a line comment, an unclosed long bracket a ``[``
    (as before); once a level has no closing bracket after some offset, no later
    opening of that level is searched again.
    """
    unclosed: dict[int, int] = {}  # level -> offset from which its closing is missing
    at = 0
    while at < len(text):
        match = LUA_TOKEN.match(text, at)
        assert match is not None  # (?P<other>.) matches any character
        opened = "longcomment" if match["longcomment"] is not None else ""
        opened = opened or ("long" if match["long"] is not None else "")
        if opened:
            level = len(match["eq"] if opened == "longcomment" else match["leq"])
            close = -1
            if unclosed.get(level, len(text) + 1) > match.end():
                close = text.find("]" + "=" * level + "]", match.end())
                if close < 0:
                    unclosed[level] = match.end()
            if close >= 0:
                end = close + level + 2
                if opened == "long":
                    yield "string", text[match.start() : end], match.start()
                at = end
                continue
            if opened == "longcomment":
                at = text.find("\n", at)
                at = len(text) if at < 0 else at
                continue
            yield "punct", "[", match.start()
            at = match.start() + 1
            continue
        if match["string"] is not None:
            yield "string", match.group(0), match.start()
        elif match["name"] is not None:
            yield "name", match.group(0), match.start()
        elif match["punct"] is not None or match["other"] is not None:
            yield "punct", match.group(0), match.start()
        at = match.end()


def _lua_string(token: str) -> str:
    if token.startswith("["):
        return re.sub(r"^\[=*\[\n?|\]=*\]$", "", token)
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def read_rockspec(text: str, rel: str) -> list[Declaration]:
    """Strings of the top-level ``dependencies`` table of a rockspec (Lua is never run)."""
    tokens = list(_tokens(text))
    for index, (kind, value, _) in enumerate(tokens[:-2]):
        if (
            kind == "name"
            and value == "dependencies"
            and tokens[index + 1][1] == "="
            and tokens[index + 2][1] == "{"
            and (index == 0 or tokens[index - 1][1] not in (".", ":"))
        ):
            return _rock_dependencies(tokens[index + 3 :], text, rel)
    raise ManifestError("no top-level 'dependencies = { ... }' table")


def _rock_dependencies(
    tokens: list[tuple[str, str, int]], text: str, rel: str
) -> list[Declaration]:
    out: list[Declaration] = []
    depth = 1
    seen, line = 0, 1  # offsets only grow: lines are counted once
    for kind, value, offset in tokens:
        if value == "{" and kind != "string":
            depth += 1
        elif value == "}" and kind != "string":
            depth -= 1
            if depth == 0:
                return out
        elif kind == "string":
            raw = _lua_string(value).strip()
            found = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", raw)
            if not found or found.group(1).lower() == "lua":
                continue
            constraint = found.group(2).strip()
            exact = re.fullmatch(r"(?:==\s*)?([0-9][\w.\-]*)", constraint)
            version = exact.group(1) if exact else ""
            line += text.count("\n", seen, offset)
            seen = offset
            note = f"constraint {constraint}" if constraint and not exact else ""
            name = found.group(1).lower()
            location = Location(rel, line)
            out.append(Declaration("luarocks", name, version, raw, location, "luarocks", note))
    raise ManifestError("the dependencies table is not closed")
