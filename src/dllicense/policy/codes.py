"""The rule registry (``rules.toml``): code, slug, default severity, explanation."""

from __future__ import annotations

from functools import cache
from importlib import resources

from dllicense.models import Finding, Location, Problem, Rule, Severity
from dllicense.sanitize import message as bounded_message
from dllicense.tomlfile import parse_toml


@cache
def rules() -> dict[str, Rule]:
    """Every rule by code, in code order."""
    text = resources.files("dllicense.policy").joinpath("rules.toml").read_text("utf-8")
    data = parse_toml(text)
    return {
        code: Rule(
            code, str(d["slug"]), Severity(d["severity"]), str(d["summary"]), str(d["explanation"])
        )
        for code, d in sorted(data.items())
    }


def rule(code: str) -> Rule:
    return rules()[code]


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
