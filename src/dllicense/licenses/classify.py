"""Evidence to one SPDX expression with a confidence and recorded disagreements.

The most authoritative specific evidence decides (a clarification, then
PEP 639 ``License-Expression``, the ``License`` field, a licence text in
``License``, the package's own licence files, classifiers, the knowledge
base). Vague evidence ("BSD") decides only when nothing specific exists and is
otherwise checked for consistency. Evidence that contradicts the decision is
recorded as a disagreement; it never silently wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from dllicense.licenses.spdx import VAGUE_PREFIX, license_keys
from dllicense.models import Evidence, Verdict

RANK = {
    "clarification": 0,
    "license-expression": 1,
    "license": 2,
    "license-text": 3,
    "license-file": 4,
    "classifier": 5,
    "knowledge": 6,
}
_CONFIDENCE = {
    "clarification": "high",
    "license-expression": "high",
    "license": "medium",
    "license-text": "high",
    "license-file": "high",
    "classifier": "medium",
    "knowledge": "medium",
}


def classify(evidence: Sequence[Evidence]) -> Verdict:
    """Decide the licence expression of one package from its evidence."""
    deciding = [e for e in evidence if e.kind in RANK and e.expression]
    specific = [e for e in deciding if not e.vague]
    pool = specific or deciding
    if not pool:
        notes = tuple(f"{e.source}: {e.note}" for e in evidence if e.note and e.kind in RANK)
        return Verdict("", "none", (), notes=notes)
    best = min(RANK[e.kind] for e in pool)
    chosen = [e for e in pool if RANK[e.kind] == best]
    expression = _combine(chosen)
    confidence = "low" if not specific else _CONFIDENCE[chosen[0].kind]
    if any(e.note.startswith("low-confidence") for e in chosen):
        confidence = "low"
    for patents in (e for e in evidence if e.kind == "patents-file" and e.expression):
        if patents.expression not in expression:
            expression = f"{_wrap(expression)} AND {patents.expression}"
    disagreements = []
    notes = []
    decided_keys = set(license_keys(expression))
    for item in deciding:
        if item in chosen:
            continue
        keys = set(license_keys(item.expression))
        if item.vague:
            if not _vague_fits(item.expression, decided_keys):
                disagreements.append(f"{item.source} says {item.value!r}, which does not fit "
                                     f"{expression}")
            else:
                notes.append(f"{item.source} {item.value!r} refined to {expression}")
        elif not (keys <= decided_keys or decided_keys <= keys):
            disagreements.append(f"{item.source} says {item.expression}")
    for item in chosen:
        if item.note:
            notes.append(f"{item.source}: {item.note}")
    return Verdict(
        expression=expression,
        confidence=confidence,
        decided_by=tuple(e.source for e in chosen),
        disagreements=tuple(dict.fromkeys(disagreements)),
        notes=tuple(dict.fromkeys(notes)),
    )


def _wrap(expression: str) -> str:
    return f"({expression})" if " OR " in expression else expression


def _combine(chosen: list[Evidence]) -> str:
    """Several classifiers name alternatives (OR); one of anything else decides."""
    expressions = list(dict.fromkeys(e.expression for e in chosen))
    if len(expressions) == 1:
        return expressions[0]
    if chosen[0].kind == "classifier":
        return " OR ".join(_wrap(x) for x in expressions)
    return expressions[0]


# Which SPDX ids a vague family placeholder is consistent with.
_FAMILY_PREFIXES = {
    "BSD": ("BSD-", "0BSD"),
    "GPL": ("GPL-", "LGPL-", "AGPL-"),
    "LGPL": ("LGPL-",),
    "AGPL": ("AGPL-",),
    "proprietary": ("LicenseRef-",),
}


def _vague_fits(vague: str, keys: set[str]) -> bool:
    family = vague.removeprefix(VAGUE_PREFIX)
    prefixes = _FAMILY_PREFIXES.get(family)
    if prefixes is None:
        return True
    return any(k.startswith(prefixes) for k in keys)
