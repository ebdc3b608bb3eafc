"""The shipped TOML data files, pre-parsed: JSON keyed by the sha256 of each file's text.

``tomllib`` is pure Python: parsing the knowledge base, the rules and the
default policy took about 45 ms of every scan's start. ``preparsed.json``
(written by ``scripts/gen_preparsed.py``) holds the parse of each shipped TOML
file as JSON, keyed by the sha256 of the exact text it came from. A text whose
digest is not there (an edited file, a user's own file) is parsed as before, so
an entry can be stale or missing without changing any answer; a test checks
that every shipped TOML file has its entry and that it equals ``tomllib``'s parse.
Only files whose parse survives JSON unchanged (no dates) are stored.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from dllicense.resources import package_text

FILE = "preparsed.json"


def digest(text: str) -> str:
    """The key of ``text`` in the table."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def _table() -> dict[str, str]:
    """sha256 -> the JSON of that text's parse (decoded per use: callers get fresh objects)."""
    try:
        data = json.loads(package_text(__file__, FILE))
    except (OSError, ValueError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}


def preparsed(text: str) -> dict[str, Any] | None:
    """The stored parse of exactly ``text``, or None."""
    found = _table().get(digest(text))
    if found is None:
        return None
    value = json.loads(found)
    return value if isinstance(value, dict) else None
