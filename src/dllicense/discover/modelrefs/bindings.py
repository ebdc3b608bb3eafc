"""What each name of a module is bound to: the module walked once, every assignment,
loop target, parameter default, import and ``self.x`` recorded in its scope."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from dllicense.discover.loaders import ProjectIndex, checked_values
from dllicense.discover.modelrefs.constants import Binding, Scope
from dllicense.models import Location, Problem


class Walker:
    """Walks a module, binding names in their scopes, and collects its calls; ``run``
    hands each call to ``_call`` once every binding of the module is known."""

    def __init__(self, rel: str, cell: int, index: ProjectIndex | None = None) -> None:
        self.index = index if index is not None else ProjectIndex()
        self.rel = rel
        self.cell = cell
        self.imports: dict[str, str] = {}
        self.calls: list[tuple[ast.Call, Scope]] = []
        self.problems: list[Problem] = []

    def run(self, tree: ast.Module) -> None:
        module = Scope("module", None)
        try:
            self._walk(tree, module)
            for call, scope in self.calls:
                self._call(call, scope)
        except RecursionError:
            self.problems.append(
                Problem(
                    "DL061",
                    f"{self._cell()}nested too deeply, not analysed",
                    location=Location(self.rel),
                )
            )

    def _cell(self) -> str:
        """ "notebook cell N: " for notebooks (locations give the line within the cell)."""
        return f"notebook cell {self.cell}: " if self.cell else ""

    def _walk(self, node: ast.AST, scope: Scope) -> None:
        self._visit(ast.iter_child_nodes(node), scope)

    def _visit(self, nodes: Iterable[ast.AST], scope: Scope) -> None:
        for child in nodes:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                self._function(child, scope)
                continue
            if isinstance(child, ast.ClassDef):
                keywords = (k.value for k in child.keywords)
                self._visit((*child.decorator_list, *child.bases, *keywords), scope)
                scope.bind(child.name, Binding("dynamic", None, scope, "is a class"))
                indexed = next(
                    (c for c in self.index.classes.get(child.name, []) if c.node is child), None
                )
                self._visit(child.body, Scope("class", scope, name=child.name, indexed=indexed))
                continue
            self._bind(child, scope)
            if isinstance(child, ast.Call):
                self.calls.append((child, scope))
            self._walk(child, scope)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: Scope
    ) -> None:
        args = node.args
        self._visit((*args.defaults, *(d for d in args.kw_defaults if d is not None)), scope)
        if not isinstance(node, ast.Lambda):
            self._visit(node.decorator_list, scope)
            scope.bind(node.name, Binding("dynamic", None, scope, "is a function"))
        cls = scope if scope.kind == "class" else scope.cls
        inner = Scope("function", scope, cls=cls, func=node)
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        pairs = [
            *zip(positional, defaults, strict=True),
            *zip(args.kwonlyargs, args.kw_defaults, strict=True),
        ]
        module = self.index.modules.get(self.rel)
        for arg, default in pairs:
            accepted = None
            if not isinstance(node, ast.Lambda):
                accepted = checked_values(node, arg.arg, module)
            if accepted:
                items: list[ast.expr] = [ast.Constant(v) for v in sorted(accepted)]
                inner.bind(arg.arg, Binding("checked", ast.List(items), inner))
            elif default is None:
                inner.bind(arg.arg, Binding("dynamic", None, scope, "is a parameter"))
            else:
                inner.bind(arg.arg, Binding("param", default, scope))
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                inner.bind(extra.arg, Binding("dynamic", None, scope, "is a parameter"))
        self._visit([node.body] if isinstance(node, ast.Lambda) else node.body, inner)

    def _bind(self, node: ast.AST, scope: Scope) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._target(target, node.value, scope)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self._target(node.target, node.value, scope)
        elif isinstance(node, ast.AugAssign):
            self._target(node.target, None, scope)
        elif isinstance(node, ast.NamedExpr):
            self._target(node.target, node.value, scope)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            self._loop_target(node.target, node.iter, scope)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._target(item.optional_vars, None, scope)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.bind(node.name, Binding("dynamic", None, scope, "is an exception"))
        elif isinstance(node, ast.Global):
            scope.globals.update(node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                self.imports[local] = alias.name if alias.asname else local
                scope.bind(local, Binding("dynamic", None, scope, "is an imported module"))
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                local = alias.asname or alias.name
                self.imports[local] = f"{base}.{alias.name}" if base else alias.name
                scope.bind(
                    local, Binding("dynamic", None, scope, f"is imported from {base or '.'}")
                )

    def _target(self, target: ast.expr, value: ast.expr | None, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            kind = "value" if value is not None else "dynamic"
            scope.bind(target.id, Binding(kind, value, scope, "is changed at run time"))
        elif isinstance(target, (ast.Tuple, ast.List)):
            if (
                isinstance(value, (ast.Tuple, ast.List))
                and len(value.elts) == len(target.elts)
                and not any(isinstance(e, ast.Starred) for e in (*value.elts, *target.elts))
            ):
                for sub, item in zip(target.elts, value.elts, strict=True):
                    self._target(sub, item, scope)
            else:
                for sub in target.elts:
                    self._target(sub.value if isinstance(sub, ast.Starred) else sub, None, scope)
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in ("self", "cls")
            and scope.cls is not None
        ):
            kind = "value" if value is not None else "dynamic"
            scope.cls.bindings.setdefault(target.attr, []).append(
                Binding(kind, value, scope, "is changed at run time")
            )

    def _loop_target(self, target: ast.expr, iterable: ast.expr, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, Binding("iter", iterable, scope))
        else:
            self._target(target, None, scope)

    def _call(self, call: ast.Call, scope: Scope) -> None:
        """One call of the module, with the scope it is made in."""
        raise NotImplementedError
