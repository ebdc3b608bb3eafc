"""Validating reads of one policy table: every error collected, each named with its file,
real line and key path (``exceptions[1].expires``), raised together by ``done``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from dllicense.config.policytypes import SELECTORS
from dllicense.config.tomllines import Path as KeyPath
from dllicense.config.tomllines import TomlLines, key_path
from dllicense.errors import ConfigError

_LICENSEREF = re.compile(r"LicenseRef-[A-Za-z0-9.\-]+")  # a team's own licence ids are fine


class Reader:
    """Validating accessors over one policy table. Errors are collected, not raised, so one
    run names them all, each as ``file:line: key.path: message`` at the key's real line."""

    def __init__(self, label: str, text: str, prefix: str = "") -> None:
        self.label = label
        self.text = text
        self.lines = TomlLines(text, prefix)
        self.errors: list[str] = []

    def where(self, path: KeyPath, value: str = "") -> str:
        line = self.lines.line(path, value)
        return f"{self.label}:{line}" if line else self.label

    def error(self, path: KeyPath, message: str, value: str = "") -> None:
        named = key_path(path)
        self.errors.append(f"{self.where(path, value)}: {named + ': ' if named else ''}{message}")

    def keys(self, table: dict[str, Any], allowed: set[str], path: KeyPath, what: str) -> None:
        for key in sorted(set(table) - allowed):
            known = ", ".join(sorted(allowed))
            self.error((*path, key), f"unknown {what} key (known: {known})")

    def strings(self, table: dict[str, Any], path: KeyPath, key: str) -> tuple[str, ...] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error((*path, key), "must be a list of strings")
            return None
        return tuple(value)

    def string(self, table: dict[str, Any], path: KeyPath, key: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.error((*path, key), "must be a string")
            return default
        return value

    def choice(
        self, table: dict[str, Any], key: str, choices: tuple[str, ...], default: str
    ) -> str:
        value = self.string(table, (), key, default)
        if value not in choices:
            self.error((key,), f"must be one of {', '.join(choices)}, not {value!r}")
            return default
        return value

    def traits(self, items: tuple[str, ...], path: KeyPath) -> tuple[str, ...]:
        for item in items:
            if item not in SELECTORS:
                known = ", ".join(SELECTORS)
                self.error(path, f"unknown trait {item!r} (known: {known})", item)
        return tuple(i for i in items if i in SELECTORS)

    def licences(
        self, items: tuple[str, ...], path: KeyPath, star: bool = False
    ) -> tuple[str, ...]:
        """Allow entries: "@selector", a known licence key, or "X WITH Y" of known keys."""
        from dllicense.knowledge import canonical_license_key

        out = []
        for item in items:
            if item.startswith("@"):
                if self.traits((item[1:],), path):
                    out.append(item)
                continue
            if item == "*" and star:
                out.append(item)
                continue
            parts = [p.strip() for p in item.split(" WITH ")]
            canonical = [
                canonical_license_key(p) or (p if _LICENSEREF.fullmatch(p) else None) for p in parts
            ]
            if len(parts) > 2 or None in canonical:
                message = f"{item!r} is not a known licence id, LicenseRef or 'X WITH Y'"
                self.error(path, message, item)
                continue
            out.append(" WITH ".join(str(c) for c in canonical))
        return tuple(out)

    def versions(self, table: dict[str, Any], path: KeyPath) -> str:
        spec = self.string(table, path, "versions")
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            self.error((*path, "versions"), f"{spec!r} is not a PEP 440 version specifier")
            return ""
        return spec

    def date(self, table: dict[str, Any], path: KeyPath, key: str) -> dt.date | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error((*path, key), f"must be a date (YYYY-MM-DD), not {value!r}")
        return None

    def tables(self, table: dict[str, Any], path: KeyPath, key: str) -> list[dict[str, Any]]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error((*path, key), f"must be an array of tables ([[{key}]])")
            return []
        return value

    def done(self) -> None:
        """Raise every error found, one per line."""
        if self.errors:
            raise ConfigError("\n".join(self.errors))
