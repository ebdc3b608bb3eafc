"""Real distributions' metadata and licence files come out with their correct expression.

Each folder of ``fixtures/dists`` is the dist-info of a real wheel (see
``fixtures/README.md``); ``fixtures/expected.toml`` holds the expression a
human reviewer concluded from the metadata and the licence files.
"""

from __future__ import annotations

from typing import Any

import pytest

from dllicense.tomlfile import parse_toml
from tests.conftest import DISTS, FIXTURES, scan_dirs

EXPECTED: dict[str, dict[str, Any]] = parse_toml(
    (FIXTURES / "expected.toml").read_text(encoding="utf-8")
)["dists"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One scan over every fixture folder at once (each is its own --path)."""
    project = tmp_path_factory.mktemp("empty-project")
    out = {}
    for folder in sorted(EXPECTED):
        result = scan_dirs(project, DISTS / folder)
        name = EXPECTED[folder]["name"]
        matches = [p for p in result.packages if p.node.name == name]
        assert matches, f"{folder}: {name} not found"
        out[folder] = (matches[0], result)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_expression(folder: str, results: dict[str, Any]) -> None:
    package, _ = results[folder]
    expected = EXPECTED[folder]
    assert package.node.version == expected["version"]
    assert package.verdict.expression == expected["expression"], (
        package.verdict,
        [e for e in package.evidence if e.expression],
    )


def test_fixture_folders_all_have_expectations() -> None:
    assert sorted(p.name for p in DISTS.iterdir() if p.is_dir()) == sorted(EXPECTED)
