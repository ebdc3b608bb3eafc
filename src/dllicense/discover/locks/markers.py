"""PEP 508 markers evaluated for one target, or for any target (``--all-targets``).

Only packaging's public API is used: ``Marker.evaluate`` in the ``lock_file``
context, with ``extra`` as one name at a time (a marker holds when it holds for
no extra or for one of the chosen ones) and ``extras``/``dependency_groups`` as
the chosen sets. ``environment=None`` means "any target": the marker holds when
it holds for one of the representative targets of ``targets.toml`` (every
Python feature release x platform x machine x implementation), so that only
extras and groups decide what an environment-only marker could not rule out. A
marker that cannot be evaluated (``python_version ~= "3"``) or parsed holds:
nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from packaging.markers import (
    InvalidMarker,
    Marker,
    UndefinedComparison,
    UndefinedEnvironmentName,
    default_environment,
)

from dllicense.resources import package_text
from dllicense.tomlfile import parse_toml

Env = tuple[tuple[str, str], ...]


@cache
def parse_marker(text: str) -> Marker | None:
    try:
        return Marker(text)
    except InvalidMarker:
        return None


@cache
def _data(name: str) -> dict[str, Any]:
    return parse_toml(package_text(__file__, name))


def platforms() -> dict[str, Any]:
    """``platforms.toml``: what markers see on each ``--platform``."""
    return _data("platforms.toml")


@cache
def every_target() -> tuple[Env, ...]:
    """The representative targets "any target" stands for (see ``targets.toml``)."""
    base = {k: str(v) for k, v in default_environment().items()}
    base["platform_release"] = base["platform_version"] = ""
    data = _data("targets.toml")
    out = []
    for python in data["python"]:
        for values in platforms().values():
            for machine in sorted(set(values["machine"].values())):
                for implementation in data["implementation"]:
                    env = dict(base, python_version=python, python_full_version=f"{python}.0")
                    env |= {k: str(values[k]) for k in ("sys_platform", "platform_system")}
                    env |= {"os_name": str(values["os_name"]), "platform_machine": machine}
                    env |= {k: str(v) for k, v in implementation.items()}
                    env["implementation_version"] = env["python_full_version"]
                    out.append(tuple(sorted(env.items())))
    return tuple(out)


def applies(
    text: str,
    environment: Mapping[str, str] | None,
    extras: frozenset[str] = frozenset(),
    groups: frozenset[str] = frozenset(),
) -> bool:
    """Does marker ``text`` hold for ``environment`` (``None``: any target) with these
    extras and dependency groups chosen? An unparsable marker holds."""
    if not text.strip():
        return True
    env = None if environment is None else tuple(sorted(environment.items()))
    return _applies(text, env, extras, groups)


@cache
def _applies(text: str, env: Env | None, extras: frozenset[str], groups: frozenset[str]) -> bool:
    marker = parse_marker(text)
    return marker is None or _holds(
        marker, every_target() if env is None else (env,), extras, groups
    )


def holds(
    marker: Marker,
    environment: Mapping[str, str] | None,
    extras: frozenset[str] = frozenset(),
    groups: frozenset[str] = frozenset(),
) -> bool:
    """``applies`` for a parsed marker (not cached: the caller keeps the verdicts)."""
    envs = every_target() if environment is None else (tuple(sorted(environment.items())),)
    return _holds(marker, envs, extras, groups)


def _holds(
    marker: Marker, envs: tuple[Env, ...], extras: frozenset[str], groups: frozenset[str]
) -> bool:
    chosen = ["", *sorted(extras)]
    return any(_one(marker, env, extra, extras, groups) for env in envs for extra in chosen)


def _one(
    marker: Marker, env: Env, extra: str, extras: frozenset[str], groups: frozenset[str]
) -> bool:
    values: dict[str, Any] = dict(env)
    values |= {"extra": extra, "extras": extras, "dependency_groups": groups}
    try:
        return marker.evaluate(values, context="lock_file")
    except (UndefinedComparison, UndefinedEnvironmentName, InvalidMarker):
        return True
