"""scripts/gen_license_traits.py reproduces the committed generated file."""

from __future__ import annotations

import importlib.util
import json
from importlib import metadata
from types import ModuleType
from typing import Any

import pytest

from .conftest import KNOWLEDGE, ROOT, load


def _script() -> ModuleType:
    path = ROOT / "scripts" / "gen_license_traits.py"
    spec = importlib.util.spec_from_file_location("gen_license_traits", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


def test_generator_reproduces_the_committed_file_byte_for_byte(script: ModuleType) -> None:
    committed = (KNOWLEDGE / "licenses.generated.json").read_bytes()
    recorded = json.loads(committed)["source"]["version"]
    installed = metadata.version("license-expression")
    if installed != recorded:
        pytest.skip(
            f"license-expression {installed} installed, file generated with {recorded}: "
            "run python scripts/gen_license_traits.py"
        )
    assert script.render().encode("utf-8") == committed


def test_check_mode_passes_on_the_committed_file(script: ModuleType) -> None:
    recorded = load("licenses.generated.json")["source"]["version"]
    if metadata.version("license-expression") != recorded:
        pytest.skip("license-expression version differs from the generated file")
    assert script.main(["--check"]) == 0


def test_check_mode_fails_on_a_stale_file(script: ModuleType, tmp_path: Any) -> None:
    stale = tmp_path / "stale.json"
    stale.write_text("{}\n", encoding="utf-8")
    assert script.main(["--check", "--output", str(stale)]) == 1


def _index_entry(key: str, category: str) -> dict[str, Any]:
    return {
        "license_key": key.lower(),
        "spdx_license_key": key,
        "category": category,
        "other_spdx_license_keys": [],
        "is_exception": False,
        "is_deprecated": False,
    }


def test_build_refuses_unknown_category_and_override_keys(script: ModuleType) -> None:
    rules = load("licenses.curated.toml")
    vocabulary = load("vocabulary.toml")
    with pytest.raises(script.GenerationError, match="category_map"):
        script.build([_index_entry("X-1.0", "Brand New")], "0", {}, rules, vocabulary)
    with pytest.raises(script.GenerationError, match="not an SPDX id"):
        script.build([_index_entry("MIT", "Permissive")], "0", {}, rules, vocabulary)


def test_build_is_deterministic_and_sorted(script: ModuleType) -> None:
    first, second = script.render(), script.render()
    assert first == second
    keys = [r["key"] for r in json.loads(first)["licenses"]]
    assert keys == sorted(keys, key=lambda k: (k.lower(), k))
