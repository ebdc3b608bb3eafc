"""Requirements that name the project itself: ``mypkg[a]`` inside extra ``b`` or a group.

Such an entry is no dependency: installing it installs the project's own extras
``a`` (pip, uv, pdm). ``expand_self_extras`` replaces it with the requirements of
those extras, in the scope of the entry that named them, recursively (cycles end),
so it is never reported as a missing or changed requirement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from packaging.utils import canonicalize_name

T = TypeVar("T")


def both_markers(first: str, second: str) -> str:
    """Two PEP 508 markers that must both hold (either may be empty)."""
    if first and second:
        return f"({first}) and ({second})"
    return first or second


def expand_self_extras(
    items: Sequence[T],
    own: str,
    name: Callable[[T], str],
    extras: Callable[[T], Iterable[str]],
    scope: Callable[[T], str],
    moved: Callable[[T, T], T],
) -> list[T]:
    """``items`` with each one that names ``own`` replaced by the members of its extras.

    ``scope`` gives an item's scope (``extra:NAME`` for the project's extras);
    ``moved(member, via)`` is the member as seen through the self-reference ``via``
    (``via``'s scope, usually both markers). Order is kept; an extra the project does
    not declare expands to nothing.
    """
    own = canonicalize_name(own) if own else ""
    if not own or not any(name(i) == own for i in items):
        return list(items)
    members: dict[str, list[T]] = {}
    for item in items:
        kind, _, extra = scope(item).partition(":")
        if kind == "extra":
            members.setdefault(canonicalize_name(extra), []).append(item)

    def expand(via: T, seen: frozenset[str]) -> list[T]:
        wanted = sorted({canonicalize_name(e) for e in extras(via)} - seen)
        seen = seen | set(wanted)
        out: list[T] = []
        for extra in wanted:
            for member in members.get(extra, ()):
                item = moved(member, via)
                out += expand(item, seen) if name(member) == own else [item]
        return out

    result: list[T] = []
    for item in items:
        if name(item) != own:
            result.append(item)
            continue
        home = scope(item)
        start = frozenset({canonicalize_name(home[6:])} if home.startswith("extra:") else ())
        result += expand(item, start)
    return result
