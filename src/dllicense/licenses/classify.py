"""Evidence to one SPDX expression with a confidence and recorded disagreements.

1. The declaration decides: a clarification, PEP 639 ``License-Expression``,
   the ``License`` field (a name, or a text identified by the engine), the
   licence classifiers (several name alternatives: OR). A vague ``License``
   ("BSD") gives way to classifiers that name its family and more.
2. Without a declaration, the package's own licence files decide, then the
   knowledge base.
3. Vague terms (``LicenseRef-dllicense-unspecified-BSD``) are refined with the
   licences the files contain; a file that adds an exception (``Apache-2.0
   WITH LLVM-exception``) or a GNU text whose metadata says "or later"
   refines the declared term. A ``PATENTS`` file joins with AND.
4. Evidence that contradicts the result is recorded; it never silently wins.
5. Terms a model card adds to its licence (``card-terms``: ``commercial: false``) join
   with AND, or stand alone (low confidence) when the licence itself is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dllicense.licenses.spdx import (
    VAGUE_PREFIX,
    license_keys,
    normalize_expression,
    related_licences,
    replace_key,
)
from dllicense.models import Evidence, Verdict

# "model-card": the `license:` of a model card's front matter (a Hub id), decides like License
DECLARED = (
    "clarification",
    "license-expression",
    "license",
    "license-text",
    "model-card",
    "classifier",
)
# "weights-metadata": a licence in a weight file's header (safetensors __metadata__)
FALLBACK = ("license-file", "weights-metadata", "knowledge")
_CONFIDENCE = {
    "clarification": "high",
    "license-expression": "high",
    "license": "medium",
    "model-card": "high",
    "license-text": "high",
    "license-file": "high",
    "weights-metadata": "medium",
    "classifier": "medium",
    "knowledge": "medium",
}
# Which SPDX ids a vague family placeholder stands for (prefixes of the ids).
FAMILY_PREFIXES = {
    "BSD": ("BSD-", "0BSD"),
    "GPL": ("GPL-",),
    "LGPL": ("LGPL-",),
    "AGPL": ("AGPL-",),
    "Artistic": ("Artistic-",),
    "proprietary": ("LicenseRef-",),
}
_GNU = re.compile(r"^((?:L|A)?GPL)-(\d\.\d)-(only|or-later)$")


def classify(evidence: Sequence[Evidence]) -> Verdict:
    """Decide the licence expression of one package from its evidence."""
    chosen = _declared(evidence) or _fallback(evidence)
    terms = [e for e in evidence if e.kind == "card-terms" and e.expression]
    alone = not chosen and bool(terms)
    chosen = chosen or terms[:1]
    if not chosen:
        why = tuple(f"{e.source}: {e.note}" for e in evidence if e.note and e.kind in _CONFIDENCE)
        return Verdict("", "none", (), notes=why)
    expression = _combine(chosen)
    notes = [f"{e.source}: {e.note}" for e in chosen if e.note]
    files = [e for e in evidence if e.kind in ("license-file", "license-text") and e.expression]
    expression = _refine_vague(expression, evidence, notes)
    expression = _refine_with_files(expression, files, notes)
    expression = _refine_with_knowledge(expression, evidence, notes)
    from_text = chosen[0].kind in ("license-file", "license-text")
    expression = _gnu_versions(expression, from_text, evidence, notes)
    joined = ("patents-file", "card-terms")
    for patents in (e for e in evidence if e.kind in joined and e.expression):
        if patents.expression not in expression:
            expression = f"{_wrap(expression)} AND {patents.expression}"
            notes.append(f"{patents.source} adds {patents.expression}")
    confidence = "medium" if alone else _CONFIDENCE[chosen[0].kind]
    if alone:
        notes.append("the licence itself is unknown: only the card's terms are known")
    if VAGUE_PREFIX in expression or any(e.note.startswith("low-confidence") for e in chosen):
        confidence = "low"
    return Verdict(
        expression=expression,
        confidence=confidence,
        decided_by=tuple(e.source for e in chosen),
        disagreements=_disagreements(expression, evidence, chosen, notes),
        notes=tuple(dict.fromkeys(notes)),
    )


def _declared(evidence: Sequence[Evidence]) -> list[Evidence]:
    by_kind = {k: [e for e in evidence if e.kind == k and e.expression] for k in DECLARED}
    for kind in ("clarification", "license-expression"):
        if by_kind[kind]:
            return by_kind[kind][:1]
    field = by_kind["license"] or by_kind["license-text"] or by_kind["model-card"]
    classifiers = by_kind["classifier"]
    if field and field[0].vague and classifiers:
        family = _families(field[0].expression)
        covering = _combine(classifiers)
        if (
            family <= _families(covering) | _specific_families(covering)
            and covering != field[0].expression
        ):
            return classifiers
    return field[:1] or classifiers


def _fallback(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Without a declaration: all of the package's own licence files, else the knowledge base."""
    for kind in FALLBACK:
        found = [e for e in evidence if e.kind == kind and e.expression]
        if found:
            return found if kind == "license-file" else found[:1]
    return []


def _families(expression: str) -> set[str]:
    """The vague families named in an expression ("BSD" for the BSD placeholder)."""
    return {k.removeprefix(VAGUE_PREFIX) for k in license_keys(expression) if VAGUE_PREFIX in k}


def _specific_families(expression: str) -> set[str]:
    return {
        family
        for family, prefixes in FAMILY_PREFIXES.items()
        for key in license_keys(expression)
        if VAGUE_PREFIX not in key and key.startswith(prefixes)
    }


def _combine(chosen: list[Evidence]) -> str:
    """Several classifiers name alternatives (OR), a vague one yielding to a specific sibling;
    several licence files each cover part of the package (AND), unless one of them offers a
    choice that covers the others ("either LICENSE.APACHE or LICENSE.BSD")."""
    expressions = list(dict.fromkeys(e.expression for e in chosen))
    if len(expressions) == 1:
        return expressions[0]
    if chosen[0].kind == "license-file":
        for x in expressions:
            own = set(license_keys(x))
            if " OR " in x and any(
                _overlap(own, set(license_keys(y))) for y in expressions if y != x
            ):
                return x
        return " AND ".join(_wrap(x) for x in expressions)
    if chosen[0].kind != "classifier":
        return expressions[0]
    specific = _specific_families(" OR ".join(expressions))
    kept = [x for x in expressions if not (_families(x) and _families(x) <= specific)]
    return " OR ".join(_wrap(x) for x in kept)


def _refine_vague(expression: str, evidence: Sequence[Evidence], notes: list[str]) -> str:
    """Replace each vague family term with the one licence of that family the evidence names."""
    for family in sorted(_families(expression)):
        prefixes = FAMILY_PREFIXES.get(family, ())
        candidates: list[str] = []
        for item in evidence:
            if item.vague or not item.expression:
                continue
            for term in item.matched or _terms(item.expression):
                if any(
                    k.startswith(prefixes) and VAGUE_PREFIX not in k for k in license_keys(term)
                ):
                    candidates.append(term)
        if candidates:
            placeholder = f"{VAGUE_PREFIX}{family}"
            expression = replace_key(expression, placeholder, _wrap(candidates[0]))
            notes.append(f"{family} (named vaguely) read as {candidates[0]} from the evidence")
    return normalize_expression(expression).expression or expression


def _refine_with_files(expression: str, files: list[Evidence], notes: list[str]) -> str:
    """A licence file that adds an exception to a declared licence (X -> X WITH E) refines it."""
    keys = set(license_keys(expression))
    for item in files:
        for term in _terms(item.expression):
            base, sep, _ = term.partition(" WITH ")
            if sep and base in keys and term not in expression:
                expression = replace_key(expression, base, term)
                notes.append(f"{item.source} adds the exception: {term}")
    return expression


def _refine_with_knowledge(expression: str, evidence: Sequence[Evidence], notes: list[str]) -> str:
    """Known components the metadata omits join with AND (CNTK before 2.5: its 1-bit SGD)."""
    if " OR " in expression:
        return expression
    decided = set(license_keys(expression))
    for item in evidence:
        if item.kind != "knowledge" or " OR " in item.expression:
            continue
        known = set(license_keys(item.expression))
        if decided and decided < known:
            notes.append(f"{item.source} adds what the metadata omits: {item.expression}")
            return item.expression
    return expression


def _gnu_versions(
    expression: str, from_text: bool, evidence: Sequence[Evidence], notes: list[str]
) -> str:
    """Combine what GNU texts and GNU names each say.

    A GNU licence text does not say "or later" (the LGPL-2.1 text reads as
    LGPL-2.1-only), while a name or classifier may (LGPLv2+); and a name may
    give an older version than the text shipped. Together: LGPL-2.1-or-later.
    """
    found = _GNU.match(expression)
    if not found:
        return expression
    family, version, kind = found.groups()
    for item in evidence:
        for key in license_keys(item.expression):
            other = _GNU.match(key)
            if not other or other.group(1) != family or key == expression:
                continue
            o_version, o_kind = other.group(2), other.group(3)
            text_is_other = item.kind in ("license-file", "license-text")
            if from_text and kind == "only" and o_kind == "or-later" and o_version <= version:
                refined = f"{family}-{version}-or-later"
            elif kind == "or-later" and text_is_other and o_version > version:
                refined = f"{family}-{o_version}-or-later"
            else:
                continue
            notes.append(f"{item.source} says {key}: read together as {refined}")
            return refined
    return expression


def _disagreements(
    expression: str, evidence: Sequence[Evidence], chosen: list[Evidence], notes: list[str]
) -> tuple[str, ...]:
    """Evidence that names none of the decided licences disagrees; a partial overlap is noted."""
    decided = set(license_keys(expression))
    out = []
    for item in evidence:
        if item in chosen or not item.expression or item.kind not in _CONFIDENCE:
            continue
        keys = set(license_keys(item.expression))
        if item.vague:
            fits = all(
                any(k.startswith(FAMILY_PREFIXES.get(f, ("",))) for k in decided)
                for f in _families(item.expression)
            )
            if not fits:
                out.append(f"{item.source} says {item.value!r}")
        elif not _overlap(keys, decided):
            out.append(f"{item.source} says {item.expression}")
        elif not (keys <= decided or decided <= keys):
            notes.append(f"{item.source} says {item.expression}")
    return tuple(dict.fromkeys(out))


def _overlap(a: set[str], b: set[str]) -> bool:
    """Do two sets of licence ids share a licence (GNU version nuances and related ids count)?"""
    related = related_licences()
    return any(
        x == y or _same_gnu({x}, {y}) or related.get(x, x) == related.get(y, y)
        for x in a
        for y in b
    )


def _same_gnu(a: set[str], b: set[str]) -> bool:
    """One GNU licence named twice, once as "-only" and once as "-or-later" of an older version."""
    if len(a) != 1 or len(b) != 1:
        return False
    x, y = _GNU.match(next(iter(a))), _GNU.match(next(iter(b)))
    if not (x and y and x.group(1) == y.group(1)):
        return False
    low, high = sorted((x, y), key=lambda m: m.group(2))
    return low.group(2) == high.group(2) or low.group(3) == "or-later"


def _terms(expression: str) -> list[str]:
    """Top-level AND/OR operands of an expression, as written ("X WITH Y" stays whole)."""
    return [t.strip("() ") for t in re.split(r"\s+(?:AND|OR)\s+", expression) if t.strip("() ")]


def _wrap(expression: str) -> str:
    return f"({expression})" if " OR " in expression or " AND " in expression else expression
