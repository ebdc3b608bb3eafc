"""``--format csv``: one row per package, for spreadsheets and audits.

Multi-valued cells are joined with ``;`` (paths with ``>``). Cells that a
spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``) get a
leading apostrophe, since package metadata is untrusted.
"""

from __future__ import annotations

import csv
import io

from dllicense.models import ScanResult
from dllicense.report.common import trait

COLUMNS = (
    "name",
    "version",
    "license",
    "confidence",
    "status",
    "scopes",
    "direct",
    "path",
    "family",
    "patent",
    "commercial",
    "decided_by",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def render(result: ScanResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in result.packages:
        row = (
            p.node.name,
            p.node.version,
            p.verdict.expression,
            p.verdict.confidence,
            p.status,
            ";".join(p.node.scopes),
            "true" if p.node.direct else "false",
            " > ".join(p.node.path),
            trait(p, "family"),
            trait(p, "patent"),
            trait(p, "commercial"),
            ";".join(p.verdict.decided_by),
        )
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
