"""Read code written for a newer Python than the one dllicense runs on.

The ``ast`` module parses only its own interpreter's grammar. Python 3.12's
PEP 695 syntax (``type Alias = ...``, ``class C[T]:``, ``def f[T](...)``)
tokenizes fine on older interpreters, so it is rewritten at token level into
the equivalent older form (``Alias = ...``; the type parameter list dropped),
keeping every line where it was: call sites keep their line numbers. The
rewrite is used only when the original does not parse.
"""

from __future__ import annotations

import io
import tokenize

_SOFT = ("type",)


def downgrade(source: str) -> tuple[str, int]:
    """(rewritten source, number of rewrites); (source, 0) when nothing applies."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return source, 0
    edits: list[tuple[int, int, int]] = []  # (line, start col, end col) removed, one line each
    start_of_statement = True
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            start_of_statement
            and tok.type == tokenize.NAME
            and tok.string in _SOFT
            and nxt is not None
            and nxt.type == tokenize.NAME
            and nxt.start[0] == tok.start[0]
        ):
            edits.append((tok.start[0], tok.start[1], nxt.start[1]))  # "type " before the name
            span = _brackets(tokens, i + 2)
            if span is not None:
                edits.append(span)
        elif (
            tok.type == tokenize.NAME
            and tok.string in ("class", "def")
            and nxt is not None
            and nxt.type == tokenize.NAME
        ):
            span = _brackets(tokens, i + 2)
            if span is not None:
                edits.append(span)
        start_of_statement = tok.type in (
            tokenize.NEWLINE,
            tokenize.NL,
            tokenize.INDENT,
            tokenize.DEDENT,
        ) or (tok.type == tokenize.OP and tok.string == ";")
    if not edits:
        return source, 0
    lines = source.splitlines(keepends=True)
    for line, begin, end in sorted(edits, reverse=True):
        text = lines[line - 1]
        lines[line - 1] = text[:begin] + text[end:]
    return "".join(lines), len(edits)


def _brackets(tokens: list[tokenize.TokenInfo], index: int) -> tuple[int, int, int] | None:
    """The ``[...]`` type parameter list starting at ``tokens[index]``, if on one line."""
    if index >= len(tokens) or tokens[index].string != "[":
        return None
    depth = 0
    for tok in tokens[index:]:
        if tok.string in "([{" and tok.type == tokenize.OP:
            depth += 1
        elif tok.string in ")]}" and tok.type == tokenize.OP:
            depth -= 1
            if depth == 0:
                first = tokens[index]
                if tok.end[0] != first.start[0]:
                    return None
                return first.start[0], first.start[1], tok.end[1]
    return None
