"""Licence names and expressions to SPDX: ``normalize`` never raises.

SPDX ids and expressions are parsed with license-expression (deprecated ids
such as ``GPL-2.0`` become ``GPL-2.0-only``); free-text names go through the
alias table ``data/aliases.toml``; trove classifiers through
``data/classifiers.toml``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from dllicense.licenses.scancode_keys import generated_table, spdx_for_scancode_key
from dllicense.records import frozen
from dllicense.resources import package_text
from dllicense.tomlfile import parse_toml

if TYPE_CHECKING:
    from license_expression import Licensing

VAGUE_PREFIX = "LicenseRef-dllicense-unspecified-"
_LICENSEREF = re.compile(r"^(DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+$")
_DROP_WORDS = {"the", "license", "licence", "licensed", "version", "v", "under", "terms", "of"}


@frozen
class Normalized:
    """The SPDX expression a licence string stands for, or why there is none."""

    expression: str
    vague: bool = False
    error: str = ""
    note: str = ""  # how a reading that is not an SPDX expression was made


class ExpressionError(ValueError):
    """An expression license-expression cannot parse: the library's error (or crash) re-raised
    as this module's, so that importing this module does not import the library (license-
    expression is imported only for the expressions ``_parsed`` leaves to it)."""


@cache
def licensing() -> Licensing:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@cache
def known_symbols() -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """(key, aliases, is exception) of every symbol of ``licensing()``, in its order.

    Read from ``data/spdx_symbols.json`` when the installed license-expression ships
    the index that table was made from (``scripts/gen_spdx_symbols.py``): then
    ``licensing()`` is built only for expressions ``_simple`` does not read.
    """
    table = generated_table("spdx_symbols.json")
    if table is not None:
        return tuple((k, tuple(a), e) for k, a, e in table["symbols"])
    return tuple(
        (s.key, tuple(s.aliases), bool(s.is_exception)) for s in licensing().known_symbols.values()
    )


@cache
def _data(name: str) -> dict[str, Any]:
    return parse_toml(package_text(__file__, f"data/{name}"))


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
    generated = generated_table("spdx_symbols.json")  # each symbol's alias_key, made ahead
    keys = generated["alias_keys"] if generated is not None else None
    for at, (key, _, _) in enumerate(known_symbols()):  # "Apache-2.0" -> "apache 2.0"
        table.setdefault(keys[at] if keys is not None else alias_key(key), key)
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

    Raises this module's ``ExpressionError`` for the library's (and for the parser's own
    crashes on input such as ``()``, found by the property tests); returns None for an
    empty expression.
    """
    from license_expression import ExpressionError as LibraryError

    try:
        return licensing().parse(text, validate=False)
    except LibraryError as exc:
        raise ExpressionError(str(exc)) from exc
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


_TOKEN = re.compile(r"\s*(?:(\()|(\))|([A-Za-z0-9.+\-]+))")
_END = re.compile(r"\s*")
_KEYWORDS = frozenset({"AND", "OR", "WITH"})


class Term(NamedTuple):
    """One licence of an expression: its key and its exception key (``X WITH Y``) or None."""

    key: str
    exception: str | None


class Group(NamedTuple):
    """Terms joined by one operator, ``AND`` or ``OR`` (a parenthesised group stays one);
    a string stands for a part of license-expression's tree that is no licence term."""

    operator: str
    args: tuple[Tree | str, ...]


Tree = Term | Group
Operand = tuple[str, str | None]  # canonical licence key, canonical exception key or None


def _tokens(text: str) -> list[str] | None:
    """``(``, ``)`` and words of ``text``; None if it holds anything else."""
    out: list[str] = []
    at = 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None:
            return None if _END.fullmatch(text, at) is None else out
        out.append(found.group(found.lastindex or 0))
        at = found.end()
    return out


def _read(words: list[str], at: int) -> tuple[Tree, int] | None:
    """The expression of ``words`` from ``at`` up to a ``)`` or the end, and where it ended.

    Each level has one operator throughout (mixed operators without parentheses, where
    license-expression's precedence decides, are left to it)."""
    args: list[Tree] = []
    operator = ""
    while True:
        if at >= len(words):
            return None
        if words[at] == "(":
            inner = _read(words, at + 1)
            if inner is None or inner[1] >= len(words) or words[inner[1]] != ")":
                return None
            args.append(inner[0])
            at = inner[1] + 1
        else:
            term = _term(words, at)
            if term is None:
                return None
            args.append(term[0])
            at = term[1]
        if at >= len(words) or words[at] == ")":
            break
        word = words[at].upper()
        if word not in ("AND", "OR") or operator not in ("", word):
            return None
        operator = word
        at += 1
    return (Group(operator, tuple(args)) if operator else args[0]), at


def _term(words: list[str], at: int) -> tuple[Term, int] | None:
    """``X`` or ``X WITH Y`` at ``at``, with the keys license-expression gives them: a known
    id's canonical key, any other word as written; ``Y`` a known exception."""
    word = words[at]
    if word in "()" or word.upper() in _KEYWORDS:
        return None
    base = _symbols().get(word.lower(), word)
    if base in _exceptions():
        return None
    if at + 2 < len(words) and words[at + 1].upper() == "WITH":
        exception = _symbols().get(words[at + 2].lower())
        if base == word and word.lower() not in _symbols():
            return None  # an unknown licence with an exception: left to the library
        if exception is None or exception not in _exceptions():
            return None
        return Term(base, exception), at + 3
    return Term(base, None), at + 1


@lru_cache(maxsize=8192)
def _parsed(text: str) -> Tree | None:
    """``text`` read without license-expression, as its parse tree (``validate=False``)
    would be, or None for what this reader leaves to it: other characters, mixed
    operators without parentheses, an exception out of place or with an unknown
    licence. Tests check both readings agree on every SPDX id and alias."""
    words = _tokens(text)
    if not words:
        return None
    found = _read(words, 0)
    return found[0] if found is not None and found[1] == len(words) else None


def _simple(text: str) -> tuple[str, tuple[Operand, ...]] | None:
    """A flat expression, ``A OR B WITH X OR C``: its operator and operands (for the
    tests of the flat reading); None for anything else."""
    tree = _parsed(text)
    if isinstance(tree, Term):
        return "OR", (tuple(tree),)  # type: ignore[return-value]
    if tree is None or not all(isinstance(a, Term) for a in tree.args):
        return None
    return tree.operator, tuple((a.key, a.exception) for a in tree.args)  # type: ignore[union-attr]


def render(tree: Tree | str) -> str:
    """license-expression's rendering of a parse tree: nested groups in parentheses."""
    if isinstance(tree, Term):
        return f"{tree.key} WITH {tree.exception}" if tree.exception else tree.key
    if isinstance(tree, str):
        return tree
    return f" {tree.operator} ".join(
        f"({render(a)})" if isinstance(a, Group) else render(a) for a in tree.args
    )


def _terms(tree: Tree | str) -> list[Term]:
    """The terms of a tree, left to right."""
    if isinstance(tree, Term):
        return [tree]
    if isinstance(tree, str):
        return []
    return [t for a in tree.args for t in _terms(a)]


def simple_symbols(expression: str) -> tuple[str, ...] | None:
    """The rendered symbols (``X WITH Y`` as one) of an expression this module reads
    itself, unique, in order (license-expression's ``license_symbols(unique=True,
    decompose=False)``); None when it does not read it."""
    tree = _parsed(expression)
    return tuple(dict.fromkeys(map(render, _terms(tree)))) if tree is not None else None


def expression_tree(expression: str) -> Tree | str | None:
    """The parse tree of an expression as ``Term`` and ``Group`` values: read here when
    it can be, else converted from license-expression's. A string for a part of the
    library's tree that is no licence term; None for an empty expression. Raises
    ``ExpressionError``."""
    tree = _parsed(expression)
    if tree is not None:
        return tree
    return _converted(parse_expression(expression))


def _converted(node: Any) -> Tree | str | None:
    from license_expression import AND, OR, LicenseSymbol, LicenseWithExceptionSymbol

    if node is None:
        return None
    if isinstance(node, (AND, OR)):
        args = tuple(_converted(a) for a in node.args)
        return Group(
            "AND" if isinstance(node, AND) else "OR",
            tuple(str(a) if a is None else a for a in args),
        )
    if isinstance(node, LicenseWithExceptionSymbol):
        return Term(node.license_symbol.key, node.exception_symbol.key)
    if isinstance(node, LicenseSymbol):
        return Term(node.key, None)
    return str(node)


_ONE_WORD = re.compile(r"[A-Za-z0-9.+\-]+")


# ``X WITH exceptions``: an exception that is not named (conda-forge's kernel-headers
# recipe). An exception only adds permissions, so ``X`` alone is the stricter reading; the
# evidence keeps the text as written.
_UNNAMED_EXCEPTION = re.compile(r"\s+WITH\s+exceptions?(?=[\s)]|$)", re.I)


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
    tree = _parsed(text)
    if tree is None and "with" in text.lower():
        bare = _UNNAMED_EXCEPTION.sub("", text)
        if bare != text:
            found = normalize_expression(bare)
            note = "an exception that is not named ('WITH exceptions') is left out"
            return Normalized(found.expression, found.vague, found.error, found.note or note)
    return _by_library(text) if tree is None else _from_tree(tree)


def _from_tree(tree: Tree) -> Normalized:
    keys = list(dict.fromkeys(k for term in _terms(tree) for k in term if k))
    return _finish(render(tree), keys, [k for k in keys if k.lower() not in _symbols()])


def _by_library(text: str) -> Normalized:
    try:
        parsed = parse_expression(text)
    except ExpressionError:  # its text repeats the input with the parser's internals: not shown
        return Normalized("", error=_invalid_reason(text))
    if parsed is None:
        return Normalized("", error="empty expression")
    return _finish(
        str(parsed.render()),
        licensing().license_keys(parsed),
        licensing().unknown_license_keys(parsed),
    )


def _finish(rendered: str, keys: list[str], unknown: list[str]) -> Normalized:
    """The rendering with scancode keys made curated LicenseRefs and unknown keys looked
    up in the alias table (``keys`` and ``unknown`` unique, in order of appearance)."""
    for key in keys:
        if key in _refs():
            rendered = replace_key(rendered, key, _refs()[key])
    for key in unknown:
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
    tree = _parsed(expression)
    if tree is not None:
        return tuple(sorted({k for term in _terms(tree) for k in term if k}))
    try:
        parsed = parse_expression(expression)
    except ExpressionError:
        return ()
    return tuple(sorted(set(licensing().license_keys(parsed)))) if parsed is not None else ()
