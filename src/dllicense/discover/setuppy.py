"""``setup.py``'s ``install_requires`` / ``extras_require``, read with ``ast`` (never run).

Only literals are read: strings, lists and tuples of strings, dicts of those, names bound
once at module level to such a literal, and ``+`` concatenations of them. Anything else
(a function call reading ``requirements.txt``, a comprehension, a subscript) is a DL013
finding with the line; nothing is guessed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from dllicense.models import Location, Problem
from dllicense.tomlfile import read_text

FIELDS = ("install_requires", "extras_require")
_AMBIGUOUS = ast.Pass()  # a module-level name bound more than once


class NotLiteral(Exception):
    """An expression that cannot be read without running the code."""

    def __init__(self, node: ast.AST, what: str) -> None:
        super().__init__(what)
        self.line = getattr(node, "lineno", None)
        self.what = what


@dataclass
class SetupPy:
    """What ``setup()`` declares: requirement strings with their lines, per field."""

    name: str = ""
    install_requires: list[tuple[str, int]] | None = None  # None: keyword not given
    extras_require: dict[str, list[tuple[str, int]]] | None = None
    given: set[str] = field(default_factory=set)  # FIELDS given, literal or not
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (field or "", problem)
    # install_requires that only reads these files (``reads_files``); its DL013 is the first
    # problem of field "install_requires"
    reads: tuple[str, ...] = ()


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        return f"a call of {ast.unparse(node.func)}()"
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
        return "a comprehension"
    if isinstance(node, ast.Name):
        return f"the name {node.id}, not bound to a literal at module level"
    return f"the expression {type(node).__name__.lower()}"


class _Reader:
    def __init__(self, tree: ast.Module) -> None:
        self.names: dict[str, ast.AST] = {}
        for statement in tree.body:
            targets: list[ast.expr] = []
            value: ast.AST | None = None
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            elif isinstance(statement, ast.AugAssign):
                targets, value = [statement.target], _AMBIGUOUS
            for target in targets:
                if isinstance(target, ast.Name) and value is not None:
                    known = target.id in self.names
                    self.names[target.id] = _AMBIGUOUS if known else value
                elif isinstance(target, (ast.Tuple, ast.List)):
                    for element in target.elts:
                        if isinstance(element, ast.Name):
                            self.names[element.id] = _AMBIGUOUS

    def value(self, node: ast.AST, seen: tuple[str, ...] = ()) -> object:
        """The literal value of ``node``: str, list of (str, line) or dict; else NotLiteral."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [(node.value, node.lineno)]
        if isinstance(node, (ast.List, ast.Tuple)):
            out: list[tuple[str, int]] = []
            for element in node.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    out.append((element.value, element.lineno))
                else:
                    raise NotLiteral(element, _describe(element))
            return out
        if isinstance(node, ast.Dict):
            table: dict[str, object] = {}
            for key, item in zip(node.keys, node.values, strict=True):
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    raise NotLiteral(item if key is None else key, "a key that is not a string")
                table[key.value] = item
            return table
        if isinstance(node, ast.Name):
            bound = self.names.get(node.id)
            if bound is None or bound is _AMBIGUOUS or node.id in seen:
                raise NotLiteral(node, _describe(node))
            try:
                return self.value(bound, (*seen, node.id))
            except NotLiteral as error:
                raise NotLiteral(
                    node, f"{node.id}, bound at line {error.line} to {error.what}"
                ) from error
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left, seen), self.value(node.right, seen)
            if isinstance(left, list) and isinstance(right, list):
                return left + right
        raise NotLiteral(node, _describe(node))


def _requirements(reader: _Reader, node: ast.AST) -> list[tuple[str, int]]:
    found = reader.value(node)
    if not isinstance(found, list):
        raise NotLiteral(node, "not a list of requirement strings")
    out = []
    for text, line in found:
        for offset, part in enumerate(text.splitlines()):  # a string may hold several lines
            part = part.split(" #", 1)[0].strip()
            if part and not part.startswith("#"):
                out.append((part, line + offset))
    return out


def _is_setup(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def read_setup_py(path: Path, label: str) -> SetupPy:
    """Read the ``setup()`` call(s) of one ``setup.py``; problems are DL013 findings."""
    result = SetupPy()
    try:
        tree = ast.parse(read_text(path), filename=label)
    except (OSError, ValueError, SyntaxError, RecursionError, MemoryError) as error:
        line = error.lineno if isinstance(error, SyntaxError) else None
        reason = error.msg if isinstance(error, SyntaxError) else str(error) or "too deep"
        problem = Problem(
            "DL013", f"{label}: cannot be parsed ({reason})", location=Location(label, line)
        )
        result.problems.append(("", problem))
        return result
    try:
        _read_calls(tree, result, label)
    except RecursionError:  # an absurdly nested literal: not read, said so
        problem = Problem(
            "DL013", f"{label}: nested too deeply to be read", location=Location(label)
        )
        result.problems.append(("", problem))
    return result


def _read_calls(tree: ast.Module, result: SetupPy, label: str) -> None:
    reader = _Reader(tree)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_setup(n)]
    for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        for spread in (k.value for k in call.keywords if k.arg is None):
            try:
                table = reader.value(spread)
            except NotLiteral as error:
                _not_literal(result, label, "setup(**...)", error, "")
                continue
            if isinstance(table, dict):
                keywords = {**table, **keywords}
        name = keywords.get("name")
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            result.name = result.name or name.value
        result.given |= {f for f in FIELDS if f in keywords}
        if "install_requires" in keywords:
            result.install_requires = result.install_requires or []
            try:
                result.install_requires += _requirements(reader, keywords["install_requires"])
            except NotLiteral as error:
                _not_literal(result, label, "install_requires", error, "install_requires")
                result.reads = reads_files(reader, keywords["install_requires"])
        if "extras_require" in keywords:
            _extras(reader, keywords["extras_require"], result, label)


_READING = frozenset({"open", "read", "read_text", "readlines", "splitlines", "parse_requirements"})
# what else such a reading calls: paths, string methods, str() of a parsed requirement
_PLAIN = frozenset(
    {"Path", "join", "dirname", "abspath", "str", "list", "strip", "rstrip", "lstrip", "split"}
    | {"startswith", "endswith", "replace", "lower"}
)


def reads_files(reader: _Reader, node: ast.AST) -> tuple[str, ...]:
    """The ``.txt`` files an expression reads, when reading them is all it does
    (audiocraft's ``REQUIRED``: the stripped lines of ``HERE / 'requirements.txt'``, opened
    in a comprehension), through names bound once at module level. Nothing for an expression that
    also adds literals (``READ + ['torch']``) or calls something it does not show (a
    function of the setup.py)."""
    seen: set[str] = set()
    while isinstance(node, ast.Name) and node.id not in seen:
        seen.add(node.id)
        bound = reader.names.get(node.id)
        if bound is None or bound is _AMBIGUOUS:
            return ()
        node = bound
    if not isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.Call)):
        return ()
    calls = [n.func for n in ast.walk(node) if isinstance(n, ast.Call)]
    called = {f.id if isinstance(f, ast.Name) else getattr(f, "attr", "") for f in calls}
    if not called & _READING or not called <= _READING | _PLAIN:
        return ()
    files = [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.endswith(".txt")
    ]
    return tuple(dict.fromkeys(files))


def _extras(reader: _Reader, node: ast.AST, result: SetupPy, label: str) -> None:
    result.extras_require = result.extras_require if result.extras_require is not None else {}
    try:
        table = reader.value(node)
        if not isinstance(table, dict):
            raise NotLiteral(node, "not a dict of extras")
    except NotLiteral as error:
        _not_literal(result, label, "extras_require", error, "extras_require")
        return
    for extra, value in table.items():
        try:
            found = _requirements(reader, value)
        except NotLiteral as error:
            _not_literal(result, label, f"extras_require[{extra!r}]", error, "extras_require")
            continue
        result.extras_require.setdefault(extra, []).extend(found)


def _not_literal(
    result: SetupPy, label: str, keyword: str, error: NotLiteral, field_name: str
) -> None:
    problem = Problem(
        "DL013",
        f"{label}: {keyword} of setup() is {error.what}: its requirements could not be "
        "read statically (setup.py is never run); declare them in pyproject.toml "
        "[project] or list them in a requirements file",
        location=Location(label, error.line),
    )
    result.problems.append((field_name, problem))
