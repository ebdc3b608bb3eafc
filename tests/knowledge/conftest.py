"""Helpers for the knowledge-base tests: data files, schemas and the pinned index."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KNOWLEDGE = Path(str(resources.files("dllicense.knowledge")))
SCHEMAS = KNOWLEDGE / "schemas"
ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = {
    "licenses.generated.json": "licenses.generated.schema.json",
    "licenses.curated.toml": "licenses.curated.schema.json",
    "licenserefs.toml": "licenserefs.schema.json",
    "frameworks.toml": "frameworks.schema.json",
    "vocabulary.toml": "vocabulary.schema.json",
}


def load(name: str) -> Any:
    """A data file of the package, parsed (JSON or TOML)."""
    path = KNOWLEDGE / name
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else tomllib.loads(text)


@pytest.fixture(scope="session")
def schemas() -> Mapping[str, Any]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}


@pytest.fixture(scope="session")
def pinned_spdx_ids() -> set[str]:
    """Every SPDX id of the licence list bundled with the installed license-expression."""
    index = json.loads(
        (
            resources.files("license_expression") / "data" / "scancode-licensedb-index.json"
        ).read_text(encoding="utf-8")
    )
    return {
        entry["spdx_license_key"]
        for entry in index
        if entry.get("spdx_license_key") and not entry["spdx_license_key"].startswith("LicenseRef-")
    }
