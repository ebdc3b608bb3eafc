"""Parser boundaries for scanned text: deep nesting is a parse error, not a crash.

``json.loads`` and ``tomllib.loads`` recurse once per nesting level: a file of
100,000 ``[`` raises ``RecursionError``. Here that is a ``ValueError`` (JSON's
``JSONDecodeError`` is one too), so each reader's "cannot read this file"
finding covers it and the rest of the scan goes on.
"""

from __future__ import annotations

import json
from typing import Any

TOO_DEEP = "nested too deeply"


def parse_json(text: str | bytes) -> Any:
    """``json.loads``; raises ``ValueError`` for invalid or too deeply nested JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON {TOO_DEEP}") from None
