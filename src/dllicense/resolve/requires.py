"""``Requires-Dist`` strings, parsed once each and quickly.

Resolving walks every ``Requires-Dist`` of every distribution: 60,000 strings
in an environment of 20,000 distributions, where packaging's full PEP 508
parser costs about 50 us each. The common shapes (a name, extras, plain
version clauses, a marker) are read with one regular expression; anything
else, URLs and unusual versions included, goes to ``packaging``, which also
decides what is invalid. Markers are parsed by packaging, once per text.
tests/resolve/test_requires.py checks the two agree.
"""

from __future__ import annotations

import re
from functools import cache

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dllicense.discover.locks.markers import parse_marker
from dllicense.records import frozen

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_RELEASE = r"[0-9]+(?:\.[0-9]+)*"
_SUFFIX = r"(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
_CLAUSE = (
    rf"(?:(?:>=|<=|<|>|==|!=)\s*{_RELEASE}{_SUFFIX}"
    rf"|~=\s*[0-9]+(?:\.[0-9]+)+{_SUFFIX}"
    rf"|(?:==|!=)\s*{_RELEASE}\.\*)"
)
_CLAUSES = rf"{_CLAUSE}(?:\s*,\s*{_CLAUSE})*"
_SIMPLE = re.compile(
    rf"[ \t]*(?P<name>{_NAME})[ \t]*"
    rf"(?:\[[ \t]*(?P<extras>{_NAME}(?:[ \t]*,[ \t]*{_NAME})*)?[ \t]*\])?[ \t]*"
    rf"(?:(?P<open>\()?[ \t]*{_CLAUSES}[ \t]*(?(open)\)))?[ \t]*"  # clauses, or (clauses)
    r"(?:;[ \t]*(?P<marker>\S.*?))?[ \t]*"
)
_COMMA = re.compile(r"[ \t]*,[ \t]*")


@frozen
class Requires:
    """What resolving needs of one requirement; ``raw`` is kept for messages."""

    name: str  # canonical
    extras: tuple[str, ...]  # sorted, as written
    marker: Marker | None
    raw: str


@cache
def parse_requires(raw: str) -> Requires | None:
    """The requirement, or None when packaging finds it invalid."""
    simple = _SIMPLE.fullmatch(raw)
    if simple is not None:
        text = simple.group("marker")
        marker = parse_marker(text) if text else None
        if marker is not None or not text:
            extras = simple.group("extras")
            return Requires(
                canonicalize_name(simple.group("name")),
                tuple(sorted(set(_COMMA.split(extras)))) if extras else (),
                marker,
                raw,
            )
    try:
        req = Requirement(raw)
    except InvalidRequirement:
        return None
    return Requires(canonicalize_name(req.name), tuple(sorted(req.extras)), req.marker, raw)


def display(raw: str) -> str:
    """``name`` and its version clauses as packaging writes them (for messages)."""
    try:
        req = Requirement(raw)
    except InvalidRequirement:
        return raw
    return f"{req.name}{req.specifier}"
