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

The package, by job: ``walk`` (the project's files, read and parsed; findings merged),
``notebooks`` (a notebook's code cells, a module parsed), ``constants`` (scopes and
the values of string expressions), ``bindings`` (what each name is bound to, per
scope), ``calls`` (the loading calls recognised), ``reference`` (the result).
"""

from dllicense.discover.modelrefs.reference import (
    NON_PRODUCT,
    ModelReference,
    SourceScan,
    file_scope,
    group_references,
)
from dllicense.discover.modelrefs.walk import MAX_FILE_BYTES, MAX_FILES, scan_sources, source_files

__all__ = [
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "NON_PRODUCT",
    "ModelReference",
    "SourceScan",
    "file_scope",
    "group_references",
    "scan_sources",
    "source_files",
]
