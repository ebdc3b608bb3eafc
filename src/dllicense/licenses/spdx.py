"""Licence names and expressions to SPDX: ``normalize`` never raises.

SPDX ids and expressions are parsed with license-expression (deprecated ids
such as ``GPL-2.0`` become ``GPL-2.0-only``); free-text names go through the
alias table ``data/aliases.toml``; trove classifiers through
``data/classifiers.toml``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from license_expression import (
    ExpressionError,
    Licensing,
    get_spdx_licensing,
    vendored_scancode_licensedb_index_location,
)

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
    note: str = ""  # how a reading that is not an SPDX expression was made


@cache
def licensing() -> Licensing:
    return get_spdx_licensing()


def index_digest() -> str:
    """sha256 of the licence index the installed license-expression builds its symbols from."""
    with open(vendored_scancode_licensedb_index_location, "rb") as handle:  # our own dependency
        return hashlib.sha256(handle.read()).hexdigest()


@cache
def known_symbols() -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """(key, aliases, is exception) of every symbol of ``licensing()``, in its order.

    Read from ``data/spdx_symbols.json`` when the installed license-expression ships
    the index that table was made from (``scripts/gen_spdx_symbols.py``): then
    ``licensing()`` is built only for expressions ``_simple`` does not read.
    """
    table = resources.files("dllicense.licenses").joinpath("data").joinpath("spdx_symbols.json")
    try:
        data = json.loads(table.read_text("utf-8"))
        if data["index_sha256"] == index_digest():
            return tuple((str(k), tuple(map(str, a)), bool(e)) for k, a, e in data["symbols"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return tuple(
        (s.key, tuple(s.aliases), bool(s.is_exception)) for s in licensing().known_symbols.values()
    )


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
    for key, _, _ in known_symbols():  # "Apache-2.0" -> "apache 2.0"
        table.setdefault(alias_key(key), key)
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
    for key, aliases, _ in known_symbols():
        table.setdefault(key.lower(), key)
        for alias in aliases:
            table.setdefault(alias.lower(), key)
    return table


@cache
def _exceptions() -> frozenset[str]:
    """The canonical keys of the exception symbols (``Classpath-exception-2.0``)."""
    return frozenset(key for key, _, exception in known_symbols() if exception)


_WORD = r"[A-Za-z0-9.+\-]+"
_OPERAND = rf"{_WORD}(?:\s+[Ww][Ii][Tt][Hh]\s+{_WORD})?"
_FLAT = re.compile(rf"{_OPERAND}(?:\s+(?:[Aa][Nn][Dd]|[Oo][Rr])\s+{_OPERAND})*")
_SPACES = re.compile(r"\s+")

Operand = tuple[str, str | None]  # canonical licence key, canonical exception key or None


@lru_cache(maxsize=8192)
def _simple(text: str) -> tuple[str, tuple[Operand, ...]] | None:
    """A flat expression of known ids, ``A OR B WITH X OR C`` (one operator throughout,
    no parentheses), read without license-expression: its operator and operands, each
    with the canonical key license-expression gives it. None for anything else (unknown
    or curated ids, an exception in the wrong place, mixed operators), which
    ``parse_expression`` reads. A test checks both agree on every SPDX id."""
    if not _FLAT.fullmatch(text):
        return None
    words = _SPACES.split(text)
    keywords = ("AND", "OR", "WITH")
    operators: set[str] = set()
    operands: list[Operand] = []
    at = 0
    while at < len(words):
        if at:  # an operator between operands
            operators.add(words[at].upper())
            at += 1
        base = _symbols().get(words[at].lower()) if words[at].upper() not in keywords else None
        if base is None or base in _exceptions() or base in _refs():
            return None
        exception = None
        if at + 2 < len(words) and words[at + 1].upper() == "WITH":
            name = words[at + 2]
            exception = _symbols().get(name.lower()) if name.upper() not in keywords else None
            if exception is None or exception not in _exceptions() or exception in _refs():
                return None
            at += 2
        operands.append((base, exception))
        at += 1
    if len(operators) > 1 or not operators <= {"AND", "OR"}:
        return None
    return (operators.pop() if operators else "OR"), tuple(operands)


def _render(operand: Operand) -> str:
    return f"{operand[0]} WITH {operand[1]}" if operand[1] else operand[0]


def simple_symbols(expression: str) -> tuple[str, ...] | None:
    """The rendered symbols (``X WITH Y`` as one) of a flat expression, unique, in order
    (license-expression's ``license_symbols(unique=True, decompose=False)``); None when
    ``_simple`` does not read it."""
    found = _simple(expression)
    return tuple(dict.fromkeys(map(_render, found[1]))) if found else None


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
    flat = _simple(text)
    if flat is not None:
        rendered = f" {flat[0]} ".join(map(_render, flat[1]))
        return Normalized(rendered, vague=is_vague(rendered))
    try:
        parsed = parse_expression(text)
    except ExpressionError:  # its text repeats the input with the parser's internals: not shown
        return Normalized("", error=_invalid_reason(text))
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


def _invalid_reason(text: str) -> str:
    """Why ``text`` is not an SPDX expression, in one line of our own."""
    if "," in text or ";" in text:
        return "not a valid SPDX expression (a list of names: no AND or OR between them)"
    if text.count("(") != text.count(")"):
        return "not a valid SPDX expression (unbalanced parentheses)"
    return "not a valid SPDX expression"


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
    flat = _simple(expression)
    if flat is not None:
        return tuple(sorted({k for pair in flat[1] for k in pair if k}))
    try:
        parsed = parse_expression(expression)
    except ExpressionError:
        return ()
    return tuple(sorted(set(licensing().license_keys(parsed)))) if parsed is not None else ()
