"""The rule registry (``policy/rules.toml``): code, slug, default severity, explanation.

A low-level module: the policy loader (config) checks rule codes against it and evaluate
(policy) makes findings with it, so neither imports the other for it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from dllicense.models import Rule, Severity
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
