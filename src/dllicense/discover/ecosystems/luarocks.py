"""``*.rockspec``: the ``dependencies`` table."""

from __future__ import annotations

import re

from dllicense.discover.ecosystems.common import (
    Declaration,
    ManifestError,
)
from dllicense.models import Location

LUA_TOKEN = re.compile(
    r"""(?P<comment>--\[(?P<eq>=*)\[.*?\](?P=eq)\]|--[^\n]*)"""
    r"""|(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"""|(?P<long>\[(?P<leq>=*)\[.*?\](?P=leq)\])"""
    r"""|(?P<name>[A-Za-z_]\w*)|(?P<punct>[{}=,;.\[\]()])|(?P<space>\s+)|(?P<other>.)""",
    re.DOTALL,
)


def _lua_string(token: str) -> str:
    if token.startswith("["):
        return re.sub(r"^\[=*\[\n?|\]=*\]$", "", token)
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def read_rockspec(text: str, rel: str) -> list[Declaration]:
    """Strings of the top-level ``dependencies`` table of a rockspec (Lua is never run)."""
    tokens: list[tuple[str, str, int]] = []
    for match in LUA_TOKEN.finditer(text):
        if match["comment"] is not None or match["space"] is not None:
            continue
        if match["string"] is not None or match["long"] is not None:
            kind = "string"
        else:
            kind = "name" if match["name"] is not None else "punct"
        tokens.append((kind, match.group(0), match.start()))
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
            line = text.count("\n", 0, offset) + 1
            note = f"constraint {constraint}" if constraint and not exact else ""
            name = found.group(1).lower()
            location = Location(rel, line)
            out.append(Declaration("luarocks", name, version, raw, location, "luarocks", note))
    raise ManifestError("the dependencies table is not closed")
