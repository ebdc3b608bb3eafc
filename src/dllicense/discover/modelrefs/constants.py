"""Constant tracking: scopes, what their names are bound to, and the string values an
expression can take over those bindings (``Resolver``)."""

from __future__ import annotations

import ast
import itertools
import re
import string
from dataclasses import dataclass, field

from dllicense.discover.loaders import ClassDef
from dllicense.records import frozen

MAX_VALUES = 16  # candidate strings per argument
MAX_DEPTH = 40  # resolution depth (constant chains)
STRING_CALLS = frozenset({"str", "os.getenv", "os.environ.get", "os.path.join", "posixpath.join"})


@dataclass
class Binding:
    kind: str  # "value", "iter" (a for-loop target), "param" (default value), "dynamic"
    expr: ast.expr | None
    scope: Scope
    note: str = ""


@dataclass(eq=False)
class Scope:
    kind: str  # module, class, function
    parent: Scope | None
    cls: Scope | None = None  # for methods: the class scope (self.x / cls.x)
    name: str = ""  # class scopes: the class name
    func: ast.AST | None = None  # function scopes: the function
    indexed: ClassDef | None = None  # class scopes: the class in the project index
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)

    def bind(self, name: str, binding: Binding) -> None:
        target = self.module() if name in self.globals else self
        target.bindings.setdefault(name, []).append(binding)

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


@frozen
class Values:
    values: tuple[str, ...]
    notes: tuple[str, ...] = ()


class Unresolved(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def product(parts: list[Values], join: str = "") -> Values:
    combos = list(itertools.islice(itertools.product(*(p.values for p in parts)), MAX_VALUES + 1))
    if len(combos) > MAX_VALUES:
        raise Unresolved(f"more than {MAX_VALUES} possible values")
    notes = tuple(dict.fromkeys(n for p in parts for n in p.notes))
    return Values(tuple(dict.fromkeys(join.join(c) for c in combos)), notes)


def notes(parts: list[Values]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for p in parts for n in p.notes))


def union(parts: list[Values]) -> Values:
    values = tuple(dict.fromkeys(v for p in parts for v in p.values))
    if len(values) > MAX_VALUES:
        raise Unresolved(f"more than {MAX_VALUES} possible values")
    return Values(values, tuple(dict.fromkeys(n for p in parts for n in p.notes)))


def short(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):
        text = type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _none_default(binding: Binding) -> bool:
    """A parameter whose default is ``None``."""
    expr = binding.expr
    return binding.kind == "param" and isinstance(expr, ast.Constant) and expr.value is None


class Resolver:
    """Evaluates string-valued expressions over the bindings of the scopes."""

    def __init__(self, imports: dict[str, str]) -> None:
        self.imports = imports
        self.active: set[int] = set()
        self.memo: dict[
            tuple[int, int, int, bool], tuple[ast.expr, Scope, Values | Unresolved]
        ] = {}
        self.formatting = 0  # > 0 inside f-strings and str(): numbers become text

    def qualified(self, node: ast.expr) -> str:
        """The dotted name of ``node`` with its first part mapped through the imports."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return ""
        first = self.imports.get(node.id, node.id)
        return ".".join([first, *reversed(parts)])

    def values(self, node: ast.expr, scope: Scope, depth: int = 0) -> Values:
        """The values of ``node`` in ``scope``, each (node, scope, depth, formatting)
        resolved once: a constant used many times (``b = a + a; c = b + b; ...``) is not
        resolved again at each use (which doubled the work per line)."""
        if depth > MAX_DEPTH:
            raise Unresolved("constant chain too long")
        key = id(node)
        if key in self.active:
            raise Unresolved("circular definition")
        memo = (key, id(scope), depth, self.formatting > 0)
        kept = self.memo.get(memo)
        if kept is not None and kept[0] is node and kept[1] is scope:
            if isinstance(kept[2], Unresolved):
                raise Unresolved(kept[2].why)
            return kept[2]
        self.active.add(key)
        try:
            found = self._values(node, scope, depth + 1)
        except Unresolved as error:
            self.memo[memo] = (node, scope, error)  # the node is kept: its id is not reused
            raise
        finally:
            self.active.discard(key)
        self.memo[memo] = (node, scope, found)
        return found

    def _values(self, node: ast.expr, scope: Scope, depth: int) -> Values:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Values((node.value,))
            number = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
            if number and self.formatting:
                return Values((str(node.value),))
            raise Unresolved(f"{short(node)} is not a string")
        if isinstance(node, ast.JoinedStr):
            return product([self._fstring_part(p, scope, depth) for p in node.values])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return product(
                [self.values(node.left, scope, depth), self.values(node.right, scope, depth)]
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self._percent(node, scope, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [self.values(node.left, scope, depth), self.values(node.right, scope, depth)]
            return product(parts, "/")
        if isinstance(node, ast.IfExp):
            return union(
                [self.values(node.body, scope, depth), self.values(node.orelse, scope, depth)]
            )
        if isinstance(node, ast.Name):
            return self._name(node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, depth)
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        raise Unresolved(f"{short(node)} is not a constant")

    def _fstring_part(self, part: ast.expr, scope: Scope, depth: int) -> Values:
        if isinstance(part, ast.Constant):
            return Values((str(part.value),))
        if (
            isinstance(part, ast.FormattedValue)
            and part.format_spec is None
            and part.conversion in (-1, ord("s"))
        ):
            return self._formatted(part.value, scope, depth)
        raise Unresolved(f"f-string part {short(part)} is not a constant")

    def _formatted(self, node: ast.expr, scope: Scope, depth: int) -> Values:
        self.formatting += 1
        try:
            return self.values(node, scope, depth)
        finally:
            self.formatting -= 1

    def _percent(self, node: ast.BinOp, scope: Scope, depth: int) -> Values:
        template = self.values(node.left, scope, depth)
        right = node.right
        args = right.elts if isinstance(right, ast.Tuple) else [right]
        parts = [self.values(a, scope, depth) for a in args]
        out = []
        for fmt in template.values:
            if re.search(r"%[^s%]", fmt):
                raise Unresolved(f"format {fmt!r} is not %s-only")
            for combo in product(parts, "\0").values:
                try:
                    out.append(fmt % tuple(combo.split("\0")))
                except (TypeError, ValueError) as error:
                    raise Unresolved(f"format {fmt!r}: {error}") from error
        return Values(tuple(dict.fromkeys(out)), notes([template, *parts]))

    def _path(self, call: ast.Call, scope: Scope, depth: int) -> Values:
        if call.keywords or not call.args:
            raise Unresolved(f"{short(call)} is not a constant")
        return product([self.values(a, scope, depth) for a in call.args], "/")

    def _call(self, call: ast.Call, scope: Scope, depth: int) -> Values:
        name = self.qualified(call.func)
        func = call.func
        if name in ("os.getenv", "os.environ.get") and call.args:
            variable = call.args[0]
            label = str(variable.value) if isinstance(variable, ast.Constant) else short(variable)
            default = call.args[1] if len(call.args) > 1 else None
            default = next((k.value for k in call.keywords if k.arg == "default"), default)
            if default is None:
                raise Unresolved(f"environment variable {label} without a default")
            found = self.values(default, scope, depth)
            note = f"default of environment variable {label}"
            return Values(found.values, (*found.notes, note))
        if name in ("os.path.join", "posixpath.join") or name.endswith(("pathlib.Path", ".Path")):
            return self._path(call, scope, depth)
        if name == "Path":
            return self._path(call, scope, depth)
        if name == "str" and len(call.args) == 1 and not call.keywords:
            return self._formatted(call.args[0], scope, depth)
        if isinstance(func, ast.Attribute) and func.attr == "format" and not call.keywords:
            template = self.values(func.value, scope, depth)
            parts = [self.values(a, scope, depth) for a in call.args]
            out = []
            for fmt in template.values:
                fields = [f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None]
                if any(f and not f.isdigit() for f in fields):
                    raise Unresolved(f"format {fmt!r} uses named or indexed fields")
                for combo in product(parts, "\0").values if parts else Values(("",)).values:
                    try:
                        out.append(fmt.format(*(combo.split("\0") if parts else ())))
                    except (IndexError, ValueError) as error:
                        raise Unresolved(f"format {fmt!r}: {error}") from error
            return Values(tuple(dict.fromkeys(out)), notes([template, *parts]))
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "join"
            and len(call.args) == 1
            and isinstance(call.args[0], (ast.List, ast.Tuple))
        ):
            separator = self.values(func.value, scope, depth)
            items = [self.values(e, scope, depth) for e in call.args[0].elts]
            return union([product(items, sep) for sep in separator.values])
        raise Unresolved(f"{short(call)} is computed at run time")

    def _bindings(self, name: str, scope: Scope) -> list[Binding]:
        current: Scope | None = scope
        if name in scope.globals:
            current = scope.module()
        while current is not None:
            if name in current.bindings:
                return current.bindings[name]
            current = current.parent
            while current is not None and current.kind == "class":
                current = current.parent  # class bodies are not enclosing scopes
        raise Unresolved(f"{name} is not defined in this file")

    def _name(self, name: str, scope: Scope, depth: int) -> Values:
        bindings = self._bindings(name, scope)
        return self._from_bindings(name, bindings, depth)

    def _from_bindings(self, name: str, bindings: list[Binding], depth: int) -> Values:
        # `def f(model_name=None): if not model_name: model_name = ...`: None is never the
        # name loaded, the other bindings are (None alone: the value comes from the caller)
        kept = [b for b in bindings if not _none_default(b)]
        if not kept:
            raise Unresolved(f"{name} is a parameter (default None)")
        parts = []
        for binding in kept:
            if binding.kind == "dynamic" or binding.expr is None:
                raise Unresolved(f"{name} {binding.note or 'is set at run time'}")
            if binding.kind in ("iter", "checked"):
                found = self._elements(binding.expr, binding.scope, depth)
                how = "loops over" if binding.kind == "iter" else "is checked against"
                parts.append(
                    Values(found.values, (*found.notes, f"one of the values {name} {how}"))
                )
                continue
            found = self.values(binding.expr, binding.scope, depth)
            if binding.kind == "param":
                found = Values(found.values, (*found.notes, f"default of parameter {name!r}"))
            parts.append(found)
        result = union(parts)
        if len(result.values) > 1:
            result = Values(
                result.values, (*result.notes, f"{name} has {len(result.values)} values")
            )
        return result

    def _attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> Values:
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            current: Scope | None = scope
            while current is not None and current.cls is None and current.kind != "class":
                current = current.parent
            cls = (
                current
                if current is not None and current.kind == "class"
                else (current.cls if current is not None else None)
            )
            if cls is not None and node.attr in cls.bindings:
                return self._from_bindings(
                    f"{owner.id}.{node.attr}", cls.bindings[node.attr], depth
                )
        raise Unresolved(f"{short(node)} is set at run time")

    def _container(self, node: ast.expr, scope: Scope, depth: int) -> tuple[ast.expr, Scope]:
        """The literal list/tuple/dict a name stands for (one binding only)."""
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            return node, scope
        if isinstance(node, ast.Name):
            bindings = self._bindings(node.id, scope)
            if len(bindings) == 1 and bindings[0].kind == "value" and bindings[0].expr is not None:
                if depth > MAX_DEPTH:
                    raise Unresolved("constant chain too long")
                return self._container(bindings[0].expr, bindings[0].scope, depth + 1)
            if len(bindings) == 1 and bindings[0].kind == "dynamic":  # imported, a parameter...
                raise Unresolved(f"{node.id} {bindings[0].note or 'is set at run time'}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("keys", "values")
            and not node.args
        ):
            inner, where = self._container(node.func.value, scope, depth)
            if isinstance(inner, ast.Dict):
                items = inner.keys if node.func.attr == "keys" else inner.values
                return ast.List([k for k in items if k is not None]), where
        raise Unresolved(f"{short(node)} is not a constant collection")

    def _elements(self, node: ast.expr, scope: Scope, depth: int) -> Values:
        container, where = self._container(node, scope, depth)
        if isinstance(container, ast.Dict):
            items = [k for k in container.keys if k is not None]
        else:
            items = list(getattr(container, "elts", []))
        if not items:
            raise Unresolved(f"{short(node)} is empty")
        return union([self.values(item, where, depth) for item in items])

    def _subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> Values:
        if self.qualified(node.value) == "os.environ":
            raise Unresolved(f"environment variable {short(node.slice)} without a default")
        container, where = self._container(node.value, scope, depth)
        if isinstance(container, ast.Dict):
            try:
                wanted = self.values(node.slice, scope, depth)
            except Unresolved:
                values = [v for v in container.values]
                found = union([self.values(v, where, depth) for v in values])
                return Values(found.values, (*found.notes, f"any value of {short(node.value)}"))
            for key, value in zip(container.keys, container.values, strict=True):
                if key is not None:
                    try:
                        if set(self.values(key, where, depth).values) & set(wanted.values):
                            return self.values(value, where, depth)
                    except Unresolved:
                        continue
            raise Unresolved(f"{short(node)}: key not in the literal")
        elements = list(getattr(container, "elts", []))
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, int):
            try:
                return self.values(elements[index.value], where, depth)
            except IndexError as error:
                raise Unresolved(f"{short(node)}: index out of range") from error
        found = union([self.values(e, where, depth) for e in elements])
        return Values(found.values, (*found.notes, f"any item of {short(node.value)}"))
