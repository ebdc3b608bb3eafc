"""Call recognition: the calls that load a model or dataset, their name argument
resolved to strings (``constants``), each value made a ``ModelReference`` or a finding."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dllicense.discover.loaders import ClassDef, Loader, ProjectIndex, aliases
from dllicense.discover.modelrefs.bindings import Walker
from dllicense.discover.modelrefs.constants import (
    STRING_CALLS,
    Resolver,
    Scope,
    Unresolved,
    Values,
    short,
)
from dllicense.discover.modelrefs.reference import ModelReference, file_scope
from dllicense.models import Location, Problem
from dllicense.records import frozen

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
# pytest's temporary-folder fixtures: paths built from them are never Hub ids
_TEMP_NAMES = frozenset({"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory", "tempfile"})


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


@frozen
class _Match:
    kind: str
    origin: str
    arg: ast.expr
    revision: ast.expr | None = None
    variant: str = ""
    prefix: str = ""  # prepended to the resolved name (timm/, torchvision/)
    object_ok: bool = False  # the argument may be a loaded object rather than a name
    loader: Loader | None = None  # a project from_pretrained that passes the id to the Hub


class Finder(Walker):
    """The loading calls of one module (or notebook cell): ``references`` and ``problems``."""

    def __init__(
        self, root: Path, path: Path, rel: str, cell: int, index: ProjectIndex | None = None
    ) -> None:
        super().__init__(rel, cell, index)
        self.scope_name = file_scope(rel)
        self.root = root
        self.folder = path.parent
        self.resolver = Resolver(self.imports)
        self.references: list[ModelReference] = []

    def _call(self, call: ast.Call, scope: Scope) -> None:
        found = self._recognise(call, scope)
        if found is None:
            return
        where = Location(self.rel, call.lineno)
        label = short(call.func)
        if found.object_ok and self._is_object(found.arg, scope):
            return
        try:
            values = self.resolver.values(found.arg, scope)
        except Unresolved as error:
            self._unresolved(found, label, where, scope, error.why)
            return
        if found.loader is not None and found.loader.accepted is not None:
            kept = tuple(v for v in values.values if v in found.loader.accepted)
            values = Values(kept, values.notes)
        revision = ""
        if found.revision is not None:
            try:
                revision = ",".join(self.resolver.values(found.revision, scope).values)
            except Unresolved:
                revision = ""
        for value in values.values:
            self._reference(found, value, values.notes, label, where, revision)

    def _unresolved(
        self, found: _Match, label: str, where: Location, scope: Scope, why: str
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
                    f"{self._cell()}{label}({short(found.arg)}){via}: a local path built at "
                    f"run time ({why}); its licence is not checked",
                    location=where,
                )
            )
            return
        self.problems.append(
            Problem(
                "DL060",
                f"{self._cell()}{label}({short(found.arg)}){via}: the {found.kind} "
                f"name cannot be resolved statically ({why}); its licence is not checked",
                location=where,
            )
        )

    def _loader_parameter(self, arg: ast.expr, scope: Scope) -> bool:
        """Is ``arg`` a parameter of a function a project ``from_pretrained`` passes its id
        through (the ids are the call sites' values)?"""
        current: Scope | None = scope
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

    def _project_loader(self, receiver: ast.expr, scope: Scope) -> Loader | bool | None:
        """The project ``from_pretrained`` ``receiver.from_pretrained`` calls: a Loader, or
        False when the receiver is not a class of the project (or inherits the method)."""
        index = self.index
        cls = _enclosing_class(scope)
        if isinstance(receiver, ast.Call) and short(receiver.func) == "super":
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

    def _is_object(self, node: ast.expr, scope: Scope) -> bool:
        """A name bound only to calls that load something (a model object, not its id)."""
        if isinstance(node, ast.Call):
            return self.resolver.qualified(node.func) not in STRING_CALLS
        if not isinstance(node, ast.Name):
            return False
        try:
            bindings = self.resolver._bindings(node.id, scope)
        except Unresolved:
            return False
        return all(
            b.kind == "value"
            and isinstance(b.expr, ast.Call)
            and self.resolver.qualified(b.expr.func) not in STRING_CALLS
            and not (
                isinstance(b.expr.func, ast.Attribute) and b.expr.func.attr in ("format", "join")
            )
            for b in bindings
        )

    def _recognise(self, call: ast.Call, scope: Scope) -> _Match | None:
        func = call.func
        qualified = self.resolver.qualified(func)
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        revision = _arg(call, None, "revision")
        if last == "from_pretrained":
            receiver = short(func.value) if isinstance(func, ast.Attribute) else ""
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
        variant = short(weights) if weights is not None else "pretrained=True"
        if last == "get_model":
            arg = _arg(call, 0, "name")
            if arg is None:
                return None
            return _Match("model", "torchvision", arg, variant=variant, prefix="torchvision/")
        return _Match(
            "model", "torchvision", ast.Constant(last), variant=variant, prefix="torchvision/"
        )

    def _torch_hub(self, call: ast.Call, scope: Scope) -> _Match | None:
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


def _enclosing_class(scope: Scope) -> ClassDef | None:
    """The class (as indexed) whose method ``scope`` is in."""
    current: Scope | None = scope
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
            name = short(sub.func)
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
