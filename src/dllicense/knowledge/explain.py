"""Explanations for ``dllicense explain``: JSON-ready dicts and their plain-text form.

``explain_license`` and ``explain_framework`` return deterministic dicts (only
str, bool, None, lists and dicts); ``format_explanation`` renders either one
for a terminal.
"""

from __future__ import annotations

import textwrap
from functools import cache
from typing import Any

from dllicense.knowledge._resources import meaning
from dllicense.knowledge.frameworks import (
    Framework,
    expressions_of,
    find_framework,
    framework_for,
    frameworks,
    period_for,
)
from dllicense.knowledge.traits import (
    LicenseRecord,
    aliased_record,
    canonical_license_key,
    license_record,
    license_traits,
    scancode_traits,
    split_with,
    traits_of_expression,
)

_WIDTH = 88


@cache
def _users() -> dict[str, tuple[str, ...]]:
    """Licence key (either side of WITH too) -> keys of the frameworks mentioning it."""
    users: dict[str, set[str]] = {}
    for framework in frameworks():
        for expression in expressions_of(framework):
            try:
                found = traits_of_expression(expression)
            except ValueError:
                continue
            for traits in found:
                base, exception = split_with(traits.key)
                for part in (traits.key, base, exception):
                    if part:
                        users.setdefault(part, set()).add(framework.key)
    return {key: tuple(sorted(keys)) for key, keys in users.items()}


def _record_dict(record: LicenseRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "name": record.name,
        "notes": record.notes,
        "facts": [{"field": f, "clause": c} for f, c in record.facts],
        "sources": list(record.sources),
    }


def explain_license(key: str) -> dict[str, Any]:
    """What the knowledge base says about one licence key (SPDX id, LicenseRef, X WITH Y)."""
    canonical = canonical_license_key(key)
    traits = license_traits(key)
    base_key, exception_key = split_with(key)
    record = license_record(base_key) or aliased_record(base_key)
    exception = license_record(exception_key) if exception_key else None
    # a LicenseRef-scancode-* id a scan reports: traits from scancode's category only
    generated = record is None and not exception_key and scancode_traits(key) is not None
    return {
        "kind": "license",
        "query": key,
        "known": canonical is not None or (record is not None and not exception_key) or generated,
        "key": traits.key,
        "name": traits.name,
        "origin": record.origin if record else "scancode" if generated else "unknown",
        "family": traits.family,
        "family_meaning": meaning("family", traits.family),
        "patent": traits.patent,
        "patent_meaning": meaning("patent", traits.patent),
        "retaliation": record.retaliation if record else "unknown",
        "commercial": traits.commercial,
        "commercial_meaning": meaning("commercial", traits.commercial),
        "obligations": [
            {"name": o, "meaning": meaning("obligations", o)} for o in traits.obligations
        ],
        "osi_approved": record.osi_approved if record else None,
        "is_exception": record.is_exception if record else False,
        "is_deprecated": record.is_deprecated if record else False,
        "facts": _record_dict(record)["facts"] if record else [],
        "sources": list(record.sources) if record else list(traits.sources),
        "notes": record.notes if record else traits.notes,
        "exception": _record_dict(exception) if exception else None,
        "frameworks": list(_users().get(canonical, ())) if canonical else [],
    }


def _expression_summary(expression: str) -> list[dict[str, Any]]:
    try:
        found = traits_of_expression(expression)
    except ValueError:
        return []
    return [
        {
            "key": t.key,
            "family": t.family,
            "patent": t.patent,
            "commercial": t.commercial,
            "obligations": list(t.obligations),
        }
        for t in found
    ]


def _framework_dict(framework: Framework, query: str, version: str | None) -> dict[str, Any]:
    resolved = period_for(framework, version) if version is not None else None
    return {
        "kind": "framework",
        "query": query,
        "known": True,
        "key": framework.key,
        "name": framework.name,
        "seed": framework.seed,
        "names": {ecosystem: list(names) for ecosystem, names in framework.names},
        "excluded_names": {ecosystem: list(names) for ecosystem, names in framework.exclude},
        "names_note": framework.names_note,
        "reviewer_note": framework.reviewer_note,
        "commercial_support": framework.commercial_support,
        "commercial_support_source": framework.commercial_support_source,
        "version": version,
        "resolved": None if resolved is None else framework.licenses.index(resolved),
        "licenses": [
            {
                "versions": p.versions or "all versions",
                "expression": p.expression,
                "wheel_expression": p.wheel_expression,
                "dates": p.dates,
                "verified": p.verified,
                "sources": list(p.sources),
                "note": p.note,
                "traits": _expression_summary(p.wheel_expression or p.expression),
            }
            for p in framework.licenses
        ],
        "changes": [
            {
                "kind": c.kind,
                "from": c.from_expression,
                "to": c.to_expression,
                "at_version": c.at_version,
                "date": c.date,
                "verified": c.verified,
                "sources": list(c.sources),
                "note": c.note,
            }
            for c in framework.changes
        ],
        "bundled": [
            {
                "component": b.component,
                "expression": b.expression,
                "versions": b.versions or "all versions",
                "verified": b.verified,
                "sources": list(b.sources),
                "note": b.note,
            }
            for b in framework.bundled
        ],
    }


def explain_framework(
    name: str, version: str | None = None, ecosystem: str = "pypi"
) -> dict[str, Any]:
    """What the knowledge base says about a framework (package name or key)."""
    framework = framework_for(name, ecosystem) or find_framework(name)
    if framework is None:
        return {"kind": "framework", "query": name, "known": False, "version": version}
    return _framework_dict(framework, name, version)


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(
        text,
        _WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent.rstrip()]


def _format_license(d: dict[str, Any]) -> list[str]:
    if not d["known"]:
        return [
            f"{d['query']}: not in the dllicense knowledge base.",
            *_wrap(
                "family, patent stance and commercial use are unknown: review the licence text."
            ),
        ]
    lines = [f"{d['key']}: {d['name']}"]
    if d["is_exception"]:
        lines.append("  (licence exception: used after WITH)")
    if d["is_deprecated"]:
        lines.append("  (deprecated SPDX id)")
    for field in ("family", "patent", "commercial"):
        lines += _wrap(f"{field}: {d[field]} - {d[field + '_meaning']}")
    if d["retaliation"] not in ("unknown", ""):
        retaliation = d["retaliation"]
        lines += _wrap(f"retaliation: {retaliation} - {meaning('retaliation', retaliation)}")
    if d["obligations"]:
        lines.append("  obligations:")
        for item in d["obligations"]:
            lines += _wrap(f"- {item['name']}: {item['meaning']}", "    ")
    else:
        lines.append("  obligations: none recorded")
    osi = {True: "yes", False: "no", None: "not recorded"}[d["osi_approved"]]
    lines.append(f"  OSI approved: {osi}")
    lines.append(f"  record: {d['origin']}")
    if d["facts"]:
        lines.append("  facts:")
        for fact in d["facts"]:
            lines += _wrap(f"- {fact['field']}: {fact['clause']}", "    ")
    if d["sources"]:
        lines.append("  sources:")
        for source in d["sources"]:
            lines += _wrap(f"- {source}", "    ")
    if d["notes"]:
        lines += _wrap(f"notes: {d['notes']}")
    exception = d["exception"]
    if exception:
        lines.append(f"  exception {exception['key']}: {exception['name']}")
        for fact in exception["facts"]:
            lines += _wrap(f"- {fact['field']}: {fact['clause']}", "    ")
        for source in exception["sources"]:
            lines += _wrap(f"- {source}", "    ")
        if exception["notes"]:
            lines += _wrap(f"notes: {exception['notes']}", "    ")
    if d["frameworks"]:
        lines += _wrap(f"used by frameworks: {', '.join(d['frameworks'])}")
    return lines


def _format_framework(d: dict[str, Any]) -> list[str]:
    if not d["known"]:
        return [f"{d['query']}: not a framework of the dllicense knowledge base."]
    lines = [
        f"{d['name']} ({d['key']})" + ("  [reviewed in the seed document]" if d["seed"] else "")
    ]
    for ecosystem, names in d["names"].items():
        lines += _wrap(f"{ecosystem}: {', '.join(names)}")
    for ecosystem, names in d["excluded_names"].items():
        lines += _wrap(f"{ecosystem} (not covered): {', '.join(names)}")
    if d["names_note"]:
        lines += _wrap(d["names_note"])
    if d["reviewer_note"]:
        lines += _wrap(f"reviewer note: {d['reviewer_note']}")
    if d["commercial_support"]:
        lines += _wrap(
            f"commercial support: {d['commercial_support']} ({d['commercial_support_source']})"
        )
    if d["version"] is not None:
        where = (
            "not covered by any licence period"
            if d["resolved"] is None
            else f"period {d['resolved'] + 1}"
        )
        lines.append(f"  version {d['version']}: {where}")
    lines.append("  licences:")
    for number, period in enumerate(d["licenses"], start=1):
        mark = "" if period["verified"] else " (unverified)"
        lines += _wrap(f"{number}. {period['versions']}: {period['expression']}{mark}", "    ")
        if period["wheel_expression"]:
            lines += _wrap(f"wheel declares: {period['wheel_expression']}", "       ")
        if period["dates"]:
            lines += _wrap(f"dates: {period['dates']}", "       ")
        for t in period["traits"]:
            lines += _wrap(
                f"{t['key']}: {t['family']}, patent {t['patent']}, commercial {t['commercial']}",
                "       ",
            )
        for source in period["sources"]:
            lines += _wrap(f"source: {source}", "       ")
        if period["note"]:
            lines += _wrap(f"note: {period['note']}", "       ")
    if d["changes"]:
        lines.append("  licence changes:")
        for change in d["changes"]:
            at = f" at {change['at_version']}" if change["at_version"] else ""
            when = f" ({change['date']})" if change["date"] else ""
            mark = "" if change["verified"] else " (unverified)"
            lines += _wrap(
                f"- [{change['kind']}] {change['from']} -> {change['to']}{at}{when}{mark}", "    "
            )
            if change["note"]:
                lines += _wrap(f"note: {change['note']}", "       ")
    if d["bundled"]:
        lines.append("  bundled third-party code:")
        for item in d["bundled"]:
            expression = item["expression"] or "not classified"
            lines += _wrap(f"- {item['component']}: {expression} ({item['versions']})", "    ")
            if item["note"]:
                lines += _wrap(f"note: {item['note']}", "       ")
    return lines


def format_explanation(d: dict[str, Any]) -> str:
    """Plain text for a terminal from an ``explain_license``/``explain_framework`` dict."""
    lines = _format_license(d) if d.get("kind") == "license" else _format_framework(d)
    return "\n".join(lines) + "\n"
