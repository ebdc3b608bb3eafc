"""PEP 508 markers evaluated for one target, or for any target (``--all-targets``).

``environment=None`` means "any target": comparisons of environment values count
as true and only ``extra``/``extras``/``dependency_groups`` decide. ``extras=None``
means "whatever extras": used for a package's own applicability marker, which
records when a lock needs that version, not which extra asked for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.utils import canonicalize_name

Env = tuple[tuple[str, str], ...]


@cache
def parse_marker(text: str) -> Marker | None:
    try:
        return Marker(text)
    except InvalidMarker:
        return None


def applies(
    text: str,
    environment: Mapping[str, str] | None,
    extras: frozenset[str] | None = frozenset(),
    groups: frozenset[str] | None = frozenset(),
) -> bool:
    """Does ``text`` hold? An unparsable marker holds (nothing is dropped silently)."""
    if not text.strip():
        return True
    marker = parse_marker(text)
    if marker is None:
        return True
    env = tuple(sorted(environment.items())) if environment is not None else None
    try:
        tree: Any = marker._markers  # packaging's parsed form: atoms, nested lists, and/or
        return _walk(tree, env, extras, groups)
    except (AttributeError, TypeError, ValueError):
        return True


def _walk(
    tree: list[Any], env: Env | None, extras: frozenset[str] | None, groups: frozenset[str] | None
) -> bool:
    alternatives: list[list[bool]] = [[]]
    for item in tree:
        if isinstance(item, list):
            alternatives[-1].append(_walk(item, env, extras, groups))
        elif isinstance(item, tuple):
            alternatives[-1].append(_atom(item, env, extras, groups))
        elif item == "or":
            alternatives.append([])
    return any(all(group) for group in alternatives)


def _atom(
    atom: tuple[Any, Any, Any],
    env: Env | None,
    extras: frozenset[str] | None,
    groups: frozenset[str] | None,
) -> bool:
    lhs, op, rhs = atom
    names = {type(side).__name__: side.value for side in (lhs, rhs)}
    variable = _variable(lhs) or _variable(rhs)
    operator = str(op.value)
    if variable == "extra":
        value = canonicalize_name(str(names.get("Value", "")))
        if extras is None:
            return True
        found = value in {canonicalize_name(e) for e in extras}
        return found if operator == "==" else not found if operator == "!=" else True
    if variable in ("extras", "dependency_groups"):
        chosen = extras if variable == "extras" else groups
        if chosen is None:
            return True
        value = canonicalize_name(str(names.get("Value", "")))
        found = value in {canonicalize_name(e) for e in chosen}
        return found if operator == "in" else not found if operator == "not in" else True
    if env is None:
        return True
    return _env_atom(f"{lhs.serialize()} {operator} {rhs.serialize()}", env)


def _variable(side: Any) -> str:
    return str(side.value) if type(side).__name__ == "Variable" else ""


@cache
def _env_atom(text: str, env: Env) -> bool:
    marker = parse_marker(text)
    if marker is None:
        return True
    try:
        return marker.evaluate(dict(env))
    except (UndefinedComparison, UndefinedEnvironmentName, InvalidMarker):
        return True
