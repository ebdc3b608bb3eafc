"""``.pre-commit-hooks.yaml``: the hook pre-commit reads from this repository."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.gate.conftest import REPO


@pytest.fixture(scope="module")
def hook() -> dict[str, object]:
    (only,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert isinstance(only, dict)
    return only


def test_hook_fields(hook: dict[str, object]) -> None:
    assert hook["id"] == "dllicense"
    assert hook["entry"] == "dllicense scan"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("pyproject.toml", True),
        ("services/api/pyproject.toml", True),
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("dev-requirements.txt", True),
        ("requirements/base.txt", True),
        ("uv.lock", True),
        ("poetry.lock", True),
        ("pylock.toml", True),
        ("pylock.dev.toml", True),
        ("Pipfile.lock", True),
        ("pdm.lock", True),
        ("dllicense.toml", True),
        ("environment.yml", True),
        ("setup.py", True),
        ("setup.cfg", True),
        ("environment.yaml", True),
        ("gradle/libs.versions.toml", True),
        ("tools/setup.py.bak", False),
        ("src/app/model.py", False),
        ("README.md", False),
        ("mypyproject.toml", False),
        ("requirements/nested/x.txt", False),
    ],
)
def test_files_pattern(hook: dict[str, object], path: str, runs: bool) -> None:
    assert bool(re.search(str(hook["files"]), path)) is runs
