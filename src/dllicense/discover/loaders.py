"""The project's own ``from_pretrained`` methods: where the id they are given really goes.

A class of the scanned project that defines ``from_pretrained`` (nanoGPT's
``GPT.from_pretrained(model_type)``, lerobot's policies and processor
pipelines) is not a Hub call: its argument reaches the Hub only if the
method passes it on to one (``GPT2LMHeadModel.from_pretrained(model_type)``,
``hf_hub_download(repo_id=...)``), possibly through the class's other methods
or the module's functions. This index follows the argument (read with
``ast``, never run) and records the Hub call it reaches and the literal set
the argument is checked against (``assert model_type in {'gpt2', ...}``,
``if name not in (...): raise``), so that call sites pass on only the ids
that method accepts.
"""

from __future__ import annotations

import ast
from dataclasses import field

from dllicense.records import frozen

MAX_FOLLOW = 4  # calls followed from a from_pretrained method to a Hub call
MAX_BASES = 32  # classes visited when looking for an inherited from_pretrained
LOADER = "from_pretrained"
# calls that fetch their first argument from the Hub (the id argument by name)
HUB_CALLS = {
    "from_pretrained": ("pretrained_model_name_or_path", "repo_id", "model_id"),
    "from_pretrained_keras": ("repo_id", "pretrained_model_name_or_path"),
    "from_pretrained_fastai": ("repo_id", "pretrained_model_name_or_path"),
    "hf_hub_download": ("repo_id",),
    "snapshot_download": ("repo_id",),
    "hf_hub_url": ("repo_id",),
    "load_dataset": ("path",),
    "cached_file": ("path_or_repo_id",),  # transformers.utils: downloads from the Hub
    "cached_files": ("path_or_repo_id",),
}

Function = ast.FunctionDef | ast.AsyncFunctionDef


@frozen
class ClassDef:
    rel: str  # project-relative file
    node: ast.ClassDef
    bases: tuple[str, ...]  # last dotted part of each base
    methods: dict[str, Function] = field(hash=False, compare=False)


@frozen
class Loader:
    """What a project ``from_pretrained`` does with its id parameter."""

    owner: str  # Class.from_pretrained
    rel: str
    line: int
    param: str  # name of the id parameter
    position: int  # its position at call sites (after cls)
    hub: str  # "file:line call" of the Hub call it reaches, "" when none
    kind: str = "model"  # what that Hub call fetches
    accepted: frozenset[str] | None = None  # the literal set it is checked against
    internals: frozenset[tuple[str, int]] = frozenset()  # (file, def line) of functions followed


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript):  # Generic[T], Base[X]
        return _name(node.value)
    return ""


def _params(func: Function) -> list[str]:
    args = func.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def id_argument(call: ast.Call) -> tuple[str, ast.expr] | None:
    """(kind, id argument) of a call that fetches from the Hub, by its last name."""
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    keywords = HUB_CALLS.get(last)
    if keywords is None:
        return None
    position = 0
    if last == LOADER and isinstance(func, ast.Attribute) and _name(func.value) == "PeftModel":
        position, keywords = 1, ("model_id",)
    found = next((k.value for k in call.keywords if k.arg in keywords), None)
    if found is None and len(call.args) > position:
        arg = call.args[position]
        found = None if isinstance(arg, ast.Starred) else arg
    if found is None:
        return None
    kind = "dataset" if last == "load_dataset" else "model"
    repo_type = next((k.value for k in call.keywords if k.arg == "repo_type"), None)
    if isinstance(repo_type, ast.Constant) and repo_type.value == "dataset":
        kind = "dataset"
    return kind, found


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def aliases(func: Function, param: str) -> set[str]:
    """``param`` and the local names assigned from expressions that use it."""
    names = {param}
    assigns = [n for n in ast.walk(func) if isinstance(n, (ast.Assign, ast.AnnAssign))]
    for _ in range(3):
        for node in assigns:
            if node.value is None or not _mentions(node.value, names):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def checked_values(func: Function, param: str, module: ast.Module | None) -> frozenset[str] | None:
    """The literal strings ``param`` is checked against in ``func``, or None.

    ``assert param in {...}`` and ``if param not in {...}: raise ...``; the
    collection is a literal or a module-level constant of ``module``.
    """
    for node in ast.walk(func):
        test: ast.expr | None = None
        wanted: type[ast.cmpop] = ast.In
        if isinstance(node, ast.Assert):
            test, wanted = node.test, ast.In
        elif (
            isinstance(node, ast.If)
            and node.body
            and isinstance(node.body[0], ast.Raise)
            and isinstance(node.test, ast.Compare)
        ):
            test, wanted = node.test, ast.NotIn
        if not (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == param
            and len(test.ops) == 1
            and isinstance(test.ops[0], wanted)
        ):
            continue
        found = literal_strings(test.comparators[0], module)
        if found:
            return found
    return None


def literal_strings(node: ast.expr, module: ast.Module | None) -> frozenset[str] | None:
    """The strings of a literal set/list/tuple/dict (its keys), or of a module constant."""
    if isinstance(node, ast.Name) and module is not None:
        values = [
            s.value
            for s in module.body
            if isinstance(s, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == node.id for t in s.targets)
        ]
        if len(values) != 1:
            return None
        node = values[0]
    items: list[ast.expr | None]
    if isinstance(node, ast.Dict):
        items = list(node.keys)
    elif isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        items = list(node.elts)
    else:
        return None
    if not items or not all(
        isinstance(i, ast.Constant) and isinstance(i.value, str) for i in items
    ):
        return None
    return frozenset(
        i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)
    )


class ProjectIndex:
    """Classes and module functions of every parsed file of the project."""

    def __init__(self) -> None:
        self.classes: dict[str, list[ClassDef]] = {}
        self.functions: dict[tuple[str, str], Function] = {}
        self.modules: dict[str, ast.Module] = {}
        self._loaders: dict[tuple[str, int], Loader | None] = {}
        self._internal: frozenset[tuple[str, int]] = frozenset()

    def add(self, rel: str, tree: ast.Module) -> None:
        """Index one parsed file (classes at any depth, module-level functions)."""
        self.modules.setdefault(rel, tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                methods = {
                    m.name: m
                    for m in node.body
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                }
                bases = tuple(b for b in (_name(x) for x in node.bases) if b)
                self.classes.setdefault(node.name, []).append(ClassDef(rel, node, bases, methods))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[(rel, node.name)] = node

    def prepare(self) -> None:
        """Follow every project ``from_pretrained`` once (before the call sites are read)."""
        for name in sorted(self.classes):
            for cdef in self.classes[name]:
                if LOADER in cdef.methods:
                    self.loader([cdef])
        self._internal = frozenset(
            key
            for loader in self._loaders.values()
            if loader is not None and loader.hub
            for key in loader.internals
        )

    def is_internal(self, key: tuple[str, int]) -> bool:
        """Is the function defined at (file, line) one a project loader passes its id to?"""
        return key in self._internal

    def is_class(self, name: str) -> bool:
        return name in self.classes

    def method(self, classes: list[ClassDef], name: str) -> tuple[ClassDef, Function] | None:
        """The first definition of method ``name`` along the project bases of ``classes``."""
        queue, seen = list(classes), set[int]()
        while queue and len(seen) < MAX_BASES:
            current = queue.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            if name in current.methods:
                return current, current.methods[name]
            for base in current.bases:
                queue += self.classes.get(base, [])
        return None

    def loader(self, classes: list[ClassDef]) -> Loader | None:
        """What the project ``from_pretrained`` of ``classes`` does, or None when they
        inherit it from outside the project (a transformers model class)."""
        found = self.method(classes, LOADER)
        if found is None:
            return None
        cdef, func = found
        key = (cdef.rel, func.lineno)
        if key not in self._loaders:
            self._loaders[key] = None  # recursion guard
            self._loaders[key] = self._summary(cdef, func)
        return self._loaders[key] or Loader(
            f"{cdef.node.name}.{LOADER}", cdef.rel, func.lineno, "", 0, ""
        )

    def _summary(self, cdef: ClassDef, func: Function) -> Loader:
        params = _params(func)
        first = 1 if params and params[0] in ("cls", "self") else 0
        owner = f"{cdef.node.name}.{LOADER}"
        if len(params) <= first:
            return Loader(owner, cdef.rel, func.lineno, "", 0, "")
        param = params[first]
        visited: set[tuple[str, int]] = set()
        hub = self._follow(cdef, cdef.rel, func, param, 0, visited)
        accepted = checked_values(func, param, self.modules.get(cdef.rel))
        where, kind = hub if hub else ("", "model")
        return Loader(
            owner, cdef.rel, func.lineno, param, 0, where, kind, accepted, frozenset(visited)
        )

    def _follow(
        self,
        cdef: ClassDef | None,
        rel: str,
        func: Function,
        param: str,
        depth: int,
        visited: set[tuple[str, int]],
    ) -> tuple[str, str] | None:
        """("file:line call", kind) of the first Hub call ``param`` of ``func`` reaches."""
        if depth > MAX_FOLLOW or (rel, func.lineno) in visited:
            return None
        visited.add((rel, func.lineno))
        names = aliases(func, param)
        first: tuple[str, str] | None = None
        for call in sorted(
            (n for n in ast.walk(func) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset),
        ):
            inner = self._inner_loader(call, cdef)
            if inner is not None:
                arg = _argument(call, inner.position, inner.param) if inner.param else None
                if arg is not None and _mentions(arg, names) and inner.hub:
                    first = first or (inner.hub, inner.kind)
                continue
            hub = id_argument(call) or _unpacked_id(call, func)
            if hub is not None and _mentions(hub[1], names):
                first = first or (f"{rel}:{call.lineno} {_label(call)}", hub[0])
                continue
            target = self._callee(call, cdef, rel)
            if target is None:
                continue
            owner, trel, callee = target
            mapped = _mapped_param(call, callee, names)
            if mapped:
                found = self._follow(owner, trel, callee, mapped, depth + 1, visited)
                first = first or found
        return first

    def _inner_loader(self, call: ast.Call, cdef: ClassDef | None) -> Loader | None:
        """The project loader a ``X.from_pretrained`` inside a loader calls, if any."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr != LOADER:
            return None
        receiver = func.value
        if isinstance(receiver, ast.Call) and _name(receiver.func) == "super" and cdef:
            bases = [c for b in cdef.bases for c in self.classes.get(b, [])]
            return self.loader(bases) if bases else None
        name = _name(receiver)
        if name in ("cls", "self") and cdef is not None:
            return self.loader([cdef])
        return self.loader(self.classes[name]) if name in self.classes else None

    def _callee(
        self, call: ast.Call, cdef: ClassDef | None, rel: str
    ) -> tuple[ClassDef | None, str, Function] | None:
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("cls", "self")
            and cdef is not None
        ):
            found = self.method([cdef], func.attr)
            return (found[0], found[0].rel, found[1]) if found else None
        if isinstance(func, ast.Name) and (rel, func.id) in self.functions:
            return None, rel, self.functions[(rel, func.id)]
        return None


def _unpacked_id(call: ast.Call, func: Function) -> tuple[str, ast.expr] | None:
    """The id of ``hf_hub_download(**kwargs)`` when ``kwargs`` is a dict literal of ``func``."""
    last = _name(call.func)
    keys = HUB_CALLS.get(last)
    if keys is None:
        return None
    unpacked = {
        k.value.id for k in call.keywords if k.arg is None and isinstance(k.value, ast.Name)
    }
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Dict)
            and any(isinstance(t, ast.Name) and t.id in unpacked for t in node.targets)
        ):
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in keys:
                    return "model", value
    return None


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    found = next((k.value for k in call.keywords if k.arg == name), None)
    if found is None and len(call.args) > position:
        found = call.args[position]
    return None if isinstance(found, ast.Starred) else found


def _mapped_param(call: ast.Call, callee: Function, names: set[str]) -> str:
    """The parameter of ``callee`` that receives one of ``names`` at ``call``."""
    params = _params(callee)
    offset = 1 if params and params[0] in ("cls", "self") else 0
    for keyword in call.keywords:
        if keyword.arg and keyword.arg in params and _mentions(keyword.value, names):
            return keyword.arg
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            return ""
        if _mentions(arg, names) and index + offset < len(params):
            return params[index + offset]
    return ""


def _label(call: ast.Call) -> str:
    try:
        return ast.unparse(call.func)
    except (ValueError, RecursionError, AttributeError):
        return "call"
