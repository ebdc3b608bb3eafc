"""``dllicense models``: the models and datasets a project's code loads, with their licences.

Static: the code is parsed, never run; licences come from model cards in the
project or in the Hugging Face cache; nothing is downloaded. ``--online`` reads each Hub
repository's card metadata from the Hub first, as ``scan --models --online`` does. Exit code 0
(a listing, not a gate: ``scan --models`` applies the policy), 2 on bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dllicense.cli import one_line_errors
from dllicense.errors import InputError
from dllicense.sanitize import terminal

if TYPE_CHECKING:  # not at start-up: every command would pay for the dataclasses
    from dllicense.models import ExternalPackage, Finding, Verdict


@click.command("models")
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--online",
    is_flag=True,
    help="Read each Hub model's and dataset's card metadata from the Hugging Face Hub first "
    "(as scan --models --online; needs dllicense[hub]).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where --online Hub answers are cached (default: the user's cache directory).",
)
@click.option("--debug", is_flag=True, hidden=True)
@one_line_errors
def models_command(
    project: Path, fmt: str, online: bool, cache_dir: Path | None, debug: bool
) -> None:
    """List the models and datasets PROJECT (default: .) loads, with their licences."""
    from dllicense.classify.verdict import classify
    from dllicense.collect.hub import HubClient
    from dllicense.collect.modelcards import hf_cache_root, model_packages
    from dllicense.policy.codes import from_problem

    if not project.is_dir():
        raise InputError(f"{project}: not a directory")
    hub = HubClient(cache_dir, True) if online else None
    packages, problems = model_packages(project, hub=hub)
    rows = [(p, classify(p.evidence)) for p in packages]
    findings = [from_problem(x) for p in packages for x in p.problems]
    findings += [from_problem(x) for x in problems]
    findings.sort(key=lambda f: (_where(f), f.code, f.message))
    label = hf_cache_root()[1]
    if fmt == "json":
        click.echo(json.dumps(_json(rows, findings, label), indent=2, ensure_ascii=False))
    else:
        click.echo(terminal(_text(rows, findings, label)), nl=False)


def _where(f: Finding) -> str:
    if f.location is None:
        return ""
    return f"{f.location.file}:{f.location.line}" if f.location.line else f.location.file


def _references(package: ExternalPackage) -> list[dict[str, str]]:
    return [
        {"at": e.source, "call": e.value, "note": e.note}
        for e in package.evidence
        if e.kind == "reference"
    ]


def _json(
    rows: list[tuple[ExternalPackage, Verdict]], findings: list[Finding], label: str
) -> dict[str, Any]:
    return {
        "hf_cache": label,
        "packages": [
            {
                "kind": p.node.scopes[0],
                "scopes": list(p.node.scopes[1:]),
                "name": p.node.name,
                "source": p.ecosystem,
                "version": p.node.version,
                "license": v.expression or None,
                "confidence": v.confidence,
                "decided_by": list(v.decided_by),
                "notes": list(v.notes),
                "references": _references(p),
                "evidence": [
                    {
                        "kind": e.kind,
                        "source": e.source,
                        "value": e.value,
                        "expression": e.expression,
                        "note": e.note,
                    }
                    for e in p.evidence
                    if e.kind != "reference"
                ],
            }
            for p, v in rows
        ],
        "findings": [
            {
                "code": f.code,
                "slug": f.slug,
                "severity": f.severity.value,
                "message": f.message,
                "package": f.package,
                "file": f.location.file if f.location else None,
                "line": f.location.line if f.location else None,
            }
            for f in findings
        ],
    }


def _text(rows: list[tuple[ExternalPackage, Verdict]], findings: list[Finding], label: str) -> str:
    kinds = [p.node.scopes[0] for p, _ in rows]
    counts = ", ".join(
        f"{kinds.count(k)} {k}{'s' if kinds.count(k) != 1 else ''}"
        for k in ("model", "dataset")
        if k in kinds
    )
    lines = [f"{counts or 'No models or datasets'} found (Hugging Face cache: {label})", ""]
    for package, verdict in rows:
        node = package.node
        revision = f" @ {node.version[:12]}" if node.version else ""
        scope = f" ({', '.join(node.scopes[1:])})" if node.scopes[1:] else ""
        lines.append(f"{node.scopes[0]} {node.name}{revision}{scope}")
        if verdict.expression:
            why = ", ".join(verdict.decided_by)
            lines.append(f"  licence:    {verdict.expression} ({verdict.confidence}, from {why})")
        else:
            lines.append(f"  licence:    UNKNOWN ({'; '.join(verdict.notes) or 'no evidence'})")
        for ref in _references(package):
            note = f" ({ref['note']})" if ref["note"] else ""
            lines.append(f"  referenced: {ref['at']} {ref['call']}{note}")
        lines.append("")
    if findings:
        lines.append("Findings:")
        for f in findings:
            where = f" {_where(f)}" if f.location else ""
            subject = f" {f.package}" if f.package else ""
            lines.append(f"  {f.code} {f.severity.value}{where}{subject}: {f.message}")
        lines.append("")
    return "\n".join(lines)
