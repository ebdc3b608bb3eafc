"""``--format sarif``: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, IDEs).

One result per finding; ``tool.driver.rules`` is the whole rule registry. A
result is located at the manifest line that brings its package in: the
finding's own location, else the declaration of the first package of its
dependency path, else the first project file read. Paths are relative to the
repository that holds the project, as code-scanning services resolve them,
so a project in a sub-folder of its repository is located right.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from dllicense.models import Finding, Location, ScanResult, Severity
from dllicense.report.common import finding_location

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
BASE_ID = "SRCROOT"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/")


def _physical(location: Location, prefix: str) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _uri(prefix + location.file), "uriBaseId": BASE_ID}
    }
    if location.line and location.line > 0:
        physical["region"] = {"startLine": location.line}
    return physical


def _message(f: Finding) -> str:
    """The plain-text message, with ``\\``, ``[`` and ``]`` escaped (SARIF 3.11.6): a
    package named ``[x](javascript:...)`` is not an embedded link in any viewer."""
    text = f.message
    if f.package and f.package not in text:
        text = f"{f.package} {f.version}: {text}".replace("  ", " ")
    if len(f.path) > 1:
        text += f" (brought in by {' > '.join(f.path)})"
    return _SARIF_SPECIAL.sub(r"\\\1", text)


_SARIF_SPECIAL = re.compile(r"([\\\[\]])")


def _fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """A stable id per finding: rule, package and failing term, so that an alert survives
    a version bump or a reworded message; repeats get their rank (findings are sorted)."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        identity = "\x1f".join((f.code, f.package, f.term, "" if f.package else f.message))
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] > 1:
            identity += f"\x1f{seen[identity]}"
        out.append(hashlib.sha256(identity.encode("utf-8")).hexdigest())
    return out


def _result(
    result: ScanResult, f: Finding, index: dict[str, int], fingerprint: str
) -> dict[str, Any]:
    location: dict[str, Any] = {}
    where = finding_location(result, f)
    if where is None and result.sources:
        where = Location(result.sources[0])
    if where is not None:
        location["physicalLocation"] = _physical(where, result.repository_prefix)
    if f.package:
        location["logicalLocations"] = [
            {
                "name": f.package,
                "fullyQualifiedName": "/".join(f.path) if f.path else f.package,
                "kind": "package",
            }
        ]
    out: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index[f.code],
        "level": LEVELS[f.severity],
        "message": {"text": _message(f)},
    }
    if location:
        out["locations"] = [location]
    out["partialFingerprints"] = {"dllicenseFinding/v1": fingerprint}
    properties: dict[str, Any] = {"slug": f.slug}
    if f.package:
        properties.update(package=f.package, version=f.version)
    if f.term:
        properties["term"] = f.term
    if f.path:
        properties["dependencyPath"] = list(f.path)
    out["properties"] = properties
    return out


def to_dict(result: ScanResult) -> dict[str, Any]:
    """The SARIF log as plain data."""
    registry = {r.code: r for r in result.rules}
    index = {code: i for i, code in enumerate(registry)}
    driver: dict[str, Any] = {
        "name": "dllicense",
        "version": result.tool_version,
        "semanticVersion": result.tool_version,
        "rules": [
            {
                "id": r.code,
                "name": r.slug,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.explanation},
                "help": {"text": f"{r.explanation}\n\nRun `dllicense explain {r.code}`."},
                "defaultConfiguration": {"level": LEVELS[r.severity]},
                "properties": {"tags": ["license-compliance"]},
            }
            for r in registry.values()
        ],
    }
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if result.generated:
        invocation["endTimeUtc"] = result.generated.replace("+00:00", "Z")
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {
            BASE_ID: {
                "description": {
                    "text": "The root of the repository that holds the scanned project "
                    "(the project itself when it is in none)."
                }
            }
        },
        "results": [
            _result(result, f, index, fingerprint)
            for f, fingerprint in zip(result.findings, _fingerprints(result.findings), strict=True)
        ],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "project": result.project,
            "environment": result.environment,
            "policy": result.policy,
            "packages": len(result.packages),
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
