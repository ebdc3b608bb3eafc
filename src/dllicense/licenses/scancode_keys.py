"""scancode's licence database as license-expression ships it (no scancode install needed).

Packages of the scancode family write scancode keys in their metadata
(``apache-2.0 AND bsd-simplified-darwin``); scancode names licences without
an SPDX id ``LicenseRef-scancode-<key>``. Both are mapped here, with the
database's category for each key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class ScancodeKey:
    key: str  # scancode key, e.g. "bsd-simplified-darwin"
    spdx: str  # SPDX id or LicenseRef-scancode-<key>
    category: str  # "Permissive", "Copyleft", ...


@cache
def scancode_index() -> dict[str, ScancodeKey]:
    """Lower-cased scancode key and LicenseRef-scancode id -> the record."""
    text = (
        resources.files("license_expression")
        .joinpath("data")
        .joinpath("scancode-licensedb-index.json")
        .read_text("utf-8")
    )
    out: dict[str, ScancodeKey] = {}
    for item in json.loads(text):
        record = ScancodeKey(
            item["license_key"],
            item.get("spdx_license_key") or f"LicenseRef-scancode-{item['license_key']}",
            item.get("category", ""),
        )
        out.setdefault(record.key.lower(), record)
        out.setdefault(f"licenseref-scancode-{record.key}".lower(), record)
    return out


def spdx_for_scancode_key(key: str) -> str | None:
    """The SPDX id (or LicenseRef-scancode-*) of a scancode key, None if it is not one."""
    record = scancode_index().get(key.lower())
    return record.spdx if record else None
