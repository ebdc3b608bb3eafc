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

from dllicense.models import (
    Finding,
    LicenseTraits,
    Origin,
    PackageResult,
    ScanResult,
    Verdict,
)
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


_STR = json.encoder.encode_basestring  # what the encoder writes for a str (ensure_ascii=False)


def _strings(items: tuple[str, ...]) -> str:
    """A tuple of strings as the compact encoder writes it."""
    return f"[{', '.join(map(_STR, items))}]"


class _Rows:
    """Package rows for one render: the parts many packages share (a verdict's fields and
    traits, an origin, an evidence item, a row's end) are encoded once each. Verdicts are
    keyed by identity (the scan shares one object among the packages of equal evidence) and
    kept alive by the cache; origins and evidence items by value; a row's end first by the
    identities of its verdict, origin and evidence tuple (the scan shares one evidence
    tuple among the packages of equal evidence, and ``Origins`` one origin per value), then
    by value."""

    def __init__(self) -> None:
        self.verdicts: dict[int, tuple[Verdict, str, str, str]] = {}
        self.rows: dict[object, str] = {}
        self.ends: dict[tuple[int, Origin, str], str] = {}
        # (verdict, origin, evidence) identities -> (the objects, kept alive; the end)
        self.same: dict[tuple[int, int, int], tuple[object, str]] = {}

    def _verdict(self, verdict: Verdict) -> tuple[Verdict, str, str, str]:
        found = self.verdicts.get(id(verdict))
        if found is None:
            head = {"license": verdict.expression or None, "confidence": verdict.confidence}
            tail = {
                "decided_by": verdict.decided_by,
                "disagreements": verdict.disagreements,
                "notes": verdict.notes,
            }
            traits = ", ".join(_traits_json(t) for t in verdict.traits)
            found = (verdict, _COMPACT(head)[1:-1], _COMPACT(tail)[1:-1], f"[{traits}]")
            self.verdicts[id(verdict)] = found
        return found

    def _row(self, obj: object) -> str:
        found = self.rows.get(obj)
        if found is None:
            found = self.rows[obj] = _COMPACT(_row(obj))
        return found

    def _end(self, p: PackageResult) -> str:
        """The row from ``decided_by`` on: the verdict's, the origin's and the evidence's
        (holders are the evidence's), shared by the packages that state the same. Found by
        identity first: at 20,000 packages, hashing each evidence item again and joining
        their encodings cost 0.06-0.08 s of a 0.3 s render (bench/RESULTS.md, scale19)."""
        ids = (id(p.verdict), id(p.origin), id(p.evidence))
        known = self.same.get(ids)
        if known is None:
            objects = (p.verdict, p.origin, p.evidence)  # alive while their ids are keys
            known = self.same[ids] = (objects, self._end_by_value(p))
        return known[1]

    def _end_by_value(self, p: PackageResult) -> str:
        evidence = ", ".join(map(self._row, p.evidence))
        key = (id(p.verdict), p.origin, evidence)  # the verdict is kept by ``verdicts``
        found = self.ends.get(key)
        if found is None:
            _, _, tail, traits = self._verdict(p.verdict)
            found = self.ends[key] = (
                f'{tail}, "origin": {self._row(p.origin)}, "holders": {_strings(holders(p))}, '
                f'"traits": {traits}, "evidence": [{evidence}]}}'
            )
        return found

    def package(self, p: PackageResult) -> str:
        """``_package(p)`` encoded: the same bytes as the compact encoder gives."""
        node = p.node
        head = self._verdict(p.verdict)[1]
        chosen = _STR(p.chosen) if p.chosen else "null"
        depends = ", ".join(f'{{"name": {_STR(n)}, "version": {_STR(v)}}}' for n, v in node.depends)
        return (
            f'{{"name": {_STR(node.name)}, "version": {_STR(node.version)}, {head}, '
            f'"status": {_STR(p.status)}, "chosen": {chosen}, "scopes": {_strings(node.scopes)}, '
            f'"direct": {"true" if node.direct else "false"}, "path": {_strings(node.path)}, '
            f'"parents": {_strings(node.parents)}, "requires": {_strings(node.requires)}, '
            f'"depends": [{depends}], {self._end(p)}'
        )


def _package_json(p: PackageResult) -> str:
    """One package's row (``_Rows.package`` with nothing shared)."""
    return _Rows().package(p)


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
    parts = ["{\n"]  # joined once: the rows are most of the document, copied once
    parts += [f"  {_COMPACT(key)}: {_COMPACT(value)},\n" for key, value in _head(result).items()]
    rows = {
        "packages": list(map(_Rows().package, result.packages)),
        "findings": [_COMPACT(_finding(f)) for f in result.findings],
    }
    for index, (key, encoded) in enumerate(rows.items()):
        comma = "," if index < len(rows) - 1 else ""
        if encoded:
            parts.append(f"  {_COMPACT(key)}: [\n    ")
            for row in encoded:
                parts += (row, ",\n    ")
            parts[-1] = f"\n  ]{comma}\n"
        else:
            parts.append(f"  {_COMPACT(key)}: []{comma}\n")
    parts.append("}\n")
    return "".join(parts)
