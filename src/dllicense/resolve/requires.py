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
# ``extra == "name"`` alone: a requirement of one extra (191 of the 306 distinct markers of
# the DL environment; transformers has hundreds). Such a marker holds only when an extra is
# chosen, so it is parsed only then (parsing a marker costs ~30 us).
_EXTRA_ONLY = re.compile(
    r"extra[ \t]*==[ \t]*(?:'[A-Za-z0-9][\w.-]*'|\"[A-Za-z0-9][\w.-]*\")", re.A
)


@frozen
class Requires:
    """What resolving needs of one requirement; ``raw`` is kept for messages."""

    name: str  # canonical
    extras: tuple[str, ...]  # sorted, as written
    marker_text: str  # "" for none
    raw: str
    extra_only: bool = False  # the marker is ``extra == "name"`` alone

    @property
    def marker(self) -> Marker | None:
        """The parsed marker (one object per text: ``parse_marker`` keeps them)."""
        return parse_marker(self.marker_text) if self.marker_text else None


@cache
def parse_requires(raw: str) -> Requires | None:
    """The requirement, or None when packaging finds it invalid."""
    simple = _SIMPLE.fullmatch(raw)
    if simple is not None:
        text = simple.group("marker") or ""
        extra_only = _EXTRA_ONLY.fullmatch(text) is not None
        if extra_only or not text or parse_marker(text) is not None:
            extras = simple.group("extras")
            return Requires(
                canonicalize_name(simple.group("name")),
                tuple(sorted(set(_COMMA.split(extras)))) if extras else (),
                text,
                raw,
                extra_only,
            )
    try:
        req = Requirement(raw)
    except InvalidRequirement:
        return None
    marker = str(req.marker) if req.marker else ""
    extra_only = _EXTRA_ONLY.fullmatch(marker) is not None
    return Requires(canonicalize_name(req.name), tuple(sorted(req.extras)), marker, raw, extra_only)


def display(raw: str) -> str:
    """``name`` and its version clauses as packaging writes them (for messages)."""
    try:
        req = Requirement(raw)
    except InvalidRequirement:
        return raw
    return f"{req.name}{req.specifier}"
