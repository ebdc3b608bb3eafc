"""Licence names and expressions to SPDX: ``normalize`` never raises.

SPDX ids and expressions are parsed with license-expression (deprecated ids
such as ``GPL-2.0`` become ``GPL-2.0-only``); free-text names go through the
alias table ``data/aliases.toml``; trove classifiers through
``data/classifiers.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from license_expression import ExpressionError, Licensing, get_spdx_licensing

from dllicense.licenses.scancode_keys import spdx_for_scancode_key
from dllicense.tomlfile import parse_toml

VAGUE_PREFIX = "LicenseRef-dllicense-unspecified-"
_LICENSEREF = re.compile(r"^(DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+$")
_DROP_WORDS = {"the", "license", "licence", "licensed", "version", "v", "under", "terms", "of"}


@dataclass(frozen=True)
class Normalized:
    """The SPDX expression a licence string stands for, or why there is none."""

    expression: str
    vague: bool = False
    error: str = ""


@cache
def licensing() -> Licensing:
    return get_spdx_licensing()


@cache
def _data(name: str) -> dict[str, Any]:
    text = resources.files("dllicense.licenses").joinpath("data").joinpath(name).read_text("utf-8")
    return parse_toml(text)


_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)")
_V_DIGIT = re.compile(r"\bv(?=\s*\d)")
_NOT_WORD = re.compile(r"[^a-z0-9.+]+")


def alias_key(text: str) -> str:
    """Normalise a free-text licence name for alias lookup."""
    text = text.lower().replace("licence", "license")
    text = _LETTER_DIGIT.sub(" ", text)  # "gplv3" -> "gplv 3"
    text = _V_DIGIT.sub(" ", text)  # "v 3" -> " 3"
    words = _NOT_WORD.sub(" ", text).split()
    return " ".join(w.strip(".") for w in words if w not in _DROP_WORDS and w.strip("."))


@cache
def _aliases() -> dict[str, str]:
    table = {alias_key(k): v for k, v in _data("aliases.toml")["aliases"].items()}
    for symbol in licensing().known_symbols.values():  # "Apache-2.0" -> "apache 2.0"
        table.setdefault(alias_key(symbol.key), symbol.key)
    return table


@cache
def _none_words() -> frozenset[str]:
    return frozenset(w.upper() for w in _data("aliases.toml")["none"]["words"])


@cache
def _refs() -> dict[str, str]:
    """scancode LicenseRef -> the knowledge base's curated LicenseRef (``[refs]``)."""
    return {str(k): str(v) for k, v in _data("aliases.toml").get("refs", {}).items()}


@cache
def related_licences() -> dict[str, str]:
    """Licence id -> the first id of its group of related ids (``[related]`` in aliases.toml)."""
    out: dict[str, str] = {}
    for group in _data("aliases.toml").get("related", {}).get("groups", []):
        for key in group:
            out[str(key)] = str(group[0])
    return out


@cache
def classifier_table() -> dict[str, str]:
    return {str(k): str(v) for k, v in _data("classifiers.toml")["classifiers"].items()}


def is_vague(expression: str) -> bool:
    return VAGUE_PREFIX in expression


def names_nothing(text: str) -> bool:
    """True for ``UNKNOWN``, ``see LICENSE`` and other values that name no licence."""
    return text.strip().strip(".").upper() in _none_words() or not text.strip()


@lru_cache(maxsize=8192)
def parse_expression(text: str) -> Any:
    """``license_expression`` parse tree of ``text`` (memoised: scans repeat a few expressions).

    Raises ``ExpressionError`` (also for the parser's own crashes on input such as
    ``()``, found by the property tests); returns None for an empty expression.
    """
    try:
        return licensing().parse(text, validate=False)
    except ExpressionError:
        raise
    except Exception as exc:  # a third-party parser: any crash is a parse error here
        raise ExpressionError(f"cannot parse {text!r}: {type(exc).__name__}") from exc


@lru_cache(maxsize=8192)
def normalize(text: str) -> Normalized:
    """Map a licence name or SPDX expression to a normalised SPDX expression."""
    text = " ".join(text.split())
    if names_nothing(text):
        return Normalized("", error=f"{text or 'empty'!r} names no licence")
    alias = _aliases().get(alias_key(text)) or _classifier_names().get(alias_key(text))
    if alias:
        return Normalized(alias, vague=is_vague(alias))
    found = normalize_expression(text)
    if not found.expression:
        return _choice_of_names(text) or found
    return found


@cache
def _classifier_names() -> dict[str, str]:
    """The licence part of each trove classifier ("GNU General Public License (GPL)"), so a
    ``License`` field holding it reads as the classifier does."""
    out: dict[str, str] = {}
    for classifier, value in classifier_table().items():
        if value:
            out.setdefault(alias_key(classifier.rsplit("::", 1)[-1]), value)
    return out


_DUAL = re.compile(r"^\s*dual[-\s]*licen[cs](?:ed|e)\s*[-:–]?\s*", re.I)
_OR = re.compile(r"\s+or\s+|\s*/\s*", re.I)
_COMMERCIAL = re.compile(r"\b(?:commercial|proprietary)\b", re.I)


def _choice_of_names(text: str) -> Normalized | None:
    """ "Dual Licensed - GNU AFFERO GPL 3.0 or Artifex Commercial License": names joined by
    "or" are alternatives; a vendor's commercial licence is the proprietary placeholder."""
    parts = [p.strip(" ,;.") for p in _OR.split(_DUAL.sub("", text))]
    if len(parts) < 2 or not all(parts) or any(c in text for c in "()"):
        return None
    found = []
    for part in parts:
        alias = _aliases().get(alias_key(part)) or _classifier_names().get(alias_key(part))
        if not alias and _COMMERCIAL.search(part):
            alias = f"{VAGUE_PREFIX}proprietary"
        if not alias:
            one = normalize_expression(part)
            alias = one.expression if not one.error and " " not in one.expression else ""
        if not alias:
            return None
        found.append(alias)
    expression = " OR ".join(f"({x})" if " " in x else x for x in dict.fromkeys(found))
    return Normalized(expression, vague=is_vague(expression))


@cache
def _symbols() -> dict[str, str]:
    """Lower-cased SPDX id or alias (``gpl-2.0+``) -> canonical id, for one-word expressions."""
    table: dict[str, str] = {}
    for symbol in licensing().known_symbols.values():
        table.setdefault(symbol.key.lower(), symbol.key)
        for alias in symbol.aliases:
            table.setdefault(alias.lower(), symbol.key)
    return table


_ONE_WORD = re.compile(r"[A-Za-z0-9.+\-]+")


@lru_cache(maxsize=8192)
def normalize_expression(text: str) -> Normalized:
    """Parse an SPDX expression; unknown keys are looked up in the alias table.

    A single id ("MIT", "GPL-2.0+") is looked up directly: parsing costs milliseconds.
    """
    if _ONE_WORD.fullmatch(text):
        if text in _refs():
            return Normalized(_refs()[text])
        key = _symbols().get(text.lower())
        if key is not None:
            return Normalized(key)
        if _LICENSEREF.match(text):
            return Normalized(text, vague=is_vague(text))
    try:
        parsed = parse_expression(text)
    except ExpressionError as exc:
        return Normalized("", error=f"not a valid SPDX expression: {exc}")
    if parsed is None:
        return Normalized("", error="empty expression")
    rendered = str(parsed.render())
    for key in licensing().license_keys(parsed):
        if key in _refs():
            rendered = replace_key(rendered, key, _refs()[key])
    for key in licensing().unknown_license_keys(parsed):
        if _LICENSEREF.match(key):
            continue
        alias = _aliases().get(alias_key(key)) or spdx_for_scancode_key(key)
        if not alias:
            return Normalized("", error=f"unknown licence {key!r}")
        rendered = replace_key(rendered, key, alias)
    return Normalized(rendered, vague=is_vague(rendered))


def replace_key(expression: str, key: str, replacement: str) -> str:
    """Replace one licence key of an expression (whole keys only)."""
    return re.sub(rf"(?<![\w.\-]){re.escape(key)}(?![\w.\-])", replacement, expression)


@lru_cache(maxsize=8192)
def license_keys(expression: str) -> tuple[str, ...]:
    """The licence ids (and exception ids) of a normalised expression, sorted."""
    if not expression:
        return ()
    if _ONE_WORD.fullmatch(expression):
        key = _symbols().get(expression.lower())
        if key is not None or _LICENSEREF.match(expression):
            return (key or expression,)
    try:
        parsed = parse_expression(expression)
    except ExpressionError:
        return ()
    return tuple(sorted(set(licensing().license_keys(parsed)))) if parsed is not None else ()
