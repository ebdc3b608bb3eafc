"""``--format json``: the complete ``ScanResult`` with a ``schema_version``.

Keys keep a fixed order and lists are sorted upstream, so the same inputs
give the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import fields
from functools import cache
from typing import Any

from dllicense.models import Finding, LicenseTraits, PackageResult, ScanResult

_NAMES: dict[type, tuple[str, ...]] = {}


def _names(obj: Any) -> tuple[str, ...]:
    """Field names of a dataclass instance, looked up once per class."""
    names = _NAMES.get(type(obj))
    if names is None:
        names = _NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    return names


def _flat(obj: object) -> dict[str, Any]:
    """A dataclass of strings, flags and tuples of strings as a JSON-ready dict (fast asdict)."""
    out = {}
    for name in _names(obj):
        value = getattr(obj, name)
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


@cache
def _traits(traits: LicenseTraits) -> dict[str, Any]:
    return _flat(traits)


def _package(p: PackageResult) -> dict[str, Any]:
    return {
        "name": p.node.name,
        "version": p.node.version,
        "license": p.verdict.expression or None,
        "confidence": p.verdict.confidence,
        "status": p.status,
        "chosen": p.chosen or None,
        "scopes": list(p.node.scopes),
        "direct": p.node.direct,
        "path": list(p.node.path),
        "parents": list(p.node.parents),
        "requires": list(p.node.requires),
        "decided_by": list(p.verdict.decided_by),
        "disagreements": list(p.verdict.disagreements),
        "notes": list(p.verdict.notes),
        "traits": [_traits(t) for t in p.verdict.traits],
        "evidence": [_flat(e) for e in p.evidence],
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "slug": f.slug,
        "severity": f.severity.value,
        "message": f.message,
        "package": f.package or None,
        "version": f.version or None,
        "term": f.term or None,
        "path": list(f.path),
        "location": _flat(f.location) if f.location else None,
    }


def to_dict(result: ScanResult) -> dict[str, Any]:
    counts = {
        s: sum(1 for f in result.findings if f.severity.value == s)
        for s in ("error", "warning", "info")
    }
    return {
        "schema_version": result.schema_version,
        "tool": {"name": "dllicense", "version": result.tool_version},
        "generated": result.generated or None,
        "project": result.project,
        "environment": result.environment,
        "python_version": result.python_version,
        "policy": result.policy,
        "scopes": list(result.scopes),
        "sources": list(result.sources),
        "options": dict(result.options),
        "summary": {"packages": len(result.packages), "findings": counts},
        "packages": [_package(p) for p in result.packages],
        "findings": [_finding(f) for f in result.findings],
    }


def render(result: ScanResult) -> str:
    """One top-level key per line and one package or finding per line.

    Readable and diff-friendly (a baseline in git changes by whole packages),
    and written with the C encoder: ``indent=`` would fall back to the pure
    Python one, the slowest step of a scan of 20,000 distributions.
    """
    compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    lines = ["{"]
    items = list(to_dict(result).items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows = ",\n".join(f"    {compact(v)}" for v in value)
            lines.append(f"  {compact(key)}: [\n{rows}\n  ]{comma}")
        else:
            lines.append(f"  {compact(key)}: {compact(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
