"""scancode's licence database as license-expression ships it (no scancode install needed).

Packages of the scancode family write scancode keys in their metadata
(``apache-2.0 AND bsd-simplified-darwin``); scancode names licences without
an SPDX id ``LicenseRef-scancode-<key>``. Both are mapped here, with the
database's category for each key.

The records come from ``data/scancode_keys.json`` (``scripts/gen_spdx_symbols.py``) when
the installed license-expression ships the very index that table was made from, else from
that index itself: parsing the 1 MB index took ~12 ms of each scan that needed one key.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from functools import cache
from typing import Any

from dllicense.records import frozen
from dllicense.resources import package_text


@frozen
class ScancodeKey:
    key: str  # scancode key, e.g. "bsd-simplified-darwin"
    spdx: str  # SPDX id or LicenseRef-scancode-<key>
    category: str  # "Permissive", "Copyleft", ...


@cache
def index_location() -> str:
    """The licence index file of the installed license-expression (our own dependency):
    its ``vendored_scancode_licensedb_index_location``, found without importing the library
    (~4 ms of every start-up); a test checks both agree."""
    spec = importlib.util.find_spec("license_expression")
    if spec is None or spec.origin is None:
        return ""
    return os.path.join(os.path.dirname(spec.origin), "data", "scancode-licensedb-index.json")


@cache
def index_digest() -> str:
    """sha256 of the licence index the installed license-expression builds its symbols from."""
    with open(index_location(), "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@cache
def generated_table(name: str) -> Any:
    """A table ``scripts/gen_spdx_symbols.py`` derived from license-expression's index, or
    None when it was made from another index than the installed one (or is unreadable)."""
    try:
        data = json.loads(package_text(__file__, f"data/{name}"))
        return data if data["index_sha256"] == index_digest() else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def scancode_records() -> list[tuple[str, str, str]]:
    """(key, SPDX id or LicenseRef-scancode-<key>, category) of every key of the index."""
    with open(index_location(), encoding="utf-8") as handle:
        items = json.load(handle)
    return [
        (
            item["license_key"],
            item.get("spdx_license_key") or f"LicenseRef-scancode-{item['license_key']}",
            item.get("category", ""),
        )
        for item in items
    ]


@cache
def scancode_index() -> dict[str, ScancodeKey]:
    """Lower-cased scancode key and LicenseRef-scancode id -> the record."""
    table = generated_table("scancode_keys.json")
    records = table["records"] if table is not None else scancode_records()
    out: dict[str, ScancodeKey] = {}
    for key, spdx, category in records:
        record = ScancodeKey(key, spdx, category)
        out.setdefault(record.key.lower(), record)
        out.setdefault(f"licenseref-scancode-{record.key}".lower(), record)
    return out


def spdx_for_scancode_key(key: str) -> str | None:
    """The SPDX id (or LicenseRef-scancode-*) of a scancode key, None if it is not one."""
    record = scancode_index().get(key.lower())
    return record.spdx if record else None
