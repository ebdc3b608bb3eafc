"""Findings of registered rules (the registry itself is ``dllicense.rules``)."""

from __future__ import annotations

from dllicense.models import Finding, Location, Problem, Severity
from dllicense.rules import rule
from dllicense.sanitize import message as bounded_message


def finding(
    code: str,
    message: str,
    package: str = "",
    version: str = "",
    term: str = "",
    path: tuple[str, ...] = (),
    location: Location | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A ``Finding`` for a registered rule (unknown codes raise ``KeyError``). The message
    is bounded and shows control characters (it may quote scanned text)."""
    r = rule(code)
    return Finding(
        code,
        r.slug,
        severity or r.severity,
        bounded_message(message),
        package,
        version,
        term,
        path,
        location,
    )


def from_problem(problem: Problem, path: tuple[str, ...] = ()) -> Finding:
    return finding(
        problem.code,
        problem.message,
        problem.package,
        problem.version,
        path=path,
        location=problem.location,
    )


def location_of(where: str) -> Location:
    """``"dllicense.toml:12"`` -> ``Location("dllicense.toml", 12)``."""
    file, _, line = where.rpartition(":")
    if file and line.isdigit():
        return Location(file, int(line))
    return Location(where)
