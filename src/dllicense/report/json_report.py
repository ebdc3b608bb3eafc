"""``--format json``: the complete ``ScanResult`` with a ``schema_version``.

Keys keep a fixed order and lists are sorted upstream, so the same inputs
give the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import fields
from functools import cache
from operator import attrgetter
from typing import Any

from dllicense.models import Finding, LicenseTraits, PackageResult, ScanResult
from dllicense.report.common import holders

_NAMES: dict[type, tuple[str, ...]] = {}


def _names(obj: Any) -> tuple[str, ...]:
    """Field names of a dataclass instance, looked up once per class."""
    names = _NAMES.get(type(obj))
    if names is None:
        names = _NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    return names


_GETTERS: dict[type, tuple[tuple[str, ...], Any]] = {}


def _row(obj: object) -> dict[str, Any]:
    """``_flat`` for the encoder only: tuples stay tuples (the encoder writes them as lists),
    the fields read by one C call."""
    found = _GETTERS.get(type(obj))
    if found is None:
        names = _names(obj)
        getter = attrgetter(*names) if len(names) > 1 else (lambda o: (getattr(o, names[0]),))
        found = _GETTERS[type(obj)] = (names, getter)
    return dict(zip(found[0], found[1](obj), strict=True))


def _flat(obj: object) -> dict[str, Any]:
    """A dataclass of strings, flags and tuples of strings as a JSON-ready dict (fast asdict)."""
    out = {}
    for name in _names(obj):
        value = getattr(obj, name)
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


# acyclic data (frozen dataclasses of strings and tuples): no check for cycles
_COMPACT = json.JSONEncoder(
    ensure_ascii=False, separators=(", ", ": "), check_circular=False
).encode


@cache
def _traits(traits: LicenseTraits) -> dict[str, Any]:
    return _flat(traits)


@cache
def _traits_json(traits: LicenseTraits) -> str:
    return _COMPACT(_traits(traits))


def _package_json(p: PackageResult) -> str:
    """``_package(p)`` encoded, with each licence's traits encoded once per scan (thousands
    of packages share a handful of licences)."""
    node, verdict = p.node, p.verdict
    row = {  # _package_head's keys and values, tuples as they are (the encoder lists them)
        "name": node.name,
        "version": node.version,
        "license": verdict.expression or None,
        "confidence": verdict.confidence,
        "status": p.status,
        "chosen": p.chosen or None,
        "scopes": node.scopes,
        "direct": node.direct,
        "path": node.path,
        "parents": node.parents,
        "requires": node.requires,
        "depends": [{"name": n, "version": v} for n, v in node.depends],
        "decided_by": verdict.decided_by,
        "disagreements": verdict.disagreements,
        "notes": verdict.notes,
        "origin": _row(p.origin),
        "holders": holders(p),
        "traits": None,  # placeholder: each licence's traits are encoded once per scan
        "evidence": [_row(e) for e in p.evidence],
    }
    before, after = _COMPACT(row).split(', "traits": null, ', 1)
    traits = ", ".join(_traits_json(t) for t in verdict.traits)
    return f'{before}, "traits": [{traits}], {after}'


def _package(p: PackageResult) -> dict[str, Any]:
    return {
        **_package_head(p),
        "traits": [_traits(t) for t in p.verdict.traits],
        "evidence": [_flat(e) for e in p.evidence],
    }


def _package_head(p: PackageResult) -> dict[str, Any]:
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
        "depends": [{"name": n, "version": v} for n, v in p.node.depends],
        "decided_by": list(p.verdict.decided_by),
        "disagreements": list(p.verdict.disagreements),
        "notes": list(p.verdict.notes),
        "origin": _flat(p.origin),
        "holders": list(holders(p)),
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
    return {
        **_head(result),
        "packages": [_package(p) for p in result.packages],
        "findings": [_finding(f) for f in result.findings],
    }


def _head(result: ScanResult) -> dict[str, Any]:
    counts = {
        s: sum(1 for f in result.findings if f.severity.value == s)
        for s in ("error", "warning", "info")
    }
    return {
        "schema_version": result.schema_version,
        "tool": {"name": "dllicense", "version": result.tool_version},
        "generated": result.generated or None,
        "revision": _flat(result.revision),
        "project": result.project,
        "environment": result.environment,
        "python_version": result.python_version,
        "policy": result.policy,
        "scopes": list(result.scopes),
        "sources": list(result.sources),
        "options": dict(result.options),
        "approvals": [_flat(a) for a in result.approvals],
        "summary": {"packages": len(result.packages), "findings": counts},
    }


def render(result: ScanResult) -> str:
    """One top-level key per line and one package or finding per line.

    Readable and diff-friendly (a baseline in git changes by whole packages),
    and written with the C encoder: ``indent=`` would fall back to the pure
    Python one, the slowest step of a scan of 20,000 distributions.
    """
    lines = ["{"]
    lines += [f"  {_COMPACT(key)}: {_COMPACT(value)}," for key, value in _head(result).items()]
    rows = {
        "packages": [_package_json(p) for p in result.packages],
        "findings": [_COMPACT(_finding(f)) for f in result.findings],
    }
    for index, (key, encoded) in enumerate(rows.items()):
        comma = "," if index < len(rows) - 1 else ""
        if encoded:
            body = ",\n".join(f"    {row}" for row in encoded)
            lines.append(f"  {_COMPACT(key)}: [\n{body}\n  ]{comma}")
        else:
            lines.append(f"  {_COMPACT(key)}: []{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
