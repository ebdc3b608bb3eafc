"""Compare scans: read a JSON report back, match findings across scans, diff two reports.

A finding's fingerprint is what stays the same when nothing that matters
changed: rule code, package, failing term and the package's licence (for a
finding on no package: its location file and its message with digits
masked). A version bump keeps a finding's fingerprint unless the licence
changed; a moved line in ``pyproject.toml`` keeps it too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dllicense.errors import UsageError
from dllicense.models import Finding, Location, Node, ScanResult, Severity
from dllicense.models import LicenseChange as KnownLicenseChange
from dllicense.parsing import parse_json
from dllicense.readfile import read_bounded
from dllicense.records import frozen
from dllicense.resolve.walk import version_order

MAX_REPORT_BYTES = 256 * 1024 * 1024
_DIGITS = re.compile(r"\d+")


@frozen
class ReportPackage:
    node: Node
    license: str  # SPDX expression, "" when unknown


@frozen
class Report:
    """The parts of a scan that comparisons need, from a ``ScanResult`` or a JSON report."""

    label: str  # the file name, or "scan"
    project: str
    packages: tuple[ReportPackage, ...]
    findings: tuple[Finding, ...]
    declared_scopes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # root name -> scopes

    def licenses(self) -> dict[tuple[str, str], str]:
        """Each package's licence by identity (name, version); by (name, "") too where the
        report holds one version of the name (for findings that name no version)."""
        out = {(p.node.name, p.node.version): p.license for p in self.packages}
        names = Counter(p.node.name for p in self.packages)
        out |= {(p.node.name, ""): p.license for p in self.packages if names[p.node.name] == 1}
        return out


def report_of(result: ScanResult, label: str = "scan") -> Report:
    """A fresh scan as a ``Report``."""
    scopes: dict[str, set[str]] = {}
    for d in result.declared:
        if d.name:
            scopes.setdefault(d.name, set()).add(d.scope)
    return Report(
        label,
        result.project,
        tuple(ReportPackage(p.node, p.verdict.expression) for p in result.packages),
        result.findings,
        tuple((name, tuple(sorted(s))) for name, s in sorted(scopes.items())),
    )


def load_report(path: Path, option: str) -> Report:
    """Read a ``dllicense scan --format json`` report; anything else is a one-line error."""
    where = f"{option} {path}" if option else str(path)
    try:
        raw, size = read_bounded(path, MAX_REPORT_BYTES)
        if size > MAX_REPORT_BYTES:
            raise UsageError(f"{where}: larger than {MAX_REPORT_BYTES // 2**20} MB")
        data = parse_json(raw.decode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{where}: cannot read it ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    except ValueError as exc:  # nested too deeply
        raise UsageError(f"{where}: not JSON ({exc})") from exc
    try:
        return _parse(data, path.name)
    except (KeyError, TypeError, ValueError) as exc:
        detail = exc.args[0] if exc.args else type(exc).__name__
        raise UsageError(f"{where}: not a dllicense JSON report ({detail})") from exc


def _parse(data: Any, label: str) -> Report:
    if not isinstance(data, dict) or not str(data.get("schema_version", "")).startswith("1."):
        raise ValueError("no schema_version 1.x; write it with --format json")
    packages = tuple(_package(p, i) for i, p in enumerate(_list(data, "packages")))
    findings = tuple(_finding(f, i) for i, f in enumerate(_list(data, "findings")))
    return Report(label, _str(data, "project"), packages, findings)


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ValueError(f"{key} is not a list")
    return value


def _str(data: Mapping[str, Any], key: str, where: str = "") -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{where}{key} is not a string")
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}{key} is not a list of strings")
    return tuple(value)


def _package(p: Any, i: int) -> ReportPackage:
    where = f"packages[{i}]."
    if not isinstance(p, dict) or not _str(p, "name", where):
        raise ValueError(f"{where}name missing")
    node = Node(
        name=_str(p, "name", where),
        version=_str(p, "version", where),
        scopes=_strings(p, "scopes", where),
        path=_strings(p, "path", where),
        parents=_strings(p, "parents", where),
        requires=_strings(p, "requires", where),
        direct=bool(p.get("direct", False)),
        depends=_depends(p, where),
    )
    return ReportPackage(node, _str(p, "license", where))


def _depends(p: Mapping[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    """``depends``: the required packages by identity (reports before it have none)."""
    items = p.get("depends", [])
    if not isinstance(items, list) or not all(
        isinstance(d, dict) and isinstance(d.get("name"), str) and isinstance(d.get("version"), str)
        for d in items
    ):
        raise ValueError(f"{where}depends is not a list of names and versions")
    return tuple((d["name"], d["version"]) for d in items)


def _finding(f: Any, i: int) -> Finding:
    where = f"findings[{i}]."
    if not isinstance(f, dict) or not _str(f, "code", where):
        raise ValueError(f"{where}code missing")
    location = f.get("location")
    loc = None
    if isinstance(location, dict) and isinstance(location.get("file"), str):
        line = location.get("line")
        loc = Location(location["file"], line if isinstance(line, int) else None)
    return Finding(
        code=_str(f, "code", where),
        slug=_str(f, "slug", where),
        severity=Severity(_str(f, "severity", where)),
        message=_str(f, "message", where),
        package=_str(f, "package", where),
        version=_str(f, "version", where),
        term=_str(f, "term", where),
        path=_strings(f, "path", where),
        location=loc,
    )


def fingerprint(f: Finding, licenses: Mapping[tuple[str, str], str]) -> str:
    """A finding's identity across scans (see the module docstring): the licence is that
    of the very version the finding is about (a report can hold several of a name)."""
    parts: tuple[str, ...]
    if f.package:
        parts = (f.code, f.package, f.term, licenses.get((f.package, f.version), ""))
    else:
        file = f.location.file if f.location else ""
        parts = (f.code, "", f.term, file, _DIGITS.sub("#", f.message))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def new_findings(current: Report, baseline: Report) -> list[Finding]:
    """Findings of ``current`` that ``baseline`` does not have (repeats counted)."""
    known = Counter(fingerprint(f, baseline.licenses()) for f in baseline.findings)
    licenses = current.licenses()
    out = []
    for f in current.findings:
        key = fingerprint(f, licenses)
        if known[key] > 0:
            known[key] -= 1
        else:
            out.append(f)
    return out


@frozen
class VersionChange:
    name: str
    old_version: str
    new_version: str
    old_license: str
    new_license: str


@frozen
class LicenseChange:
    change: VersionChange
    known: tuple[KnownLicenseChange, ...]
    finding: Finding


@frozen
class ReportDiff:
    old: str
    new: str
    added: tuple[ReportPackage, ...]
    removed: tuple[ReportPackage, ...]
    upgraded: tuple[VersionChange, ...]
    downgraded: tuple[VersionChange, ...]
    license_changes: tuple[LicenseChange, ...]
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Packages added, removed, up- and downgraded, and every licence change (DL210).

    Packages match by identity (name, version); a name with one version left unmatched on
    each side was up- or downgraded. Any other unmatched version (a report read for every
    target can hold several of a name) is added or removed.
    """
    before, after = _versions(old), _versions(new)
    upgraded: list[VersionChange] = []
    downgraded: list[VersionChange] = []
    changes: list[LicenseChange] = []
    added: list[ReportPackage] = []
    removed: list[ReportPackage] = []
    for name in sorted(set(before) | set(after)):
        was, now = before.get(name, {}), after.get(name, {})
        pairs = [(was[v], now[v]) for v in sorted(set(was) & set(now), key=version_order)]
        gone = [was[v] for v in sorted(set(was) - set(now), key=version_order)]
        came = [now[v] for v in sorted(set(now) - set(was), key=version_order)]
        if len(gone) == 1 and len(came) == 1:
            pairs.append((gone.pop(), came.pop()))
        removed += gone
        added += came
        for a, b in pairs:
            change = VersionChange(name, a.node.version, b.node.version, a.license, b.license)
            if a.node.version != b.node.version:
                (downgraded if _older(b.node.version, a.node.version) else upgraded).append(change)
            known = _known_changes(name, a.node.version, b.node.version)
            if a.license != b.license and not known and _refined(a, b):
                continue  # one version, read more or less exactly ("BSD" -> BSD-3-Clause)
            if a.license != b.license or known:
                changes.append(LicenseChange(change, known, _change_finding(change, known, b)))
    return ReportDiff(
        old.label,
        new.label,
        tuple(added),
        tuple(removed),
        tuple(upgraded),
        tuple(downgraded),
        tuple(changes),
        tuple(new_findings(new, old)),
        tuple(new_findings(old, new)),
    )


def _refined(a: ReportPackage, b: ReportPackage) -> bool:
    """The same version whose licence one scan names by family and the other exactly (its
    licence file read in one of them): no licence changed, so no DL210 (found by a new-user
    tryout: an online report against an installed one)."""
    from dllicense.licenses.terms import refines

    same = a.node.version == b.node.version
    return same and (refines(a.license, b.license) or refines(b.license, a.license))


def _versions(report: Report) -> dict[str, dict[str, ReportPackage]]:
    out: dict[str, dict[str, ReportPackage]] = {}
    for p in report.packages:
        out.setdefault(p.node.name, {}).setdefault(p.node.version, p)
    return out


def _older(left: str, right: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(left) < Version(right)
    except InvalidVersion:
        return False


def _known_changes(name: str, old: str, new: str) -> tuple[KnownLicenseChange, ...]:
    """The changes the knowledge base records between two versions (with their sources)."""
    if old == new:
        return ()
    from dllicense.knowledge import license_changes_between

    return tuple(license_changes_between(name, old, new))


def _change_finding(
    change: VersionChange, known: tuple[KnownLicenseChange, ...], package: ReportPackage
) -> Finding:
    from dllicense.policy.codes import finding

    old = change.old_license or "unknown"
    new = change.new_license or "unknown"
    if change.old_version != change.new_version:
        versions = f"{change.old_version} -> {change.new_version}"
    else:
        versions = change.new_version
    if old != new:
        message = f"licence changed from {old} to {new} ({versions})"
    else:
        message = f"{versions} crosses a known licence change; both scans say {new}"
    for k in known:
        at = f" at {k.at_version}" if k.at_version else ""
        message += f"; known {k.kind}: {k.from_expression} -> {k.to_expression}{at}"
    return finding(
        "DL210",
        message,
        change.name,
        change.new_version,
        term=change.new_license,
        path=package.node.path,
    )


def summary_counts(diff: ReportDiff) -> dict[str, int]:
    return {
        "added": len(diff.added),
        "removed": len(diff.removed),
        "upgraded": len(diff.upgraded),
        "downgraded": len(diff.downgraded),
        "license_changes": len(diff.license_changes),
        "new_findings": len(diff.new_findings),
        "resolved_findings": len(diff.resolved_findings),
    }
