"""Evidence from core metadata fields: License-Expression, License, classifiers."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace

from dllicense.knowledge import canonical_license_key, license_traits
from dllicense.licenses.spdx import (
    Normalized,
    classifier_table,
    is_vague,
    license_keys,
    names_nothing,
    replace_key,
)
from dllicense.licenses.spdx import normalize as _normalize
from dllicense.licenses.spdx import normalize_expression as _normalize_expression
from dllicense.models import Distribution, Evidence
from dllicense.readfile import read_bounded

SHORT_VALUE = 200


def looks_like_text(value: str) -> bool:
    """A ``License`` field holding a whole licence text rather than a name."""
    return value.count("\n") >= 3 or len(value) > SHORT_VALUE


def shorten(value: str, limit: int = SHORT_VALUE) -> str:
    """``value`` with its whitespace collapsed, cut to ``limit`` characters with "…".

    Only the first ``limit + 1`` words are collapsed (they make more than ``limit`` characters
    when there are more): a whole licence text in ``License`` (matplotlib's 76 KB) is not."""
    value = " ".join(value.split(None, limit + 1)[: limit + 1])
    return value if len(value) <= limit else value[: limit - 1] + "…"


def known_spelling(found: Normalized) -> Normalized:
    """LicenseRef ids spelled as the knowledge base spells them: SPDX ids and LicenseRefs
    match case-insensitively (SPDX 2.3 Annex D), so cuda-bindings 12.9.7's
    ``LicenseRef-NVIDIA-SOFTWARE-LICENSE`` is ``LicenseRef-NVIDIA-Software-License``."""
    expression = found.expression
    for key in license_keys(expression):
        if "LicenseRef-" in key:
            known = canonical_license_key(key)
            if known and known != key:
                expression = replace_key(expression, key, known)
    return found if expression == found.expression else replace(found, expression=expression)


def normalize(text: str) -> Normalized:
    """``spdx.normalize`` with the knowledge base's spelling of LicenseRef ids; a comma list of
    names (``name_list``) when it is neither a name nor an expression."""
    found = _normalize(text)
    if not found.expression:
        found = name_list(text) or found
    return known_spelling(found)


_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")
_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*")


def name_list(text: str) -> Normalized | None:
    """``BSD-3-Clause, Apache-2.0, PdfiumThirdParty`` (pypdfium2 4.30.1): a list does not say
    whether its licences are alternatives, and an OR is never made without text that says so
    (as for several classifiers): all apply (AND). A one-word name nothing knows becomes a
    ``LicenseRef-`` placeholder (REUSE's spelling of a custom licence) for review. None unless
    every item is read and at least one is a known licence."""
    parts = _LIST_SEPARATOR.split(text.strip().strip(",;."))
    if len(parts) < 2:
        return None
    terms: list[str] = []
    placeholders: list[str] = []
    for part in parts:
        found = _normalize(part) if part else Normalized("")
        if found.expression:
            terms.append(found.expression)
        elif _NAME_TOKEN.fullmatch(part) and not names_nothing(part):
            ref = part if part.startswith("LicenseRef-") else f"LicenseRef-{part}"
            terms.append(ref)
            placeholders.append(ref)
        else:
            return None
    if len(placeholders) == len(terms):
        return None
    unique = list(dict.fromkeys(terms))
    expression = " AND ".join(f"({t})" if " " in t else t for t in unique)
    if not _normalize_expression(expression).expression:
        return None
    note = "a list of licences without AND or OR: read as all apply (AND)"
    if placeholders:
        note += f"; {', '.join(placeholders)} is not a known licence: review its text"
    return Normalized(expression, vague=is_vague(expression), note=note)


def normalize_expression(text: str) -> Normalized:
    """``spdx.normalize_expression`` with the knowledge base's spelling of LicenseRef ids."""
    return known_spelling(_normalize_expression(text))


def metadata_evidence(dist: Distribution) -> list[Evidence]:
    """One evidence item per licence-related metadata field."""
    out: list[Evidence] = []
    if dist.license_expression:
        strict = normalize_expression(dist.license_expression)
        if strict.expression:
            out.append(
                Evidence(
                    "license-expression",
                    "METADATA:License-Expression",
                    dist.license_expression,
                    strict.expression,
                    strict.vague,
                )
            )
        else:
            loose = normalize(dist.license_expression)
            out.append(
                Evidence(
                    "license-expression",
                    "METADATA:License-Expression",
                    dist.license_expression,
                    loose.expression,
                    loose.vague,
                    note=strict.error,
                )
            )
    if dist.ecosystem == "conda":
        return conda_evidence(dist)
    if dist.license:
        if looks_like_text(dist.license):
            data = dist.license.encode("utf-8")
            out.append(
                Evidence(
                    "license-text",
                    "METADATA:License",
                    shorten(dist.license),
                    sha256=hashlib.sha256(data).hexdigest(),
                    note="the License field holds a licence text, not a name",
                )
            )
        else:
            found = normalize(dist.license)
            out.append(
                Evidence(
                    "license",
                    "METADATA:License",
                    dist.license,
                    found.expression,
                    found.vague,
                    note=(found.error or found.note)
                    if not names_nothing(dist.license)
                    else "names no licence",
                )
            )
    table = classifier_table()
    declared = next((e.expression for e in out if e.kind == "license"), "")
    for classifier in dist.classifiers:
        if not classifier.startswith("License ::"):
            continue
        expression = table.get(classifier)
        note = (
            ""
            if expression
            else ("unknown classifier" if expression is None else "names no single licence")
        )
        if classifier == POETRY_CLASSIFIER and (generator := _poetry_generated(dist, declared)):
            expression = ""
            note = (
                f"added by {generator} itself for License {declared}, an id that is not "
                "OSI-approved: not the authors' statement"
            )
        out.append(
            Evidence(
                "classifier",
                "METADATA:Classifier",
                classifier,
                expression or "",
                vague="unspecified" in (expression or ""),
                note=note,
            )
        )
    return out


# poetry-core (and Poetry before it) adds this classifier by itself to every package whose
# `license` is an SPDX id without a trove classifier of its own that is not OSI-approved
# (python-poetry/poetry-core src/poetry/core/spdx/license.py `License.classifier_name`, commit
# 5ce001a23cd6c0cb3a9bb41c2e56a8b20e873051; src/poetry/core/packages/package.py
# `Package.all_classifiers`, "Automatically set license classifiers", commit
# db5431219762876d98198eec9e804d9a0f93a8d5). Read 2026-12-04 (aiohappyeyeballs 2.4.0).
POETRY_CLASSIFIER = "License :: Other/Proprietary License"
_POETRY_GENERATOR = re.compile(r"^Generator:\s*(poetry(?:-core)?\s+\S+)\s*$", re.M)
_WHEEL_LIMIT = 64 * 1024


def _poetry_generated(dist: Distribution, declared: str) -> str:
    """The generator ("poetry-core 1.9.0") when poetry built the wheel and would have added
    ``POETRY_CLASSIFIER`` itself for the declared licence (one id, not OSI-approved), else "".
    Needs the wheel's ``WHEEL`` file: metadata read from an index has none."""
    keys = license_keys(declared)
    if len(keys) != 1 or license_traits(keys[0]).osi_approved or not dist.files_read:
        return ""
    try:
        data = read_bounded(os.path.join(dist.path, "WHEEL"), _WHEEL_LIMIT)[0]
    except (OSError, ValueError):
        return ""
    found = _POETRY_GENERATOR.search(data.decode("utf-8", errors="replace"))
    return found.group(1) if found else ""


def conda_evidence(dist: Distribution) -> list[Evidence]:
    """A conda record's recipe licence (free text, normalised like ``License``) and its
    ``license_family`` (a family name only: vague evidence, never the decision's words)."""
    out: list[Evidence] = []
    source = f"conda-meta:{dist.name}"
    if dist.license:
        found = normalize(dist.license)
        note = found.error or found.note if not names_nothing(dist.license) else "names no licence"
        out.append(
            Evidence(
                "license",
                f"{source}:license",
                dist.license,
                found.expression,
                found.vague,
                note=note,
            )
        )
    if dist.license_family:
        family = normalize(dist.license_family)
        out.append(
            Evidence(
                "license-family",
                f"{source}:license_family",
                dist.license_family,
                family.expression if family.vague else "",
                vague=True,
                note="the recipe's licence family: vague evidence only",
            )
        )
    return out
