"""Models and datasets the project's code loads, found statically with ``ast``.

The project's code is parsed, never imported or run. Recognised calls:
``*.from_pretrained`` (any receiver; ``PeftModel.from_pretrained(model, id)``),
``from_pretrained_keras``/``from_pretrained_fastai``, ``hf_hub_download``,
``snapshot_download``, ``hf_hub_url`` (``repo_type`` picks model or dataset),
transformers ``pipeline(task, model=...)``, ``load_dataset``/
``load_dataset_builder``, ``timm.create_model(..., pretrained=True)``,
``torchvision.models.*(weights=...)``/``pretrained=True`` and ``get_model``,
``torch.hub.load(repo, model)``, ``SentenceTransformer``/``CrossEncoder``.

Arguments are resolved through module-, class- and function-level constants,
``for`` loops over constant lists, dict/list lookups (every value when the
key is dynamic), conditional expressions, f-strings, ``+``, ``%``,
``str.format``, ``"/".join``, ``os.path.join``, ``pathlib.Path(...) / ...``,
parameter defaults and ``os.getenv(NAME, default)`` (both noted). What cannot
be resolved is reported (DL060) with file and line; files that cannot be
parsed are reported (DL061) and skipped.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import string
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from dllicense.discover.loaders import ClassDef, Loader, ProjectIndex, aliases, checked_values
from dllicense.models import Location, Problem
from dllicense.parsing import parse_json
from dllicense.paths import reason
from dllicense.readfile import read_bounded

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 20_000
MAX_VALUES = 16  # candidate strings per argument
MAX_DEPTH = 40  # resolution depth (constant chains)
SKIP_DIRS = frozenset(
    {"node_modules", "site-packages", "dist-packages", "__pycache__", "venv", "env", "virtualenv"}
)
# load_dataset("csv", data_files=...) and friends: packaged builders, not Hub datasets
PACKAGED_BUILDERS = frozenset(
    {
        "arrow", "audiofolder", "cache", "csv", "generator", "imagefolder", "json", "pandas",
        "parquet", "spark", "sql", "text", "videofolder", "webdataset", "xml",
    }
)  # fmt: skip
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
_HUB_URL = re.compile(
    r"^https?://(?:www\.)?huggingface\.co/(?P<type>datasets/|spaces/)?"
    r"(?P<id>[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)"
)
_ID_KEYWORDS = ("pretrained_model_name_or_path", "repo_id", "model_id", "model_name_or_path")
_STRING_CALLS = frozenset({"str", "os.getenv", "os.environ.get", "os.path.join", "posixpath.join"})
# folders whose code is not the product: references there get their own scope (group:NAME)
NON_PRODUCT = {
    "tests": "tests", "test": "tests", "testing": "tests", "examples": "examples",
    "example": "examples", "docs": "docs", "doc": "docs", "benchmarks": "benchmarks",
    "benchmark": "benchmarks",
}  # fmt: skip
# pytest's temporary-folder fixtures: paths built from them are never Hub ids
_TEMP_NAMES = frozenset({"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory", "tempfile"})


@dataclass(frozen=True)
class ModelReference:
    """One model or dataset the code loads.

    ``origin``: huggingface (a Hub id), local (a folder inside the project),
    timm, torchvision or torch-hub. ``name`` is the Hub id as written, a
    project-relative path, ``torchvision/NAME`` or ``REPO/MODEL`` for torch hub.
    """

    kind: str  # "model" or "dataset"
    name: str
    origin: str
    call: str  # the call as written, e.g. "AutoModel.from_pretrained"
    location: Location
    revision: str = ""
    variant: str = ""  # torchvision weights, timm tag
    note: str = ""
    scope: str = ""  # "" for the product's code, else tests, examples, docs or benchmarks

    @property
    def key(self) -> tuple[str, str]:
        """Identity for de-duplication (Hub ids are case-insensitive)."""
        name = self.name.lower() if self.origin != "local" else self.name
        return self.kind, name


def file_scope(rel: str) -> str:
    """The scope of a project file: "" (the product) or tests/examples/docs/benchmarks."""
    parts = rel.split("/")
    for part in parts[:-1]:
        if part.lower() in NON_PRODUCT:
            return NON_PRODUCT[part.lower()]
    name = parts[-1]
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return "tests"
    return ""


@dataclass(frozen=True)
class SourceScan:
    references: tuple[ModelReference, ...]
    problems: tuple[Problem, ...]
    files: tuple[str, ...]  # project-relative paths of the files parsed


# -- files -----------------------------------------------------------------------


def _skipped_dir(path: Path, name: str) -> bool:
    # os.path.lexists: False (never PermissionError) inside a folder that cannot be read
    return name.startswith(".") or name in SKIP_DIRS or os.path.lexists(path / "pyvenv.cfg")


def source_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """Python files and notebooks of the project, sorted; virtualenvs and VCS folders skipped."""
    found: list[Path] = []
    problems: list[Problem] = []

    def failed(error: OSError) -> None:
        where = _relative(Path(error.filename or root), root)
        problems.append(Problem("DL061", f"{where}: cannot list folder ({error.strerror})"))

    for current, dirs, files in os.walk(root, onerror=failed):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(here / d, d))
        for name in sorted(files):
            path = here / name
            if name.endswith((".py", ".ipynb")) and not path.is_symlink():
                found.append(path)
        if len(found) > MAX_FILES:
            problems.append(
                Problem("DL061", f"more than {MAX_FILES} source files: the rest are not read")
            )
            return found[:MAX_FILES], problems
    return found, problems


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def scan_sources(root: Path) -> SourceScan:
    """Every model/dataset reference in the project's Python files and notebooks."""
    files, problems = source_files(root)
    references: list[ModelReference] = []
    read: list[str] = []
    parsed: list[tuple[Path, str, int, ast.Module]] = []
    for path in files:
        rel = _relative(path, root)
        try:
            data, size = read_bounded(path, MAX_FILE_BYTES)
        except OSError as error:
            problems.append(
                Problem("DL061", f"cannot read ({reason(error)})", location=Location(rel))
            )
            continue
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    "DL061",
                    f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, not read",
                    location=Location(rel),
                )
            )
            continue
        read.append(rel)
        for cell, source in _units(rel, data, problems):
            tree = _parse(rel, cell, source, problems)
            if tree is not None:
                parsed.append((path, rel, cell, tree))
    index = ProjectIndex()
    for _, rel, _, tree in parsed:
        index.add(rel, tree)
    index.prepare()
    for path, rel, cell, tree in parsed:
        finder = _Finder(root, path, rel, cell, index)
        finder.run(tree)
        references += finder.references
        problems += finder.problems
    references.sort(key=lambda r: (r.location.file, r.location.line or 0, r.kind, r.name))
    problems.sort(key=lambda p: (p.location.file if p.location else "", _line(p), p.message))
    return SourceScan(tuple(references), tuple(_merged(problems)), tuple(read))


def _argument_part(message: str) -> str:
    """A DL060/DL062 message without the call's name: "(args.model): ... reason"."""
    return message.partition("(")[2]


def _merged(problems: list[Problem]) -> list[Problem]:
    """One DL060/DL062 per file and message: the same dynamic name loaded on several lines
    (``args.model`` in ten ``from_pretrained`` calls) is one finding listing its lines."""
    groups: dict[tuple[str, str, str], list[Problem]] = {}
    out: list[Problem] = []
    for problem in problems:
        if problem.code in ("DL060", "DL062") and problem.location is not None:
            key = (problem.code, problem.location.file, _argument_part(problem.message))
            if key in groups:
                groups[key].append(problem)
                continue
            groups[key] = [problem]
        out.append(problem)
    merged = []
    for problem in out:
        file = problem.location.file if problem.location else ""
        same = groups.get((problem.code, file, _argument_part(problem.message)), [problem])
        if len(same) > 1:
            lines = ", ".join(str(p.location.line) for p in same[1:] if p.location)
            message = f"{problem.message} (the same name is also loaded on lines {lines})"
            problem = replace(problem, message=message)
        merged.append(problem)
    return merged


def _line(problem: Problem) -> int:
    return (problem.location.line or 0) if problem.location else 0


def _units(rel: str, data: bytes, problems: list[Problem]) -> Iterator[tuple[int, bytes]]:
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


def _parse(rel: str, cell: int, source: bytes, problems: list[Problem]) -> ast.Module | None:
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


# -- scopes and constant resolution ------------------------------------------------


@dataclass
class _Binding:
    kind: str  # "value", "iter" (a for-loop target), "param" (default value), "dynamic"
    expr: ast.expr | None
    scope: _Scope
    note: str = ""


@dataclass(eq=False)
class _Scope:
    kind: str  # module, class, function
    parent: _Scope | None
    cls: _Scope | None = None  # for methods: the class scope (self.x / cls.x)
    name: str = ""  # class scopes: the class name
    func: ast.AST | None = None  # function scopes: the function
    indexed: ClassDef | None = None  # class scopes: the class in the project index
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)

    def bind(self, name: str, binding: _Binding) -> None:
        target = self.module() if name in self.globals else self
        target.bindings.setdefault(name, []).append(binding)

    def module(self) -> _Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


@dataclass(frozen=True)
class _Values:
    values: tuple[str, ...]
    notes: tuple[str, ...] = ()


class _Unresolved(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _product(parts: list[_Values], join: str = "") -> _Values:
    combos = list(itertools.islice(itertools.product(*(p.values for p in parts)), MAX_VALUES + 1))
    if len(combos) > MAX_VALUES:
        raise _Unresolved(f"more than {MAX_VALUES} possible values")
    notes = tuple(dict.fromkeys(n for p in parts for n in p.notes))
    return _Values(tuple(dict.fromkeys(join.join(c) for c in combos)), notes)


def _notes(parts: list[_Values]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for p in parts for n in p.notes))


def _union(parts: list[_Values]) -> _Values:
    values = tuple(dict.fromkeys(v for p in parts for v in p.values))
    if len(values) > MAX_VALUES:
        raise _Unresolved(f"more than {MAX_VALUES} possible values")
    return _Values(values, tuple(dict.fromkeys(n for p in parts for n in p.notes)))


def _short(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):
        text = type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


class _Resolver:
    """Evaluates string-valued expressions over the bindings of the scopes."""

    def __init__(self, imports: dict[str, str]) -> None:
        self.imports = imports
        self.active: set[int] = set()
        self.memo: dict[
            tuple[int, int, int, bool], tuple[ast.expr, _Scope, _Values | _Unresolved]
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

    def values(self, node: ast.expr, scope: _Scope, depth: int = 0) -> _Values:
        """The values of ``node`` in ``scope``, each (node, scope, depth, formatting)
        resolved once: a constant used many times (``b = a + a; c = b + b; ...``) is not
        resolved again at each use (which doubled the work per line)."""
        if depth > MAX_DEPTH:
            raise _Unresolved("constant chain too long")
        key = id(node)
        if key in self.active:
            raise _Unresolved("circular definition")
        memo = (key, id(scope), depth, self.formatting > 0)
        kept = self.memo.get(memo)
        if kept is not None and kept[0] is node and kept[1] is scope:
            if isinstance(kept[2], _Unresolved):
                raise _Unresolved(kept[2].why)
            return kept[2]
        self.active.add(key)
        try:
            found = self._values(node, scope, depth + 1)
        except _Unresolved as error:
            self.memo[memo] = (node, scope, error)  # the node is kept: its id is not reused
            raise
        finally:
            self.active.discard(key)
        self.memo[memo] = (node, scope, found)
        return found

    def _values(self, node: ast.expr, scope: _Scope, depth: int) -> _Values:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return _Values((node.value,))
            number = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
            if number and self.formatting:
                return _Values((str(node.value),))
            raise _Unresolved(f"{_short(node)} is not a string")
        if isinstance(node, ast.JoinedStr):
            return _product([self._fstring_part(p, scope, depth) for p in node.values])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return _product(
                [self.values(node.left, scope, depth), self.values(node.right, scope, depth)]
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self._percent(node, scope, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [self.values(node.left, scope, depth), self.values(node.right, scope, depth)]
            return _product(parts, "/")
        if isinstance(node, ast.IfExp):
            return _union(
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
        raise _Unresolved(f"{_short(node)} is not a constant")

    def _fstring_part(self, part: ast.expr, scope: _Scope, depth: int) -> _Values:
        if isinstance(part, ast.Constant):
            return _Values((str(part.value),))
        if (
            isinstance(part, ast.FormattedValue)
            and part.format_spec is None
            and part.conversion in (-1, ord("s"))
        ):
            return self._formatted(part.value, scope, depth)
        raise _Unresolved(f"f-string part {_short(part)} is not a constant")

    def _formatted(self, node: ast.expr, scope: _Scope, depth: int) -> _Values:
        self.formatting += 1
        try:
            return self.values(node, scope, depth)
        finally:
            self.formatting -= 1

    def _percent(self, node: ast.BinOp, scope: _Scope, depth: int) -> _Values:
        template = self.values(node.left, scope, depth)
        right = node.right
        args = right.elts if isinstance(right, ast.Tuple) else [right]
        parts = [self.values(a, scope, depth) for a in args]
        out = []
        for fmt in template.values:
            if re.search(r"%[^s%]", fmt):
                raise _Unresolved(f"format {fmt!r} is not %s-only")
            for combo in _product(parts, "\0").values:
                try:
                    out.append(fmt % tuple(combo.split("\0")))
                except (TypeError, ValueError) as error:
                    raise _Unresolved(f"format {fmt!r}: {error}") from error
        return _Values(tuple(dict.fromkeys(out)), _notes([template, *parts]))

    def _path(self, call: ast.Call, scope: _Scope, depth: int) -> _Values:
        if call.keywords or not call.args:
            raise _Unresolved(f"{_short(call)} is not a constant")
        return _product([self.values(a, scope, depth) for a in call.args], "/")

    def _call(self, call: ast.Call, scope: _Scope, depth: int) -> _Values:
        name = self.qualified(call.func)
        func = call.func
        if name in ("os.getenv", "os.environ.get") and call.args:
            variable = call.args[0]
            label = str(variable.value) if isinstance(variable, ast.Constant) else _short(variable)
            default = call.args[1] if len(call.args) > 1 else None
            default = next((k.value for k in call.keywords if k.arg == "default"), default)
            if default is None:
                raise _Unresolved(f"environment variable {label} without a default")
            found = self.values(default, scope, depth)
            note = f"default of environment variable {label}"
            return _Values(found.values, (*found.notes, note))
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
                    raise _Unresolved(f"format {fmt!r} uses named or indexed fields")
                for combo in _product(parts, "\0").values if parts else _Values(("",)).values:
                    try:
                        out.append(fmt.format(*(combo.split("\0") if parts else ())))
                    except (IndexError, ValueError) as error:
                        raise _Unresolved(f"format {fmt!r}: {error}") from error
            return _Values(tuple(dict.fromkeys(out)), _notes([template, *parts]))
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "join"
            and len(call.args) == 1
            and isinstance(call.args[0], (ast.List, ast.Tuple))
        ):
            separator = self.values(func.value, scope, depth)
            items = [self.values(e, scope, depth) for e in call.args[0].elts]
            return _union([_product(items, sep) for sep in separator.values])
        raise _Unresolved(f"{_short(call)} is computed at run time")

    def _bindings(self, name: str, scope: _Scope) -> list[_Binding]:
        current: _Scope | None = scope
        if name in scope.globals:
            current = scope.module()
        while current is not None:
            if name in current.bindings:
                return current.bindings[name]
            current = current.parent
            while current is not None and current.kind == "class":
                current = current.parent  # class bodies are not enclosing scopes
        raise _Unresolved(f"{name} is not defined in this file")

    def _name(self, name: str, scope: _Scope, depth: int) -> _Values:
        bindings = self._bindings(name, scope)
        return self._from_bindings(name, bindings, depth)

    def _from_bindings(self, name: str, bindings: list[_Binding], depth: int) -> _Values:
        parts = []
        for binding in bindings:
            if binding.kind == "dynamic" or binding.expr is None:
                raise _Unresolved(f"{name} {binding.note or 'is set at run time'}")
            if binding.kind in ("iter", "checked"):
                found = self._elements(binding.expr, binding.scope, depth)
                how = "loops over" if binding.kind == "iter" else "is checked against"
                parts.append(
                    _Values(found.values, (*found.notes, f"one of the values {name} {how}"))
                )
                continue
            found = self.values(binding.expr, binding.scope, depth)
            if binding.kind == "param":
                found = _Values(found.values, (*found.notes, f"default of parameter {name!r}"))
            parts.append(found)
        result = _union(parts)
        if len(result.values) > 1:
            result = _Values(
                result.values, (*result.notes, f"{name} has {len(result.values)} values")
            )
        return result

    def _attribute(self, node: ast.Attribute, scope: _Scope, depth: int) -> _Values:
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            current: _Scope | None = scope
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
        raise _Unresolved(f"{_short(node)} is set at run time")

    def _container(self, node: ast.expr, scope: _Scope, depth: int) -> tuple[ast.expr, _Scope]:
        """The literal list/tuple/dict a name stands for (one binding only)."""
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            return node, scope
        if isinstance(node, ast.Name):
            bindings = self._bindings(node.id, scope)
            if len(bindings) == 1 and bindings[0].kind == "value" and bindings[0].expr is not None:
                if depth > MAX_DEPTH:
                    raise _Unresolved("constant chain too long")
                return self._container(bindings[0].expr, bindings[0].scope, depth + 1)
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
        raise _Unresolved(f"{_short(node)} is not a constant collection")

    def _elements(self, node: ast.expr, scope: _Scope, depth: int) -> _Values:
        container, where = self._container(node, scope, depth)
        if isinstance(container, ast.Dict):
            items = [k for k in container.keys if k is not None]
        else:
            items = list(getattr(container, "elts", []))
        if not items:
            raise _Unresolved(f"{_short(node)} is empty")
        return _union([self.values(item, where, depth) for item in items])

    def _subscript(self, node: ast.Subscript, scope: _Scope, depth: int) -> _Values:
        if self.qualified(node.value) == "os.environ":
            raise _Unresolved(f"environment variable {_short(node.slice)} without a default")
        container, where = self._container(node.value, scope, depth)
        if isinstance(container, ast.Dict):
            try:
                wanted = self.values(node.slice, scope, depth)
            except _Unresolved:
                values = [v for v in container.values]
                found = _union([self.values(v, where, depth) for v in values])
                return _Values(found.values, (*found.notes, f"any value of {_short(node.value)}"))
            for key, value in zip(container.keys, container.values, strict=True):
                if key is not None:
                    try:
                        if set(self.values(key, where, depth).values) & set(wanted.values):
                            return self.values(value, where, depth)
                    except _Unresolved:
                        continue
            raise _Unresolved(f"{_short(node)}: key not in the literal")
        elements = list(getattr(container, "elts", []))
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, int):
            try:
                return self.values(elements[index.value], where, depth)
            except IndexError as error:
                raise _Unresolved(f"{_short(node)}: index out of range") from error
        found = _union([self.values(e, where, depth) for e in elements])
        return _Values(found.values, (*found.notes, f"any item of {_short(node.value)}"))


# -- finding calls ------------------------------------------------------------------


def _arg(call: ast.Call, position: int | None, *names: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    if position is not None and len(call.args) > position:
        arg = call.args[position]
        return None if isinstance(arg, ast.Starred) else arg
    return None


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_none(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value in (None, False))


@dataclass(frozen=True)
class _Match:
    kind: str
    origin: str
    arg: ast.expr
    revision: ast.expr | None = None
    variant: str = ""
    prefix: str = ""  # prepended to the resolved name (timm/, torchvision/)
    object_ok: bool = False  # the argument may be a loaded object rather than a name
    loader: Loader | None = None  # a project from_pretrained that passes the id to the Hub


class _Finder:
    def __init__(
        self, root: Path, path: Path, rel: str, cell: int, index: ProjectIndex | None = None
    ) -> None:
        self.index = index if index is not None else ProjectIndex()
        self.scope_name = file_scope(rel)
        self.root = root
        self.folder = path.parent
        self.rel = rel
        self.cell = cell
        self.imports: dict[str, str] = {}
        self.resolver = _Resolver(self.imports)
        self.calls: list[tuple[ast.Call, _Scope]] = []
        self.references: list[ModelReference] = []
        self.problems: list[Problem] = []

    # ---- scope building
    def run(self, tree: ast.Module) -> None:
        module = _Scope("module", None)
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

    def _walk(self, node: ast.AST, scope: _Scope) -> None:
        self._visit(ast.iter_child_nodes(node), scope)

    def _visit(self, nodes: Iterable[ast.AST], scope: _Scope) -> None:
        for child in nodes:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                self._function(child, scope)
                continue
            if isinstance(child, ast.ClassDef):
                keywords = (k.value for k in child.keywords)
                self._visit((*child.decorator_list, *child.bases, *keywords), scope)
                scope.bind(child.name, _Binding("dynamic", None, scope, "is a class"))
                indexed = next(
                    (c for c in self.index.classes.get(child.name, []) if c.node is child), None
                )
                self._visit(child.body, _Scope("class", scope, name=child.name, indexed=indexed))
                continue
            self._bind(child, scope)
            if isinstance(child, ast.Call):
                self.calls.append((child, scope))
            self._walk(child, scope)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: _Scope
    ) -> None:
        args = node.args
        self._visit((*args.defaults, *(d for d in args.kw_defaults if d is not None)), scope)
        if not isinstance(node, ast.Lambda):
            self._visit(node.decorator_list, scope)
            scope.bind(node.name, _Binding("dynamic", None, scope, "is a function"))
        cls = scope if scope.kind == "class" else scope.cls
        inner = _Scope("function", scope, cls=cls, func=node)
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
                inner.bind(arg.arg, _Binding("checked", ast.List(items), inner))
            elif default is None:
                inner.bind(arg.arg, _Binding("dynamic", None, scope, "is a parameter"))
            else:
                inner.bind(arg.arg, _Binding("param", default, scope))
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                inner.bind(extra.arg, _Binding("dynamic", None, scope, "is a parameter"))
        self._visit([node.body] if isinstance(node, ast.Lambda) else node.body, inner)

    def _bind(self, node: ast.AST, scope: _Scope) -> None:
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
            scope.bind(node.name, _Binding("dynamic", None, scope, "is an exception"))
        elif isinstance(node, ast.Global):
            scope.globals.update(node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                self.imports[local] = alias.name if alias.asname else local
                scope.bind(local, _Binding("dynamic", None, scope, "is an imported module"))
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                local = alias.asname or alias.name
                self.imports[local] = f"{base}.{alias.name}" if base else alias.name
                scope.bind(
                    local, _Binding("dynamic", None, scope, f"is imported from {base or '.'}")
                )

    def _target(self, target: ast.expr, value: ast.expr | None, scope: _Scope) -> None:
        if isinstance(target, ast.Name):
            kind = "value" if value is not None else "dynamic"
            scope.bind(target.id, _Binding(kind, value, scope, "is changed at run time"))
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
                _Binding(kind, value, scope, "is changed at run time")
            )

    def _loop_target(self, target: ast.expr, iterable: ast.expr, scope: _Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, _Binding("iter", iterable, scope))
        else:
            self._target(target, None, scope)

    # ---- calls
    def _call(self, call: ast.Call, scope: _Scope) -> None:
        found = self._recognise(call, scope)
        if found is None:
            return
        where = Location(self.rel, call.lineno)
        label = _short(call.func)
        if found.object_ok and self._is_object(found.arg, scope):
            return
        try:
            values = self.resolver.values(found.arg, scope)
        except _Unresolved as error:
            self._unresolved(found, label, where, scope, error.why)
            return
        if found.loader is not None and found.loader.accepted is not None:
            kept = tuple(v for v in values.values if v in found.loader.accepted)
            values = _Values(kept, values.notes)
        revision = ""
        if found.revision is not None:
            try:
                revision = ",".join(self.resolver.values(found.revision, scope).values)
            except _Unresolved:
                revision = ""
        for value in values.values:
            self._reference(found, value, values.notes, label, where, revision)

    def _unresolved(
        self, found: _Match, label: str, where: Location, scope: _Scope, why: str
    ) -> None:
        """DL060 for a dynamic name; DL062 for a path built at run time; nothing for the
        parameter of a project loader (its call sites are analysed instead)."""
        if self._loader_parameter(found.arg, scope):
            return
        via = f" (passed on to {found.loader.hub})" if found.loader else ""
        if _path_expression(found.arg):
            self.problems.append(
                Problem(
                    "DL062",
                    f"{self._cell()}{label}({_short(found.arg)}){via}: a local path built at "
                    f"run time ({why}); its licence is not checked",
                    location=where,
                )
            )
            return
        self.problems.append(
            Problem(
                "DL060",
                f"{self._cell()}{label}({_short(found.arg)}){via}: the {found.kind} "
                f"name cannot be resolved statically ({why}); its licence is not checked",
                location=where,
            )
        )

    def _loader_parameter(self, arg: ast.expr, scope: _Scope) -> bool:
        """Is ``arg`` a parameter of a function a project ``from_pretrained`` passes its id
        through (the ids are the call sites' values)?"""
        current: _Scope | None = scope
        while current is not None and current.func is None:
            current = current.parent
        if current is None or not isinstance(current.func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        key = (self.rel, current.func.lineno)
        if not self.index.is_internal(key):
            return False
        args = current.func.args
        names: set[str] = set()
        for param in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            names |= aliases(current.func, param.arg)
        return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(arg))

    def _project_loader(self, receiver: ast.expr, scope: _Scope) -> Loader | bool | None:
        """The project ``from_pretrained`` ``receiver.from_pretrained`` calls: a Loader, or
        False when the receiver is not a class of the project (or inherits the method)."""
        index = self.index
        cls = _enclosing_class(scope)
        if isinstance(receiver, ast.Call) and _short(receiver.func) == "super":
            if cls is None:
                return False
            bases = [c for b in cls.bases for c in index.classes.get(b, [])]
            return (index.loader(bases) or False) if bases else False
        if isinstance(receiver, ast.Name) and receiver.id in ("cls", "self"):
            if cls is None:
                return False
            return index.loader([cls]) or False
        name = receiver.attr if isinstance(receiver, ast.Attribute) else ""
        head = receiver
        while isinstance(head, ast.Attribute):
            head = head.value
        if isinstance(receiver, ast.Name):
            name = receiver.id
        if not name or not isinstance(head, ast.Name) or not index.is_class(name):
            return False
        source = self.imports.get(head.id)
        if source is not None and not self._project_module(source):
            return False  # imported from an installed package that has a class of that name
        return index.loader(index.classes[name]) or False

    def _project_module(self, source: str) -> bool:
        if source.startswith("."):
            return True
        top = source.split(".")[0]
        return any(
            (base / top).is_dir() or (base / f"{top}.py").is_file()
            for base in (self.root, self.root / "src")
        )

    def _is_object(self, node: ast.expr, scope: _Scope) -> bool:
        """A name bound only to calls that load something (a model object, not its id)."""
        if isinstance(node, ast.Call):
            return self.resolver.qualified(node.func) not in _STRING_CALLS
        if not isinstance(node, ast.Name):
            return False
        try:
            bindings = self.resolver._bindings(node.id, scope)
        except _Unresolved:
            return False
        return all(
            b.kind == "value"
            and isinstance(b.expr, ast.Call)
            and self.resolver.qualified(b.expr.func) not in _STRING_CALLS
            and not (
                isinstance(b.expr.func, ast.Attribute) and b.expr.func.attr in ("format", "join")
            )
            for b in bindings
        )

    def _recognise(self, call: ast.Call, scope: _Scope) -> _Match | None:
        func = call.func
        qualified = self.resolver.qualified(func)
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        revision = _arg(call, None, "revision")
        if last == "from_pretrained":
            receiver = _short(func.value) if isinstance(func, ast.Attribute) else ""
            if isinstance(func, ast.Attribute):
                loader = self._project_loader(func.value, scope)
                if loader is not False:
                    return self._through_loader(call, loader, revision)
            if receiver.split(".")[-1].startswith("PeftModel"):
                arg = _arg(call, 1, "model_id")
            else:
                arg = _arg(call, 0, *_ID_KEYWORDS)
            return _Match("model", "huggingface", arg, revision) if arg is not None else None
        if last in ("from_pretrained_keras", "from_pretrained_fastai"):
            arg = _arg(call, 0, "repo_id", "pretrained_model_name_or_path")
            return _Match("model", "huggingface", arg, revision) if arg is not None else None
        if last in ("hf_hub_download", "snapshot_download", "hf_hub_url"):
            arg = _arg(call, 0, "repo_id")
            repo_type = _arg(call, None, "repo_type")
            kind = "model"
            if isinstance(repo_type, ast.Constant) and repo_type.value == "dataset":
                kind = "dataset"
            elif isinstance(repo_type, ast.Constant) and repo_type.value == "space":
                return None  # a Space is an application, not a dependency
            return _Match(kind, "huggingface", arg, revision) if arg is not None else None
        if last == "pipeline" and (qualified.startswith("transformers") or qualified == "pipeline"):
            arg = _arg(call, 1, "model")
            return _Match("model", "huggingface", arg, revision, object_ok=True) if arg else None
        if last in ("load_dataset", "load_dataset_builder"):
            arg = _arg(call, 0, "path")
            return _Match("dataset", "huggingface", arg, revision) if arg is not None else None
        if last == "create_model" and qualified.startswith("timm"):
            pretrained = _arg(call, 1, "pretrained")
            arg = _arg(call, 0, "model_name")
            if arg is None or _is_none(pretrained):
                return None
            return _Match("model", "timm", arg)
        if qualified.startswith("torchvision.models."):
            return self._torchvision(call, qualified, last)
        if qualified == "torch.hub.load":
            return self._torch_hub(call, scope)
        if last in ("SentenceTransformer", "CrossEncoder", "SparseEncoder"):
            arg = _arg(call, 0, "model_name_or_path", "model_name")
            if arg is None:
                return None
            prefix = "sentence-transformers/" if last == "SentenceTransformer" else ""
            return _Match("model", "huggingface", arg, revision, prefix=prefix)
        return None

    def _through_loader(
        self, call: ast.Call, loader: Loader | bool | None, revision: ast.expr | None
    ) -> _Match | None:
        """A call of a project ``from_pretrained``: a Hub reference only when that method
        passes its id on to the Hub (and then only the ids it accepts)."""
        if not isinstance(loader, Loader) or not loader.hub or not loader.param:
            return None
        arg = _arg(call, loader.position, loader.param)
        if arg is None:
            return None
        return _Match(loader.kind, "huggingface", arg, revision, loader=loader)

    def _torchvision(self, call: ast.Call, qualified: str, last: str) -> _Match | None:
        if not last or last[0].isupper():
            return None  # weight enums and classes, not constructors
        weights = _arg(call, None, "weights")
        pretrained = _arg(call, None, "pretrained")
        if _is_none(weights) and not _is_true(pretrained):
            return None
        variant = _short(weights) if weights is not None else "pretrained=True"
        if last == "get_model":
            arg = _arg(call, 0, "name")
            if arg is None:
                return None
            return _Match("model", "torchvision", arg, variant=variant, prefix="torchvision/")
        return _Match(
            "model", "torchvision", ast.Constant(last), variant=variant, prefix="torchvision/"
        )

    def _torch_hub(self, call: ast.Call, scope: _Scope) -> _Match | None:
        repo = _arg(call, 0, "repo_or_dir")
        model = _arg(call, 1, "model")
        source = _arg(call, None, "source")
        if repo is None or model is None:
            return None
        if isinstance(source, ast.Constant) and source.value == "local":
            return _Match("model", "local", repo)
        joined = ast.BinOp(ast.BinOp(repo, ast.Add(), ast.Constant("/")), ast.Add(), model)
        ast.copy_location(joined, call)
        return _Match("model", "torch-hub", joined)

    def _reference(
        self,
        found: _Match,
        value: str,
        notes: tuple[str, ...],
        label: str,
        where: Location,
        revision: str,
    ) -> None:
        note = "; ".join(notes)
        value = value.strip()
        kind, origin = found.kind, found.origin
        if origin == "huggingface" and kind == "dataset" and value.lower() in PACKAGED_BUILDERS:
            return
        if origin == "torch-hub":
            repo, _, model = value.rpartition("/")
            name = f"{repo.split(':')[0]}/{model}"
            self._add(kind, name, origin, label, where, revision, found.variant, note)
            return
        if origin == "torchvision":
            self._add(
                kind, found.prefix + value, origin, label, where, revision, found.variant, note
            )
            return
        if origin == "timm":
            for prefix in ("hf-hub:", "hf_hub:"):
                if value.startswith(prefix):
                    hub_id, _, rev = value[len(prefix) :].partition("@")
                    self._add(kind, hub_id, "huggingface", label, where, rev, "", note)
                    return
            tag = value.partition(".")[2]
            self._add(kind, f"timm/{value}", "timm", label, where, revision, tag, note)
            return
        url = _HUB_URL.match(value)
        if url:
            kind = "dataset" if url.group("type") == "datasets/" else kind
            self._add(kind, url.group("id"), "huggingface", label, where, revision, "", note)
            return
        local = self._local(value)
        if local is not None:
            self._add(kind, local, "local", label, where, revision, "", note)
            return
        if origin == "local" or _looks_like_path(value):
            self.problems.append(
                Problem(
                    "DL062",
                    f"{self._cell()}{label}({value!r}): no such {kind} folder in the "
                    "project (created or downloaded at run time?); its licence is not checked",
                    location=where,
                )
            )
            return
        if _HUB_ID.match(value) and len(value) <= 200:
            name = value if "/" in value or not found.prefix else found.prefix + value
            self._add(kind, name, "huggingface", label, where, revision, "", note)
            return
        self.problems.append(
            Problem(
                "DL060",
                f"{self._cell()}{label}({value!r}) is neither a Hugging Face id nor a "
                f"{kind} folder of the project; its licence is not checked",
                location=where,
            )
        )

    def _local(self, value: str) -> str | None:
        """The project-relative path of an existing local folder/file, or None."""
        if not value or "\0" in value or value.startswith("~"):
            return None
        root = self.root.resolve()
        for base in (self.root, self.folder):
            candidate = base / value
            try:
                resolved = candidate.resolve()
                if not resolved.exists():
                    continue
                return resolved.relative_to(root).as_posix() or "."
            except (OSError, ValueError, RuntimeError):
                continue
        return None

    def _add(
        self,
        kind: str,
        name: str,
        origin: str,
        call: str,
        where: Location,
        revision: str,
        variant: str,
        note: str,
    ) -> None:
        self.references.append(
            ModelReference(
                kind, name, origin, call, where, revision, variant, note, self.scope_name
            )
        )


def _enclosing_class(scope: _Scope) -> ClassDef | None:
    """The class (as indexed) whose method ``scope`` is in."""
    current: _Scope | None = scope
    while current is not None and current.kind != "class" and current.cls is None:
        current = current.parent
    if current is None:
        return None
    cls = current if current.kind == "class" else current.cls
    return cls.indexed if cls is not None else None


def _path_expression(node: ast.expr) -> bool:
    """An expression that builds a filesystem path: ``a / b``, ``os.path.join``,
    ``Path(...)``, ``.parent``, or anything made from pytest's temporary folders."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div):
            return True
        if isinstance(sub, ast.Name) and sub.id in _TEMP_NAMES:
            return True
        if isinstance(sub, ast.Attribute) and sub.attr in ("parent", "parents", "joinpath"):
            return True
        if isinstance(sub, ast.Call):
            name = _short(sub.func)
            if name.endswith(("path.join", "Path", "joinpath", "mkdtemp", "gettempdir")):
                return True
    return False


def _looks_like_path(value: str) -> bool:
    return (
        value.startswith((".", "/", "\\"))
        or value.count("/") > 1
        or bool(re.match(r"^[A-Za-z]:[\\/]", value))
        or value.endswith((".bin", ".pt", ".pth", ".safetensors", ".ckpt", ".onnx", ".gguf"))
    )


def group_references(
    references: tuple[ModelReference, ...],
) -> list[tuple[ModelReference, tuple[ModelReference, ...]]]:
    """References grouped by model/dataset identity: (first reference, all of them), sorted."""
    groups: dict[tuple[str, str], list[ModelReference]] = {}
    for ref in references:
        groups.setdefault(ref.key, []).append(ref)
    return [(refs[0], tuple(refs)) for _, refs in sorted(groups.items())]
