"""Deep learning frameworks, version-aware (``frameworks.toml``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from functools import cache
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dllicense.knowledge._resources import FRAMEWORKS_FILE, KnowledgeError, load_toml
from dllicense.models import LicenseChange as LicenseChange  # re-exported: a value of models
from dllicense.records import frozen

_WILDCARDS = re.compile(r"[*?\[]")


@frozen
class FrameworkLicense:
    """The licence of a framework over one range of versions.

    ``versions`` is a PEP 440 specifier set ("" = every version); ``expression``
    covers the framework's own code, ``wheel_expression`` what its wheel
    declares when that says more ("" = same as ``expression``).
    """

    versions: str
    expression: str
    wheel_expression: str = ""
    dates: str = ""
    verified: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""

    def covers(self, version: str) -> bool:
        """Whether ``version`` (PEP 440, pre-releases included) falls in this period.

        A period for every version ("") covers any version string, PEP 440 or not.
        """
        if not self.versions:
            return True
        try:
            parsed = Version(version)
        except InvalidVersion:
            return False
        return SpecifierSet(self.versions).contains(parsed, prereleases=True)


@frozen
class BundledComponent:
    """Third-party code shipped inside a framework ("" expression = not classified)."""

    component: str
    expression: str
    versions: str = ""
    verified: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""


@frozen
class Framework:
    """A framework with its names per ecosystem and its licence history."""

    key: str
    name: str
    names: tuple[tuple[str, tuple[str, ...]], ...]
    licenses: tuple[FrameworkLicense, ...]
    changes: tuple[LicenseChange, ...] = ()
    bundled: tuple[BundledComponent, ...] = ()
    exclude: tuple[tuple[str, tuple[str, ...]], ...] = ()
    seed: bool = False
    reviewer_note: str = ""
    names_note: str = ""
    commercial_support: str = ""
    commercial_support_source: str = ""

    def names_for(self, ecosystem: str) -> tuple[str, ...]:
        """Names or glob patterns of this framework in ``ecosystem``."""
        return dict(self.names).get(ecosystem, ())

    def excluded_for(self, ecosystem: str) -> tuple[str, ...]:
        """Names a pattern of this framework must not claim in ``ecosystem``."""
        return dict(self.exclude).get(ecosystem, ())


def normalize_name(name: str, ecosystem: str) -> str:
    """A package name (or pattern) as compared: PEP 503 for pypi, lower-case elsewhere."""
    text = name.strip()
    return str(canonicalize_name(text)) if ecosystem == "pypi" else text.lower()


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise KnowledgeError(f"{FRAMEWORKS_FILE}: {where} must be a list of strings")
    return tuple(value)


def _specifier(text: str, where: str) -> str:
    try:
        SpecifierSet(text)
    except InvalidSpecifier as error:
        raise KnowledgeError(f"{FRAMEWORKS_FILE}: {where}: {error}") from error
    return text


def _names(table: Any, key: str, field: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not table:
        return ()
    if not isinstance(table, dict):
        raise KnowledgeError(f"{FRAMEWORKS_FILE}: frameworks.{key}.{field} must be a table")
    return tuple(
        (
            ecosystem,
            tuple(
                normalize_name(n, ecosystem) for n in _strings(names, f"{key}.{field}.{ecosystem}")
            ),
        )
        for ecosystem, names in sorted(table.items())
    )


def _framework(key: str, data: Mapping[str, Any]) -> Framework:
    where = f"frameworks.{key}"
    periods = tuple(
        FrameworkLicense(
            versions=_specifier(str(p.get("versions", "")), f"{where}.licenses"),
            expression=str(p["expression"]),
            wheel_expression=str(p.get("wheel_expression", "")),
            dates=str(p.get("dates", "")),
            verified=bool(p.get("verified", True)),
            sources=_strings(p.get("sources", []), f"{where}.licenses.sources"),
            note=str(p.get("note", "")),
        )
        for p in data.get("licenses", ())
    )
    if not periods:
        raise KnowledgeError(f"{FRAMEWORKS_FILE}: {where} has no [[licenses]] period")
    changes = tuple(
        LicenseChange(
            kind=str(c["kind"]),
            from_expression=str(c["from_expression"]),
            to_expression=str(c["to_expression"]),
            at_version=str(c.get("at_version", "")),
            date=str(c.get("date", "")),
            verified=bool(c.get("verified", True)),
            sources=_strings(c.get("sources", []), f"{where}.changes.sources"),
            note=str(c.get("note", "")),
        )
        for c in data.get("changes", ())
    )
    bundled = tuple(
        BundledComponent(
            component=str(b["component"]),
            expression=str(b.get("expression", "")),
            versions=_specifier(str(b.get("versions", "")), f"{where}.bundled"),
            verified=bool(b.get("verified", True)),
            sources=_strings(b.get("sources", []), f"{where}.bundled.sources"),
            note=str(b.get("note", "")),
        )
        for b in data.get("bundled", ())
    )
    support = data.get("commercial_support") or {}
    return Framework(
        key=key,
        name=str(data.get("name", key)),
        names=_names(data.get("names"), key, "names"),
        exclude=_names(data.get("exclude"), key, "exclude"),
        licenses=periods,
        changes=changes,
        bundled=bundled,
        seed=bool(data.get("seed", False)),
        reviewer_note=str(data.get("reviewer_note", "")),
        names_note=str(data.get("names_note", "")),
        commercial_support=str(support.get("text", "")),
        commercial_support_source=str(support.get("source", "")),
    )


@frozen
class _Catalogue:
    frameworks: tuple[Framework, ...]
    by_key: Mapping[str, Framework]
    exact: Mapping[tuple[str, str], Framework]  # (ecosystem, name) -> framework
    patterns: tuple[tuple[str, str, Framework], ...]  # (ecosystem, pattern, framework)
    # ecosystem -> the literal starts of its patterns: a name that starts with none of them
    # matches no pattern (a screen without compiling a regular expression: 8 ms per scan)
    starts: Mapping[str, tuple[str, ...]]


@cache
def _catalogue() -> _Catalogue:
    table = load_toml(FRAMEWORKS_FILE).get("frameworks")
    if not isinstance(table, dict):
        raise KnowledgeError(f"{FRAMEWORKS_FILE}: missing [frameworks] table")
    items = tuple(_framework(str(key), data) for key, data in sorted(table.items()))
    exact: dict[tuple[str, str], Framework] = {}
    patterns: list[tuple[str, str, Framework]] = []
    for framework in items:
        for ecosystem, names in framework.names:
            for name in names:
                if _WILDCARDS.search(name):
                    patterns.append((ecosystem, name, framework))
                elif exact.setdefault((ecosystem, name), framework) is not framework:
                    raise KnowledgeError(
                        f"{FRAMEWORKS_FILE}: {ecosystem} name {name!r} is claimed by two frameworks"
                    )
    # The most specific pattern (most literal characters) wins.
    patterns.sort(key=lambda item: (-len(_WILDCARDS.sub("", item[1])), item[1], item[2].key))
    starts: dict[str, set[str]] = {}
    for ecosystem, pattern, _ in patterns:
        starts.setdefault(ecosystem, set()).add(_WILDCARDS.split(pattern, 1)[0])
    return _Catalogue(
        frameworks=items,
        by_key={f.key: f for f in items},
        exact=exact,
        patterns=tuple(patterns),
        starts={e: tuple(sorted(found)) for e, found in starts.items()},
    )


def frameworks() -> tuple[Framework, ...]:
    """Every framework of the knowledge base, sorted by key."""
    return _catalogue().frameworks


def framework_by_key(key: str) -> Framework | None:
    """The framework with this knowledge-base key (e.g. ``torch7``), or None."""
    return _catalogue().by_key.get(key.strip().lower())


def framework_for(name: str, ecosystem: str = "pypi") -> Framework | None:
    """The framework a package name belongs to in ``ecosystem`` (exact names, then globs)."""
    catalogue = _catalogue()
    wanted = normalize_name(name, ecosystem)
    found = catalogue.exact.get((ecosystem, wanted))
    if found is not None:
        return found
    if not wanted.startswith(catalogue.starts.get(ecosystem, ())):
        return None  # rules out the patterns for most names
    for pattern_ecosystem, pattern, framework in catalogue.patterns:
        if (
            pattern_ecosystem == ecosystem
            and fnmatchcase(wanted, pattern)
            and not any(
                fnmatchcase(wanted, excluded) for excluded in framework.excluded_for(ecosystem)
            )
        ):
            return framework
    return None


LOOKUP_ECOSYSTEMS = ("pypi", "conda", "maven", "luarocks")


def find_framework(query: str) -> Framework | None:
    """The framework a person names: its key (``torch7``), its name (``Torch7``, any case), or
    one of its PyPI, conda, Maven or LuaRocks package names, in that order."""
    text = query.strip()
    found = framework_by_key(text)
    if found is not None:
        return found
    for framework in frameworks():
        if framework.name.casefold() == text.casefold():
            return framework
    for ecosystem in LOOKUP_ECOSYSTEMS:
        found = framework_for(text, ecosystem)
        if found is not None:
            return found
    return None


def _resolve(name: str, ecosystem: str) -> Framework | None:
    return framework_for(name, ecosystem) or framework_by_key(name)


def period_for(framework: Framework, version: str | None) -> FrameworkLicense | None:
    """The licence period of ``framework`` covering ``version``.

    Without a version, only a single period valid for every version answers.
    """
    if version is None:
        only = framework.licenses
        return only[0] if len(only) == 1 and not only[0].versions else None
    return next((period for period in framework.licenses if period.covers(version)), None)


def framework_license(
    name: str, version: str | None, ecosystem: str = "pypi"
) -> FrameworkLicense | None:
    """The licence period covering ``version`` of a framework package; None if none does.

    ``name`` is a package name of ``ecosystem`` or a knowledge-base key.
    """
    framework = _resolve(name, ecosystem)
    return period_for(framework, version) if framework else None


def _crossed(
    change: LicenseChange,
    low: Version,
    high: Version,
    periods: tuple[FrameworkLicense | None, FrameworkLicense | None],
) -> bool:
    if change.at_version:
        try:
            at = Version(change.at_version)
        except InvalidVersion:
            return False
        return low < at <= high
    old, new = periods
    return (
        old is not None
        and new is not None
        and {old.expression, new.expression} == {change.from_expression, change.to_expression}
    )


def license_changes_between(
    name: str, old_version: str, new_version: str, ecosystem: str = "pypi"
) -> tuple[LicenseChange, ...]:
    """Licence changes crossed when moving between two versions (either direction)."""
    framework = _resolve(name, ecosystem)
    if framework is None:
        return ()
    try:
        old, new = Version(old_version), Version(new_version)
    except InvalidVersion:
        return ()
    low, high = (old, new) if old <= new else (new, old)
    periods = (period_for(framework, str(low)), period_for(framework, str(high)))
    return tuple(change for change in framework.changes if _crossed(change, low, high, periods))


def expressions_of(framework: Framework) -> Iterable[str]:
    """Every SPDX expression the framework's record mentions (periods, changes, bundled)."""
    for period in framework.licenses:
        yield period.expression
        if period.wheel_expression:
            yield period.wheel_expression
    for change in framework.changes:
        yield change.from_expression
        yield change.to_expression
    for component in framework.bundled:
        if component.expression:
            yield component.expression
