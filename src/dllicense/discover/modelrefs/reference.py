"""What model-reference discovery finds: ``ModelReference``, and the scope of a file."""

from __future__ import annotations

from dllicense.models import Location, Problem
from dllicense.records import frozen

# folders whose code is not the product: references there get their own scope (group:NAME)
NON_PRODUCT = {
    "tests": "tests", "test": "tests", "testing": "tests", "examples": "examples",
    "example": "examples", "docs": "docs", "doc": "docs", "benchmarks": "benchmarks",
    "benchmark": "benchmarks",
}  # fmt: skip


@frozen
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


@frozen
class SourceScan:
    references: tuple[ModelReference, ...]
    problems: tuple[Problem, ...]
    files: tuple[str, ...]  # project-relative paths of the files parsed


def group_references(
    references: tuple[ModelReference, ...],
) -> list[tuple[ModelReference, tuple[ModelReference, ...]]]:
    """References grouped by model/dataset identity: (first reference, all of them), sorted."""
    groups: dict[tuple[str, str], list[ModelReference]] = {}
    for ref in references:
        groups.setdefault(ref.key, []).append(ref)
    return [(refs[0], tuple(refs)) for _, refs in sorted(groups.items())]
