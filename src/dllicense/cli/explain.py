"""``dllicense explain``: a rule code, a licence, or a deep learning framework."""

from __future__ import annotations

import json
import re
from typing import Any

import click

from dllicense.cli import one_line_errors
from dllicense.errors import UsageError


def _rule(code: str) -> dict[str, Any]:
    from dllicense.rules import rules

    found = rules().get(code.upper())
    if found is None:
        raise UsageError(f"unknown rule code {code!r}")
    return {
        "kind": "rule",
        "code": found.code,
        "slug": found.slug,
        "severity": found.severity.value,
        "summary": found.summary,
        "explanation": found.explanation,
    }


def _format_rule(d: dict[str, Any]) -> str:
    return (
        f"{d['code']} {d['slug']} (default severity: {d['severity']})\n\n{d['summary']}\n\n"
        f"{d['explanation']}\n"
    )


@click.command("explain")
@click.argument("subject")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@one_line_errors
def explain_command(subject: str, fmt: str) -> None:
    """Explain a rule code (DL201), a licence (Apache-2.0) or a framework (torch)."""
    from dllicense.knowledge import canonical_license_key
    from dllicense.knowledge.explain import explain_framework, explain_license, format_explanation
    from dllicense.knowledge.frameworks import find_framework
    from dllicense.knowledge.traits import aliased_record, scancode_traits

    if re.fullmatch(r"DL\d{3}", subject, re.IGNORECASE):
        data = _rule(subject)
        text = _format_rule(data)
    elif find_framework(subject) is not None:
        data = explain_framework(subject)
        text = format_explanation(data)
    elif (
        canonical_license_key(subject) is not None
        or aliased_record(subject) is not None
        or scancode_traits(subject) is not None  # an id a scan reports for a scancode match
    ):
        data = explain_license(subject)
        text = format_explanation(data)
    else:
        raise UsageError(
            f"{subject!r} is neither a rule code, a known licence nor a known framework"
        )
    click.echo(
        json.dumps(data, indent=2, ensure_ascii=False) if fmt == "json" else text, nl=fmt == "json"
    )
