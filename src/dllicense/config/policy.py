"""Policies: where they live, how they extend each other, validation with file:line.

A policy is found, in order, from ``--policy NAME|PATH``, ``dllicense.toml``
in the project, ``[tool.dllicense]`` in its ``pyproject.toml``, else the
built-in ``default``. ``extends = "NAME"`` starts from a built-in policy
(``policies/NAME.toml``) or another file and overrides its keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dllicense.errors import ConfigError
from dllicense.models import Severity
from dllicense.resources import data_dir
from dllicense.tomlfile import describe_error, error_line, line_of, parse_toml, read_text

SELECTORS = (
    "permissive",
    "weak-copyleft",
    "strong-copyleft",
    "network-copyleft",
    "public-domain",
    "proprietary",
    "non-commercial",
    "source-available",
    "unknown",
    "patent-grant",
    "patent-retaliation",
    "patent-silent",
    "patents-excluded",
    "commercial-allowed",
    "commercial-restricted",
    "commercial-forbidden",
    "osi-approved",
)
_KEYS = {"name", "description", "extends", "allow", "forbid-traits", "unknown-license"}


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    allow: tuple[str, ...]  # SPDX ids, LicenseRefs, "X WITH Y", or "@selector"
    forbid_traits: tuple[str, ...]
    unknown_severity: Severity
    source: str  # "built-in default", "dllicense.toml", ...


def builtin_names() -> list[str]:
    return sorted(p.stem for p in data_dir("policies").glob("*.toml"))


def load_policy(project: Path, choice: str | None = None) -> Policy:
    """Find and load the policy for ``project`` (see module docstring)."""
    if choice:
        path = Path(choice)
        if path.suffix == ".toml" or path.exists():
            if not path.is_file():
                raise ConfigError(f"--policy {choice}: no such file")
            return _load_file(path, choice, table=None)
        return _load_builtin(choice)
    own = project / "dllicense.toml"
    if own.is_file():
        return _load_file(own, "dllicense.toml", table=None)
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = parse_toml(read_text(pyproject))
        except (OSError, ValueError):
            data = {}  # reported as DL010 by discover; fall back to the default policy
        if isinstance(data.get("tool"), dict) and "dllicense" in data["tool"]:
            return _load_file(pyproject, "pyproject.toml", table="dllicense")
    return _load_builtin("default")


def _load_builtin(name: str) -> Policy:
    path = data_dir("policies") / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(
            f"unknown policy {name!r}; built-in policies: " + ", ".join(builtin_names())
        )
    return _load_file(path, f"built-in {name}", table=None)


def _load_file(path: Path, label: str, table: str | None, seen: tuple[str, ...] = ()) -> Policy:
    text = ""
    try:
        text = read_text(path)
        data: Any = parse_toml(text)
    except (OSError, ValueError) as exc:
        line = error_line(exc, text)
        where = f"{label}:{line}" if line else label
        raise ConfigError(f"{where}: {describe_error(exc)}") from exc
    if table:
        data = data["tool"][table]
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: the policy must be a table")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        line = line_of(text, unknown[0])
        where = f"{label}:{line}" if line else label
        raise ConfigError(
            f"{where}: unknown policy key {unknown[0]!r} (known: " + ", ".join(sorted(_KEYS)) + ")"
        )
    base = _base(data.get("extends"), label, path, seen)

    def strings(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f"{label}:{line_of(text, key) or '?'}: {key} must be a list of strings"
            )
        return tuple(value)

    allow = strings("allow", base.allow if base else ())
    forbid = strings("forbid-traits", base.forbid_traits if base else ())
    for item in (*[a[1:] for a in allow if a.startswith("@")], *forbid):
        if item not in SELECTORS:
            raise ConfigError(
                f"{label}:{line_of(text, item) or '?'}: unknown trait {item!r} "
                "(known: " + ", ".join(SELECTORS) + ")"
            )
    severity = data.get("unknown-license", base.unknown_severity.value if base else "error")
    try:
        unknown_severity = Severity(severity)
    except ValueError as exc:
        raise ConfigError(
            f"{label}:{line_of(text, 'unknown-license') or '?'}: unknown-license "
            "must be error, warning or info"
        ) from exc
    return Policy(
        name=str(data.get("name", base.name if base else path.stem)),
        description=str(data.get("description", base.description if base else "")),
        allow=allow,
        forbid_traits=forbid,
        unknown_severity=unknown_severity,
        source=label,
    )


def _base(extends: object, label: str, path: Path, seen: tuple[str, ...]) -> Policy | None:
    if extends is None:
        return None
    if not isinstance(extends, str):
        raise ConfigError(f"{label}: extends must be a policy name or a path")
    if extends in seen:
        raise ConfigError(f"{label}: policy extends itself ({' -> '.join((*seen, extends))})")
    candidate = path.parent / extends
    if extends.endswith(".toml") and candidate.is_file():
        return _load_file(candidate, extends, None, (*seen, extends))
    builtin = data_dir("policies") / f"{extends}.toml"
    if not builtin.is_file():
        raise ConfigError(f"{label}: extends unknown policy {extends!r}")
    return _load_file(builtin, f"built-in {extends}", None, (*seen, extends))
