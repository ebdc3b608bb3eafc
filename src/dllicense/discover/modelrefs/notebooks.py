"""The units of a source file (a module, or a notebook's code cells), parsed with ``ast``."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator

from dllicense.models import Location, Problem
from dllicense.parsing import parse_json


def units(rel: str, data: bytes, problems: list[Problem]) -> Iterator[tuple[int, bytes]]:
    """(cell number, source) pairs: one unit for a .py file (cell 0), one per notebook code cell."""
    if not rel.endswith(".ipynb"):
        yield 0, data
        return
    try:
        notebook = parse_json(data.decode("utf-8"))
        cells = notebook["cells"] if isinstance(notebook, dict) else None
        if not isinstance(cells, list):
            raise ValueError("no 'cells' list")
    except (ValueError, KeyError, UnicodeDecodeError) as error:
        problems.append(Problem("DL061", f"not a notebook ({error})", location=Location(rel)))
        return
    number = 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        # IPython magics and shell escapes are not Python: blank them, keep line numbers
        lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in text.split("\n")]
        yield number, "\n".join(lines).encode("utf-8")


def parse(rel: str, cell: int, source: bytes, problems: list[Problem]) -> ast.Module | None:
    where = f"notebook cell {cell}: " if cell else ""
    try:
        with warnings.catch_warnings():  # invalid escapes in the scanned code are not ours
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=rel)
    except SyntaxError as error:
        newer = _newer_syntax(rel, source)
        if newer is not None:
            return newer
        problems.append(
            Problem(
                "DL061",
                f"{where}syntax error, not analysed: {error.msg}",
                location=Location(rel, error.lineno),
            )
        )
    except (ValueError, RecursionError, MemoryError) as error:
        problems.append(
            Problem(
                "DL061",
                f"{where}cannot be parsed, not analysed: {type(error).__name__}",
                location=Location(rel),
            )
        )
    return None


def _newer_syntax(rel: str, source: bytes) -> ast.Module | None:
    """The module parsed after rewriting Python 3.12 type syntax, or None."""
    from dllicense.discover.newsyntax import downgrade

    try:
        text, changes = downgrade(source.decode("utf-8"))
        return ast.parse(text, filename=rel) if changes else None
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return None
