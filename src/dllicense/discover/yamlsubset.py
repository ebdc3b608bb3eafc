"""A small YAML subset: enough for model-card front matter and conda ``environment.yml``.

Supported: block mappings and sequences (nested by indentation, ``- key: v``
items), plain, single- and double-quoted scalars, flow sequences and flow
mappings of scalars (``[a, "b"]``, ``{a: 1}``), ``|``/``>`` block scalars and
comments. Every scalar is a string (``null``, ``~`` and empty values are
None). Anchors, aliases, tags and multiple documents are rejected with a
``YamlError`` naming the line; nothing is ever constructed from a tag.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from dllicense.records import frozen

MAX_LINES = 20_000
MAX_DEPTH = 64
# A quoted key; a plain key is found by ``_key`` without a pattern: the former
# ``[^:#]*?\s*:`` backtracked quadratically on a line padded with spaces.
_QUOTED_KEY = re.compile(r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')""")
_NOT_FIRST = frozenset("#'\"{[]&*!|>%@`-")


class _Key(NamedTuple):
    key: str  # as written, without the whitespace before the colon
    end: int  # after the colon and the whitespace that follows it


def _after_colon(text: str, start: int) -> _Key | None:
    """``\\s*:(?:\\s+|$)`` at ``start``: the end of ``key:`` and its whitespace."""
    colon = len(text) - len(text[start:].lstrip())
    if not text.startswith(":", colon):
        return None
    rest = text[colon + 1 :]
    if rest and not rest[0].isspace():
        return None
    return _Key(text[:start], len(text) - len(rest.lstrip()))


def _key(text: str) -> _Key | None:
    """The ``key:`` a line starts with (plain, ``"quoted"`` or ``'quoted'``), else None.

    A plain key starts with none of ``_NOT_FIRST`` nor whitespace (``-x`` is a key,
    ``- x`` an item), holds no ``#`` and ends at its first colon. Linear in the line.
    """
    quoted = _QUOTED_KEY.match(text)
    if quoted:
        return _after_colon(text, quoted.end())
    if not text or text[0].isspace():
        return None
    head = 1
    if text[0] == "-":
        if len(text) < 2 or text[1].isspace() or text[1] in ":#":
            return None
        head = 2
    elif text[0] in _NOT_FIRST:
        return None
    colon = text.find(":", head)
    if colon < 0 or "#" in text[head:colon]:
        return None
    return _after_colon(text, len(text[:colon].rstrip()))


class YamlError(ValueError):
    """Text outside the supported subset, with the (1-based) line it is on."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@frozen
class _Line:
    number: int
    indent: int
    text: str  # without indentation and comment
    raw: str  # the whole line, for block scalars


def parse_yaml(text: str) -> Any:
    """Parse ``text``; an empty document is None."""
    raw_lines = text.splitlines()
    if len(raw_lines) > MAX_LINES:
        raise YamlError(f"more than {MAX_LINES} lines", MAX_LINES)
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        body = raw.lstrip(" ")
        if body.startswith("\t"):
            raise YamlError("tab used for indentation", number)
        content = _strip_comment(body).rstrip()
        if content in ("---", "..."):
            raise YamlError("several documents in one file", number)
        if content.startswith("%"):
            raise YamlError("directives are not supported", number)
        lines.append(_Line(number, len(raw) - len(body), content, raw))
    parser = _Parser(lines)
    return parser.document()


def _strip_comment(text: str) -> str:
    """Drop a ``#`` comment that starts a line or follows a space, outside quotes."""
    quote = ""
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'" and (i == 0 or text[i - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i]
    return text


class _Parser:
    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.pos = 0

    def _next(self) -> _Line | None:
        """The next non-blank line (skipping blanks), without consuming it."""
        while self.pos < len(self.lines) and not self.lines[self.pos].text:
            self.pos += 1
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def document(self) -> Any:
        first = self._next()
        if first is None:
            return None
        value = self._block(first.indent, 0)
        rest = self._next()
        if rest is not None:
            raise YamlError("unexpected indentation", rest.number)
        return value

    def _block(self, indent: int, depth: int) -> Any:
        if depth > MAX_DEPTH:
            line = self._next()
            raise YamlError("nesting too deep", line.number if line else 0)
        line = self._next()
        assert line is not None
        if _is_item(line.text):
            return self._sequence(indent, depth)
        if _key(line.text):
            return self._mapping(indent, depth)
        self.pos += 1
        return self._scalar_lines(line, indent)

    def _sequence(self, indent: int, depth: int) -> list[Any]:
        items: list[Any] = []
        while (line := self._next()) is not None and line.indent == indent and _is_item(line.text):
            rest = line.text[1:]
            stripped = rest.lstrip(" ")
            if not stripped:
                self.pos += 1
                items.append(self._nested(indent, depth, line))
                continue
            # "- key: value" or "- - x": the rest is a block at a deeper, virtual indent
            inner = indent + 1 + len(rest) - len(stripped)
            self.lines[self.pos] = _Line(line.number, inner, stripped, line.raw)
            if _is_item(stripped) or _key(stripped):
                items.append(self._block(inner, depth + 1))
            else:
                self.pos += 1
                items.append(self._value(stripped, line, inner, depth))
        if line is not None and line.indent > indent:
            raise YamlError("unexpected indentation", line.number)
        return items

    def _mapping(self, indent: int, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while (line := self._next()) is not None and line.indent == indent:
            found = _key(line.text)
            if not found or _is_item(line.text):
                raise YamlError(f"expected 'key: value', found {line.text[:40]!r}", line.number)
            key = _unquote(found.key.strip(), line.number)
            if key in out:
                raise YamlError(f"duplicate key {key!r}", line.number)
            self.pos += 1
            rest = line.text[found.end :].strip()
            if rest:
                out[key] = self._value(rest, line, indent, depth)
                continue
            following = self._next()
            if following is not None and following.indent > indent:
                out[key] = self._block(following.indent, depth + 1)
            elif following is not None and following.indent == indent and _is_item(following.text):
                out[key] = self._sequence(indent, depth + 1)
            else:
                out[key] = None
        if line is not None and line.indent > indent:
            raise YamlError("unexpected indentation", line.number)
        return out

    def _nested(self, indent: int, depth: int, line: _Line) -> Any:
        following = self._next()
        if following is not None and following.indent > indent:
            return self._block(following.indent, depth + 1)
        return None

    def _value(self, text: str, line: _Line, indent: int, depth: int) -> Any:
        if text[0] in "&*!":
            raise YamlError("anchors, aliases and tags are not supported", line.number)
        if text[0] in "|>":
            if not re.fullmatch(r"[|>][+-]?\d?", text):
                raise YamlError(f"bad block scalar header {text!r}", line.number)
            return self._block_scalar(text[0] == "|", indent)
        if text[0] == "[":
            return [_scalar(item, line.number) for item in _flow_items(text, "[]", line.number)]
        if text[0] == "{":
            out: dict[str, Any] = {}
            for item in _flow_items(text, "{}", line.number):
                key, sep, value = item.partition(":")
                if not sep:
                    raise YamlError(f"flow mapping item {item!r} has no ':'", line.number)
                out[_unquote(key.strip(), line.number)] = _scalar(value.strip(), line.number)
            return out
        if text[0] in "\"'":
            return _unquote(text, line.number)
        # a plain scalar may continue on more-indented lines
        parts = [text]
        while (more := self._next()) is not None and more.indent > indent:
            if _key(more.text) or _is_item(more.text):
                raise YamlError("unexpected mapping or sequence in a scalar", more.number)
            parts.append(more.text)
            self.pos += 1
        return _scalar(" ".join(parts), line.number)

    def _scalar_lines(self, line: _Line, indent: int) -> Any:
        parts = [line.text]
        while (more := self._next()) is not None and more.indent >= indent:
            parts.append(more.text)
            self.pos += 1
        return _scalar(" ".join(parts), line.number)

    def _block_scalar(self, literal: bool, indent: int) -> str:
        body: list[str] = []
        block_indent: int | None = None
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line.raw.strip() and line.indent <= indent:
                break
            if line.raw.strip():
                block_indent = line.indent if block_indent is None else block_indent
                body.append(line.raw[block_indent:])
            else:
                body.append("")
            self.pos += 1
        while body and not body[-1]:
            body.pop()
        return "\n".join(body) + "\n" if literal else " ".join(b for b in body if b) + "\n"


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _flow_items(text: str, brackets: str, number: int) -> list[str]:
    if not text.endswith(brackets[1]):
        raise YamlError("multi-line or nested flow collections are not supported", number)
    inner = text[1:-1]
    if any(c in inner for c in "[]{}"):
        raise YamlError("nested flow collections are not supported", number)
    items, quote, current = [], "", ""
    for char in inner:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ",":
            items.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        items.append(current.strip())
    return [i for i in items if i]


def _scalar(text: str, number: int) -> str | None:
    text = text.strip()
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text[0] in "\"'":
        return _unquote(text, number)
    if text[0] in "&*!":
        raise YamlError("anchors, aliases and tags are not supported", number)
    return text


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/", "0": "\0", " ": " "}


def _unquote(text: str, number: int) -> str:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        out, i, body = [], 0, text[1:-1]
        while i < len(body):
            char = body[i]
            if char == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                    out.append(chr(int(body[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                if nxt not in _ESCAPES:
                    raise YamlError(f"unsupported escape \\{nxt}", number)
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            out.append(char)
            i += 1
        return "".join(out)
    if text[:1] in "\"'":
        raise YamlError("unterminated quoted scalar", number)
    return text
