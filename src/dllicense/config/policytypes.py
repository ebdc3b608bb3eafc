"""What a policy says, once loaded: ``Policy`` and the decisions it carries
(exceptions, clarifications, scope rules), with the vocabularies its keys use."""

from __future__ import annotations

import datetime as dt
from fnmatch import fnmatchcase

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dllicense.models import Severity
from dllicense.records import frozen

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
    "commercial-unknown",
    "osi-approved",
)
USES = ("internal", "saas", "distributed")
SEVERITIES = ("error", "warning", "info", "off")


@frozen
class PolicyException:
    """A reviewed decision: these licences are accepted for this package (and versions)."""

    package: str
    versions: str
    allow: tuple[str, ...]
    reason: str
    approved_by: str
    expires: dt.date | None
    where: str  # "dllicense.toml:12"

    def matches(self, name: str, version: str) -> bool:
        return canonicalize_name(name) == self.package and version_in(version, self.versions)


@frozen
class Clarification:
    """The licence of a package whose evidence is wrong, pinned to its licence files' hashes."""

    package: str
    versions: str
    expression: str
    reason: str
    files: tuple[tuple[str, str], ...]  # (path relative to the dist-info, sha256)
    where: str

    def matches(self, name: str, version: str) -> bool:
        return canonicalize_name(name) == self.package and version_in(version, self.versions)


@frozen
class ScopeRule:
    """Other allow/forbid lists for packages reached only through some scopes (dev tools)."""

    scopes: tuple[str, ...]  # glob patterns: "group:*", "extra:docs"
    allow: tuple[str, ...] | None
    forbid_traits: tuple[str, ...] | None
    reason: str

    def covers(self, scopes: tuple[str, ...]) -> bool:
        return bool(scopes) and all(any(fnmatchcase(s, p) for p in self.scopes) for s in scopes)


@frozen
class Policy:
    name: str
    description: str
    allow: tuple[str, ...]  # SPDX ids, LicenseRefs, "X WITH Y", or "@selector"
    forbid_traits: tuple[str, ...]
    unknown_severity: Severity
    source: str  # "built-in default", "dllicense.toml", ...
    use: str = "distributed"
    review_traits: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ("runtime",)
    severity: tuple[tuple[str, str], ...] = ()  # rule code -> error/warning/info/off
    scope_rules: tuple[ScopeRule, ...] = ()
    exceptions: tuple[PolicyException, ...] = ()
    clarifications: tuple[Clarification, ...] = ()
    allow_where: tuple[tuple[str, str], ...] = ()  # own explicit allow entry -> "file:line"
    models: bool = False  # also check the models and datasets the code loads


def version_in(version: str, spec: str) -> bool:
    if not spec:
        return True
    try:
        return Version(version) in SpecifierSet(spec)
    except InvalidVersion:
        return False
