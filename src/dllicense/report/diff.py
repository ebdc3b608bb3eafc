"""``dllicense diff`` output: text, json (``diff_schema_version``) and markdown."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from dllicense.baseline import ReportDiff, ReportPackage, summary_counts
from dllicense.models import Finding, LicenseChange
from dllicense.report.json_report import _finding

DIFF_SCHEMA_VERSION = "1.0"
FORMATS = ("text", "json", "markdown")


def render(diff: ReportDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_dict(diff), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from dllicense.report.templating import render_template

        text = render_template("markdown/diff.md.j2", diff=diff, counts=summary_counts(diff))
        return text.rstrip("\n") + "\n"
    return _text(diff)


def _package(p: ReportPackage) -> dict[str, Any]:
    return {"name": p.node.name, "version": p.node.version, "license": p.license or None}


def _known(k: LicenseChange) -> dict[str, Any]:
    return asdict(k) | {"sources": list(k.sources)}


def to_dict(diff: ReportDiff) -> dict[str, Any]:
    return {
        "diff_schema_version": DIFF_SCHEMA_VERSION,
        "old": diff.old,
        "new": diff.new,
        "summary": summary_counts(diff),
        "added": [_package(p) for p in diff.added],
        "removed": [_package(p) for p in diff.removed],
        "upgraded": [asdict(c) for c in diff.upgraded],
        "downgraded": [asdict(c) for c in diff.downgraded],
        "license_changes": [
            asdict(c.change) | {"known": [_known(k) for k in c.known]} for c in diff.license_changes
        ],
        "findings": [_finding(c.finding) for c in diff.license_changes],
        "new_findings": [_finding(f) for f in diff.new_findings],
        "resolved_findings": [_finding(f) for f in diff.resolved_findings],
    }


def _line(f: Finding) -> str:
    who = f" {f.package}" if f.package else ""
    return f"  {f.code} {f.severity.value}{who}: {f.message}"


def _text(diff: ReportDiff) -> str:
    counts = summary_counts(diff)
    out = [f"dllicense diff: {diff.old} -> {diff.new}"]
    if diff.license_changes:
        out.append("")
        out.append("licence changes:")
        for c in diff.license_changes:
            out.append(_line(c.finding))
            for k in c.known:
                flag = "" if k.verified else " (unverified)"
                when = f", {k.date}" if k.date else ""
                out.append(f"      known {k.kind}{flag}{when}: {'; '.join(k.sources)}")
                if k.note:
                    out.append(f"      {k.note}")
    sections = (
        (
            "added",
            [f"  + {p.node.name} {p.node.version} ({p.license or 'UNKNOWN'})" for p in diff.added],
        ),
        (
            "removed",
            [
                f"  - {p.node.name} {p.node.version} ({p.license or 'UNKNOWN'})"
                for p in diff.removed
            ],
        ),
        ("upgraded", [f"  ^ {c.name} {c.old_version} -> {c.new_version}" for c in diff.upgraded]),
        (
            "downgraded",
            [f"  v {c.name} {c.old_version} -> {c.new_version}" for c in diff.downgraded],
        ),
        ("new findings", [_line(f) for f in diff.new_findings]),
        ("resolved findings", [_line(f) for f in diff.resolved_findings]),
    )
    for title, lines in sections:
        if lines:
            out += ["", f"{title}:", *lines]
    out += [
        "",
        f"{counts['added']} added, {counts['removed']} removed, {counts['upgraded']} upgraded, "
        f"{counts['downgraded']} downgraded, {counts['license_changes']} licence change(s), "
        f"{counts['new_findings']} new finding(s), {counts['resolved_findings']} resolved",
    ]
    return "\n".join(out) + "\n"
