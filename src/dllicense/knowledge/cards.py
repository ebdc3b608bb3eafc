"""What reports explain from the knowledge base, as values of the ``ScanResult``.

The pipeline asks once per scan, so that reports render the result alone and
never read the knowledge base themselves: the facts of each deep learning
framework found (licence periods, changes, bundled code) and the meaning of
every trait value.
"""

from __future__ import annotations

from collections.abc import Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from dllicense.knowledge._resources import vocabulary
from dllicense.knowledge.frameworks import framework_for, framework_license
from dllicense.models import FrameworkFacts, LicensePeriod


def framework_facts(packages: Iterable[tuple[str, str]]) -> tuple[FrameworkFacts, ...]:
    """The facts of each (name, version) that is a framework's PyPI package, in order."""
    out = []
    for name, version in packages:
        fw = framework_for(name)
        if fw is None:
            continue
        current = framework_license(name, version)
        periods = tuple(
            LicensePeriod(
                x.versions, x.expression, x.wheel_expression, x.verified, x == current, x.note
            )
            for x in fw.licenses
        )
        bundled = tuple(
            (b.component, b.expression, b.note)
            for b in fw.bundled
            if not b.versions or _covers(b.versions, version)
        )
        out.append(
            FrameworkFacts(
                name,
                version,
                fw.key,
                fw.name,
                fw.seed,
                fw.reviewer_note,
                fw.commercial_support,
                periods,
                fw.changes,
                bundled,
                tuple(sorted(set(current.sources))) if current else (),
            )
        )
    return tuple(out)


def _covers(specifier: str, version: str) -> bool:
    try:
        return Version(version) in SpecifierSet(specifier, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def meanings() -> tuple[tuple[str, str, str], ...]:
    """(axis, value, one-line meaning) of every value of the trait vocabulary."""
    return tuple(
        (axis, value, text)
        for axis, values in vocabulary().items()
        for value, text in values.items()
    )
