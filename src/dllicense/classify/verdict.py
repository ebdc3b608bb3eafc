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
    replace_key,
)
from dllicense.licenses.terms import FAMILY_PREFIXES, GENERIC, PUBLIC_DOMAIN, of_family
from dllicense.licenses.terms import GNU as _GNU
from dllicense.licenses.terms import families as _families
from dllicense.licenses.terms import is_exception as _is_exception
from dllicense.licenses.terms import overlap as _overlap
from dllicense.licenses.terms import placeholder as _placeholder
from dllicense.licenses.terms import specific_families as _specific_families
from dllicense.licenses.terms import terms as _terms
from dllicense.licenses.terms import wrap as _wrap
from dllicense.models import Confidence, Evidence, Verdict

# "model-card": the `license:` of a model card's front matter (a Hub id), decides like License
DECLARED = (
    "clarification",
    "license-expression",
    "license",
    "license-text",
    "model-card",
    "classifier",
)
# "weights-metadata": a licence in a weight file's header (safetensors __metadata__, GGUF
# general.license)
FALLBACK = ("license-file", "weights-metadata", "knowledge")
_CONFIDENCE: dict[str, Confidence] = {
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

__all__ = ["DECLARED", "FALLBACK", "FAMILY_PREFIXES", "PUBLIC_DOMAIN", "classify"]


def classify(evidence: Sequence[Evidence]) -> Verdict:
    """Decide the licence expression of one package from its evidence."""
    chosen = _declared(evidence) or _fallback(evidence)
    terms = [e for e in evidence if e.kind == "card-terms" and e.expression]
    alone = not chosen and bool(terms)
    chosen = chosen or terms[:1]
    if not chosen:
        why = tuple(f"{e.source}: {e.note}" for e in evidence if e.note and e.kind in _CONFIDENCE)
        return Verdict("", "none", (), notes=why)
    notes = [f"{e.source}: {e.note}" for e in chosen if e.note]
    expression = _combine(chosen, evidence, notes)
    files = [e for e in evidence if e.kind in ("license-file", "license-text") and e.expression]
    expression = _refine_vague(expression, evidence, notes)
    expression = _second_licence(expression, chosen, evidence, notes)
    expression = _refine_with_files(expression, files, notes)
    expression = _refine_with_knowledge(expression, evidence, notes)
    from_text = chosen[0].kind in ("license-file", "license-text")
    expression = _gnu_versions(expression, from_text, evidence, notes)
    joined = ("patents-file", "card-terms")
    for patents in (e for e in evidence if e.kind in joined and e.expression):
        if patents.expression not in expression:
            expression = f"{_wrap(expression)} AND {patents.expression}"
            notes.append(f"{patents.source} adds {patents.expression}")
    expression = _valid(expression, chosen, notes)
    confidence: Confidence = "medium" if alone else _CONFIDENCE[chosen[0].kind]
    if alone:
        notes.append("the licence itself is unknown: only the card's terms are known")
    if VAGUE_PREFIX in expression or any(e.note.startswith("low-confidence") for e in chosen):
        confidence = "low"
    bundled = _bundled(expression, evidence, chosen)
    quiet = [e for e in evidence if f"{e.source}: {e.expression}" not in bundled]
    return Verdict(
        expression=expression,
        confidence=confidence,
        decided_by=tuple(e.source for e in chosen),
        disagreements=_disagreements(expression, quiet, chosen, notes),
        notes=tuple(dict.fromkeys(notes)),
        bundled=bundled,
    )


def _bundled(
    expression: str, evidence: Sequence[Evidence], chosen: list[Evidence]
) -> tuple[str, ...]:
    """Licence texts the package ships that name licences outside its expression: a bundled
    third party's (a file outside the package's own licence files), or any file when a PEP 639
    License-Expression (complete by definition) decided. Each once, as "FILE: EXPRESSION"."""
    decided = set(license_keys(expression))
    by_expression = chosen[0].kind in ("license-expression", "clarification")
    out = []
    for item in evidence:
        if item in chosen or not item.expression or not item.sha256:
            continue
        if item.kind == "third-party-file" or (by_expression and item.kind == "license-file"):
            if _reuse_name(item.source) in decided:  # LicenseRef-X.txt: the text of LicenseRef-X
                continue
            keys = {k for k in license_keys(item.expression) if k not in GENERIC}
            if keys and not _overlap(keys, decided):
                out.append(f"{item.source}: {item.expression}")
    return tuple(dict.fromkeys(out))


def _reuse_name(source: str) -> str:
    """REUSE names a licence's file after its id (``LICENSES/LicenseRef-PdfiumThirdParty.txt``,
    pypdfium2): the id a file is the text of, or "" for other names."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem if stem.startswith("LicenseRef-") else ""


def _declared(evidence: Sequence[Evidence]) -> list[Evidence]:
    by_kind = {k: [e for e in evidence if e.kind == k and e.expression] for k in DECLARED}
    for kind in ("clarification", "license-expression"):
        if by_kind[kind]:
            return by_kind[kind][:1]
    field = by_kind["license"] or by_kind["license-text"] or by_kind["model-card"]
    classifiers = by_kind["classifier"]
    if field and _vague(field[0]) and classifiers:
        family = _families(field[0].expression)
        covering = " OR ".join(dict.fromkeys(_wrap(e.expression) for e in classifiers))
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


def _vague(item: Evidence) -> bool:
    """A family name only: the vague placeholders and "Public Domain"."""
    return item.vague or bool(item.expression and _families(item.expression))


def _combine(chosen: list[Evidence], evidence: Sequence[Evidence], notes: list[str]) -> str:
    """Several licence files each cover part of the package (AND), unless one of them offers
    a choice that covers the others ("either LICENSE.APACHE or LICENSE.BSD").

    Several classifiers do not say whether their licences are alternatives: a vague one
    yields to a specific sibling of its family; the rest are alternatives (OR) only when a
    text of the package offers that choice ("your choice of Unlicense or MIT-0"); otherwise
    the ones the package's licence texts confirm all apply (AND), and the others are left to
    the disagreements.
    """
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
    if len(kept) == 1:
        return kept[0]
    texts = [e for e in evidence if e.kind in _TEXT_KINDS and e.expression and not _vague(e)]
    for text in texts:
        for offer in (text.expression, *text.matched):
            if " OR " in offer and all(_covers(offer, x) for x in kept):
                notes.append(f"{text.source} offers the choice: {offer}")
                return " OR ".join(_wrap(x) for x in kept)
    confirmed = []
    for x in kept:
        if any(_covers(t.expression, x) for t in texts):
            confirmed.append(x)
        elif quoted := [(t.source, q) for t in texts for q in _quoted(t) if _covers(q, x)]:
            confirmed.append(x)  # dateutil: its LICENSE quotes the BSD text "for all code"
            source, named = quoted[0]
            notes.append(f"{source} also quotes {named}, which a classifier names: it applies too")
    unread = any(e.kind in _TEXT_KINDS[:3] and e.sha256 and not e.expression for e in evidence)
    if confirmed and len(confirmed) < len(kept) and not unread:
        dropped = ", ".join(x for x in kept if x not in confirmed)
        notes.append(f"classifiers not confirmed by any licence text: {dropped}")
        kept = confirmed
    notes.append("several licence classifiers, no text offering a choice: all apply (AND)")
    return " AND ".join(_wrap(x) for x in kept)


_TEXT_KINDS = ("license-file", "license-text", "third-party-file", "license")


def _quoted(text: Evidence) -> list[str]:
    """The other whole licence texts the package's own licence text quotes besides its own
    licence ("also quotes"): a second licence it puts shipped code under, or a bundled one."""
    if text.kind not in ("license-file", "license-text") or text.note.startswith("low-confidence"):
        return []
    own = set(license_keys(text.expression))
    return [m for m in text.matched if m not in own and m not in GENERIC]


def _covers(text: str, term: str) -> bool:
    """Does an expression name the licence ``term`` (a vague one: any of its family)?"""
    keys = set(license_keys(text))
    families = _families(term)
    if families:
        return all(
            any(k.startswith(FAMILY_PREFIXES.get(f, ("",))) and k != _placeholder(f) for k in keys)
            or _placeholder(f) in keys
            for f in families
        )
    return _overlap(keys, set(license_keys(term)))


def _second_licence(
    expression: str, chosen: list[Evidence], evidence: Sequence[Evidence], notes: list[str]
) -> str:
    """The package's own licence files confirm the declared licence and another file of theirs
    puts the shipped code under a second licence that the metadata also names (cmake's
    LICENSE_BSD_3 beside its Apache text, and its BSD classifier): both apply (AND). A PEP 639
    expression or a clarification is complete as given."""
    if chosen[0].kind in ("clarification", "license-expression", "license-file", "knowledge"):
        return expression
    own = [
        e
        for e in evidence
        if e.kind == "license-file" and e.expression and not e.note.startswith("low-confidence")
    ]
    decided = set(license_keys(expression))
    if " OR " in expression or not any(
        _overlap(set(license_keys(e.expression)), decided) for e in own
    ):
        return expression
    declared = [e for e in evidence if e.kind in ("license", "classifier") and e.expression]
    for item in own:
        keys = set(license_keys(item.expression))
        named = any(
            _covers(m.expression, item.expression) or _covers(item.expression, m.expression)
            for m in declared
        )
        if not _overlap(keys, decided) and not _families(item.expression) and named:
            expression = f"{_wrap(expression)} AND {_wrap(item.expression)}"
            decided |= keys
            notes.append(f"{item.source} puts part of the package under {item.expression}")
    return expression


def _valid(expression: str, chosen: list[Evidence], notes: list[str]) -> str:
    """An expression that license-expression cannot parse, or that names an exception twice on
    one licence, is never emitted: the deciding evidence's own expression stands instead."""
    if _well_formed(expression):
        return expression
    notes.append(f"refinement gave an invalid expression ({expression}); kept the declared one")
    fallback = _combine_plain(chosen)
    return fallback if _well_formed(fallback) else ""


def _combine_plain(chosen: list[Evidence]) -> str:
    return " AND ".join(_wrap(x) for x in dict.fromkeys(e.expression for e in chosen))


def _well_formed(expression: str) -> bool:
    if not expression:
        return True
    if re.search(r"\bWITH\s+[^()\s]+\s+WITH\b", expression):
        return False
    return bool(license_keys(expression)) and normalize_expression(expression).expression != ""


def _refine_vague(expression: str, evidence: Sequence[Evidence], notes: list[str]) -> str:
    """Replace each vague family term with the one licence of that family the evidence names."""
    for family in sorted(_families(expression)):
        prefixes = FAMILY_PREFIXES.get(family, ())
        candidates: list[str] = []
        for item in evidence:
            if _vague(item) or not item.expression or item.kind not in _CONFIDENCE:
                continue
            own = [t for t in _terms(item.expression) if _in_family(t, prefixes)]
            if own:
                candidates.append(" AND ".join(dict.fromkeys(own)))
            candidates += [t for t in item.matched if _in_family(t, prefixes)]
        if candidates:
            placeholder = _placeholder(family)
            expression = replace_key(expression, placeholder, _wrap(candidates[0]))
            notes.append(f"{family} (named vaguely) read as {candidates[0]} from the evidence")
    return normalize_expression(expression).expression or expression


def _in_family(term: str, prefixes: tuple[str, ...]) -> bool:
    return any(of_family(k, prefixes) for k in license_keys(term))


def _refine_with_files(expression: str, files: list[Evidence], notes: list[str]) -> str:
    """A licence file that adds an exception to a declared licence (X -> X WITH E) refines it."""
    keys = set(license_keys(expression))
    for item in files:
        for term in _terms(item.expression):
            base, sep, _ = term.partition(" WITH ")
            bare = re.search(rf"(?<![\w.\-]){re.escape(base)}(?![\w.\-])(?!\s+WITH\b)", expression)
            if sep and base in keys and term not in expression and bare:
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
            elif kind == "only" and text_is_other and o_kind == "or-later" and o_version == version:
                refined = key  # a name ("LGPL v3") does not say "only"; the text says "or later"
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
    """Evidence naming licences that differ in meaning from the decided ones disagrees (family,
    patent stance, commercial use, obligations); the same licence named another way (a vague
    family name, scancode's id for it) or a partial overlap is only noted."""
    decided = set(license_keys(expression))
    confirmed = any(  # the package's own licence text (or the knowledge base) says it
        e.kind in ("license-file", "knowledge")
        and e.expression
        and not e.note.startswith("low-confidence")
        and _overlap(set(license_keys(e.expression)), decided)
        for e in evidence
    )
    out = []
    for item in evidence:
        if item in chosen or not item.expression or item.kind not in _CONFIDENCE:
            continue
        keys = set(license_keys(item.expression))
        if _vague(item):
            fits = all(
                _placeholder(f) in decided
                or any(k.startswith(FAMILY_PREFIXES.get(f, ("",))) for k in decided)
                for f in _families(item.expression)
            )
            if not fits and confirmed:  # a stray family classifier against the text itself
                notes.append(
                    f"{item.source} says {item.value!r}; the licence text or the knowledge "
                    "base says otherwise"
                )
            elif not fits and _differs(keys, decided):
                out.append(f"{item.source} says {item.value!r}")
            elif not fits:
                notes.append(f"{item.source} says {item.value!r} (same terms)")
        elif not _overlap(keys, decided):
            if item.kind == "knowledge" or _differs(keys, decided):  # DL107: any other licence
                out.append(f"{item.source} says {item.expression}")
            else:
                notes.append(f"{item.source} says {item.expression} (same terms)")
        elif not (keys <= decided or decided <= keys):
            notes.append(f"{item.source} says {item.expression}")
    return tuple(dict.fromkeys(out))


def _differs(keys: set[str], decided: set[str]) -> bool:
    """Some licence of ``keys`` means something other than every decided licence."""
    from dllicense.knowledge import license_traits

    def profile(key: str) -> tuple[str, str, str, tuple[str, ...]]:
        t = license_traits(key.partition(" WITH ")[0])
        return (t.family, t.patent, t.commercial, t.obligations)

    def same(a: str, b: str) -> bool:
        return all(
            x == y or x in ("unknown", ()) or y in ("unknown", ())
            for x, y in zip(profile(a), profile(b), strict=True)
        )

    licences = [k for k in keys if not _is_exception(k)]
    return any(not any(same(k, d) for d in decided if not _is_exception(d)) for k in licences)
