"""The rule registry (``policy/rules.toml``): code, slug, default severity, explanation.

A low-level module: the policy loader (config) checks rule codes against it and evaluate
(policy) makes findings with it, so neither imports the other for it.
"""

from __future__ import annotations

from functools import cache

from dllicense.models import Rule, Severity
from dllicense.resources import package_text
from dllicense.tomlfile import parse_toml


@cache
def rules() -> dict[str, Rule]:
    """Every rule by code, in code order."""
    data = parse_toml(package_text(__file__, "policy/rules.toml"))
    return {
        code: Rule(
            code, str(d["slug"]), Severity(d["severity"]), str(d["summary"]), str(d["explanation"])
        )
        for code, d in sorted(data.items())
    }


def rule(code: str) -> Rule:
    return rules()[code]
