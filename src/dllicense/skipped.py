"""What each ``Skipped`` reason means: the one table from skip reason to rule code.

Stages return ``Skipped`` values for the packages they reach and do not carry forward;
the pipeline turns each into the finding of its reason's rule (``rules.toml``), so a
package that was not scanned never vanishes without a finding that names it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dllicense.models import Finding, Node, PackageResult, Problem, Skipped, SkipReason

# reason -> rule code (src/dllicense/policy/rules.toml); every SkipReason has one
SKIP_CODES: dict[SkipReason, str] = {
    "declared-not-installed": "DL001",
    "required-not-installed": "DL002",
    "metadata-unreadable": "DL021",
    "not-locked": "DL034",
    "lock-out-of-date": "DL031",
    "unaccounted": "DL101",
}


def as_problem(skipped: Skipped) -> Problem:
    """The problem (rule code by reason) a skipped package is reported as."""
    return Problem(
        SKIP_CODES[skipped.reason],
        skipped.detail,
        skipped.package,
        skipped.version,
        skipped.location,
    )


def unaccounted(
    reached: Iterable[Node], packages: Iterable[PackageResult], findings: Iterable[Finding]
) -> tuple[Skipped, ...]:
    """The invariant of a scan: every package the graph reached is a scanned package or is
    named by a finding. Returns the ones that are neither (a dllicense bug), as ``Skipped``
    so that they are reported all the same."""
    scanned = {(p.node.name, p.node.version) for p in packages}
    named = {f.package for f in findings}
    out = {
        (n.name, n.version): Skipped(
            n.name,
            n.version,
            "pipeline",
            "unaccounted",
            f"{f'{n.name} {n.version}'.strip()} was reached by the dependency graph but "
            "neither scanned "
            "nor reported: its licence is unknown (a dllicense bug: please report it)",
        )
        for n in reached
        if (n.name, n.version) not in scanned and n.name not in named
    }
    return tuple(out[k] for k in sorted(out))
