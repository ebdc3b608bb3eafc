"""Is a lock out of date? uv.lock records the requirements it was made from: they are
compared with what ``pyproject.toml`` declares now (DL031)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from dllicense.discover.locks import Lock, Root
from dllicense.models import Problem
from dllicense.resolve.walk import scope_rank


def _requirement_set(roots: Iterable[Root]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for r in roots:
        try:
            spec = str(SpecifierSet(r.dependency.specifier))
        except InvalidSpecifier:
            spec = r.dependency.specifier
        out.setdefault((r.scope, r.dependency.name), set()).add(spec)
    return out


def _specs(specs: set[str]) -> str:
    return " | ".join(sorted(s or "any version" for s in specs))


def compare_made_from(lock: Lock, declared: list[Root]) -> list[Problem]:
    """uv.lock records the requirements it was made from: compare them with pyproject.toml."""
    now = _requirement_set(declared)
    then = _requirement_set(lock.made_from or ())
    where = {(r.scope, r.dependency.name): r.location for r in declared}
    lock_at = next((r.location for r in lock.made_from or ()), None)
    out = []
    for scope, name in sorted(set(now) | set(then), key=lambda k: (scope_rank(k[0]), k[1])):
        a, b = now.get((scope, name)), then.get((scope, name))
        if a == b:
            continue
        label = lock.label
        if b is None:
            text = f"{name} ({scope}) is declared in pyproject.toml but {label} was made without it"
        elif a is None:
            text = (
                f"{label} was made with {name} ({scope}), which pyproject.toml no longer declares"
            )
        else:
            text = (
                f"{name} ({scope}): pyproject.toml declares {_specs(a)}, "
                f"{label} was made from {_specs(b)}"
            )
        out.append(
            Problem(
                "DL031",
                f"{text}: the lock is out of date",
                package=name,
                location=where.get((scope, name)) or lock_at,
            )
        )
    return _one_per_package(out)


def _one_per_package(problems: list[Problem]) -> list[Problem]:
    """One declaration that reaches several scopes (an extra that other extras and groups
    name) is one cause: one finding that names each scope."""
    merged: dict[str, Problem] = {}
    for problem in problems:
        first = merged.get(problem.package)
        merged[problem.package] = (
            problem
            if first is None
            else replace(first, message=f"{first.message}; also: {problem.message}")
        )
    return list(merged.values())
