"""Read the data files shipped inside ``dllicense.knowledge``, each at most once."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from functools import cache
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from dllicense.resources import package_text
from dllicense.tomlfile import parse_toml

PACKAGE = "dllicense.knowledge"
VOCABULARY_FILE = "vocabulary.toml"
GENERATED_FILE = "licenses.generated.json"
CURATED_FILE = "licenses.curated.toml"
LICENSEREFS_FILE = "licenserefs.toml"
FRAMEWORKS_FILE = "frameworks.toml"
CONDA_PYPI_FILE = "conda_pypi.json"
VOCABULARY_FIELDS = ("family", "patent", "commercial", "obligations", "retaliation")


class KnowledgeError(ValueError):
    """A shipped knowledge file is missing or inconsistent (a packaging bug)."""


def read_text(name: str) -> str:
    """The text of a data file of the package."""
    try:
        return package_text(__file__, name)
    except OSError as error:
        raise KnowledgeError(f"knowledge file {name} cannot be read: {error}") from error


@cache
def load_toml(name: str) -> Mapping[str, Any]:
    """A TOML data file, parsed once."""
    try:
        return parse_toml(read_text(name))  # the shipped file's stored parse (``preparsed``)
    except tomllib.TOMLDecodeError as error:
        raise KnowledgeError(f"knowledge file {name} is not valid TOML: {error}") from error


@cache
def load_json(name: str) -> Mapping[str, Any]:
    """A JSON data file, parsed once."""
    try:
        data = json.loads(read_text(name))
    except json.JSONDecodeError as error:
        raise KnowledgeError(f"knowledge file {name} is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise KnowledgeError(f"knowledge file {name} must hold a JSON object")
    return data


@cache
def vocabulary() -> Mapping[str, Mapping[str, str]]:
    """Allowed trait values with their one-line meanings, per field."""
    data = load_toml(VOCABULARY_FILE)
    result: dict[str, Mapping[str, str]] = {}
    for field in VOCABULARY_FIELDS:
        values = data.get(field)
        if not isinstance(values, dict) or not values:
            raise KnowledgeError(f"{VOCABULARY_FILE}: missing table [{field}]")
        result[field] = {str(k): str(v) for k, v in values.items()}
    return result


def meaning(field: str, value: str) -> str:
    """The one-line meaning of a trait value ("" when the value is not in the vocabulary)."""
    return vocabulary().get(field, {}).get(value, "")
