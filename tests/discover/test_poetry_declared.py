"""A Poetry project with no ``[project]`` table declares in ``[tool.poetry]`` (a real one:
TransformerLens before it moved to uv); without its lock it used to declare nothing."""

from __future__ import annotations

from pathlib import Path

from dllicense.discover.pyproject import read_pyproject

PYPROJECT = Path(__file__).parents[1] / "fixtures" / "tryout" / "transformerlens-poetry"
RUNTIME = {
    "accelerate", "beartype", "better-abc", "datasets", "einops", "fancy-einsum", "jaxtyping",
    "numpy", "pandas", "rich", "sentencepiece", "torch", "tqdm", "transformers",
    "transformers-stream-generator", "typeguard", "typing-extensions", "wandb",
}  # fmt: skip


def test_tool_poetry_tables_are_the_declarations() -> None:
    name, declared, problems, _ = read_pyproject(PYPROJECT / "pyproject.toml", "pyproject.toml")
    assert problems == [] and name == "transformer-lens"
    runtime = [d for d in declared if d.scope == "runtime"]
    assert {d.name for d in runtime} == RUNTIME  # python is no dependency
    beartype = next(d for d in runtime if d.name == "beartype")
    assert beartype.specifier == "<0.15,>=0.14.1"  # poetry's ^0.14.1, as poetry-core reads it
    text = (PYPROJECT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    assert beartype.location.line and text[beartype.location.line - 1].strip().startswith("beart")
    numpy = sorted((d.specifier, d.marker) for d in runtime if d.name == "numpy")
    assert len(numpy) == 2 and all("python_full_version" in m for _, m in numpy)
    groups = {(d.scope, d.name) for d in declared if d.scope != "runtime"}
    assert {("group:dev", "pytest"), ("group:jupyter", "jupyterlab")} <= groups
    assert ("group:docs", "sphinx") in groups


def test_caret_and_tilde_are_poetry_core_ranges() -> None:
    """poetry-core's documented meaning (python-poetry.org/docs/dependency-specification)."""
    from dllicense.discover.locks.common import pep440

    cases = {
        "^1.2.3": "<2,>=1.2.3",
        "^0.2.3": "<0.3,>=0.2.3",
        "^0.0.3": "<0.0.4,>=0.0.3",
        "^0.0": "<0.1,>=0.0",
        "^0": "<1,>=0",
        "~1.2.3": "<1.3,>=1.2.3",
        "~1": "<2,>=1",
        "~=1.2": "~=1.2",
        "^2.1.0, !=2.1.3": "!=2.1.3,<3,>=2.1.0",
        ">=1 || <0": "",
    }
    assert {spec: pep440(spec) for spec in cases} == cases
