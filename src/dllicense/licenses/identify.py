"""Fill in the expressions of licence texts (``License`` texts, licence files).

Texts are identified once per distinct content through ``textid`` (shipped
table, then the cache, then the scancode engine, loaded only when needed).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dllicense.collect import Collected
from dllicense.licenses.spdx import normalize_expression
from dllicense.models import Evidence

KINDS = {
    "none": frozenset(),
    "primary": frozenset({"license-text", "license-file", "patents-file"}),
    "all": frozenset({"license-text", "license-file", "patents-file", "third-party-file",
                      "notice-file"}),
}


def _text_of(item: Collected, evidence: Evidence) -> bytes | None:
    if evidence.kind == "license-text":
        return item.dist.license.encode("utf-8")
    for file in item.files:
        if file.relpath == evidence.source:
            return file.data
    return None


def identify_texts(
    collected: list[Collected], mode: str, cache_dir: Path | None, use_cache: bool
) -> tuple[list[Collected], int]:
    """Return the collected items with identified texts, and how many texts stayed unidentified."""
    kinds = KINDS[mode]
    wanted: dict[str, bytes] = {}
    for item in collected:
        for evidence in item.evidence:
            if evidence.kind in kinds and evidence.sha256 and evidence.sha256 not in wanted:
                text = _text_of(item, evidence)
                if text is not None:
                    wanted[evidence.sha256] = text
    if not wanted:
        return collected, 0
    from dllicense.licenses.textid import TextIdentifier  # heavy path: imported only when needed

    order = sorted(wanted)
    results = TextIdentifier(cache_dir, use_cache=use_cache).identify_many(
        [wanted[sha] for sha in order])
    found = dict(zip(order, results, strict=True))
    missing = sum(1 for r in results if r is None)
    out = []
    for item in collected:
        evidence = []
        for e in item.evidence:
            result = found.get(e.sha256) if e.kind in kinds else None
            if result is not None:
                expression = normalize_expression(result.expression).expression \
                    if result.expression else ""
                note = f"identified by {result.engine} (score {result.score:.0f})"
                if result.expression and not result.confident:
                    note = f"low-confidence match: {note}"
                elif not result.expression:
                    note = f"no licence found by {result.engine}"
                e = replace(e, expression=expression, note=note)
            elif e.kind in kinds and e.sha256 in found:
                e = replace(e, note="not identified: the scancode engine is not installed")
            evidence.append(e)
        out.append(replace(item, evidence=tuple(evidence)))
    return out, missing
