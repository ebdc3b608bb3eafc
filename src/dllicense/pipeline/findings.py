"""What the scan says about each package and about itself: evidence findings, severity
overrides, origins, shipped texts, and the result's ordering."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from datetime import datetime, timezone
from functools import cached_property

from dllicense.collect import Collected
from dllicense.collect.metadata import looks_like_text
from dllicense.config.policy import PolicyException
from dllicense.models import (
    Approval,
    Distribution,
    Environment,
    Evidence,
    EvidenceKind,
    Finding,
    LicenseText,
    LicenseTraits,
    Node,
    Origin,
    PackageResult,
    Severity,
    Status,
    Verdict,
)
from dllicense.policy.codes import finding
from dllicense.records import frozen
from dllicense.resolve.graph import ENVIRONMENT_SCOPE, requires_dist_edges


@frozen
class Origins:
    """Where each package's version, metadata and licence files came from (``Origin``)."""

    installed: Environment | None
    by_node: dict[Node, Distribution]
    locked: bool
    online: bool

    @cached_property
    def _installed_ids(self) -> frozenset[int]:
        """Identities of the installed distributions (built once: a set per package was
        quadratic, 25 million ``id`` calls for 5,000 distributions)."""
        return frozenset(map(id, self.installed.distributions)) if self.installed else frozenset()

    @cached_property
    def _made(self) -> dict[tuple[str, str, str], Origin]:
        """One ``Origin`` per distinct value (a handful in a scan)."""
        return {}

    def __call__(self, node: Node) -> Origin:
        return self.of(node, self.by_node.get(node))

    def of(self, node: Node, dist: Distribution | None) -> Origin:
        """The origin of ``node`` whose metadata is ``dist`` (``by_node``'s, looked up by the
        caller)."""
        if node.ecosystem != "pypi":  # models, datasets, other ecosystems
            return Origin("project", "project", "none")
        here = self._installed_ids
        metadata = "none" if dist is None else "installed" if id(dist) in here else "index"
        files = "none" if dist is None else "read" if dist.files_read else "not-fetched"
        if self.locked:
            version = "installed" if node.scopes == (ENVIRONMENT_SCOPE,) else "lock"
        elif self.installed is not None:
            version = "installed" if metadata != "index" else "index"
        else:
            version = "resolver" if self.online else "declared"
        key = (version, metadata, files)  # a handful of values: one object each
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = Origin(version, metadata, files)
        return made


def environment_edges(
    packages: list[PackageResult],
    dists: list[Distribution],
    markers: tuple[tuple[str, str], ...],
) -> list[PackageResult]:
    """Packages no declared root reaches (``--all``, a lock without project dependencies, a
    flat lock) take their parents and requirements from the ``Requires-Dist`` of the scanned
    metadata, so a report can draw the real paths to them (roots: what nobody requires)."""
    loose = {
        p.node.name
        for p in packages
        if not p.node.parents and not p.node.direct and len(p.node.path) <= 1
    }
    if not loose or not dists:
        return packages
    unique = {d.name: d for d in dists}
    env = Environment("", "", markers, tuple(unique[k] for k in sorted(unique)))
    edges = requires_dist_edges(env, loose)  # only the loose ones' are read
    present = {p.node.name for p in packages}
    out = []
    for p in packages:
        found = edges.get(p.node.name)
        if found is not None and p.node.name in loose and p.node.ecosystem == "pypi":
            parents, requires = found
            node = replace(
                p.node,
                parents=tuple(sorted(n for n in parents if n in present)),
                requires=p.node.requires or tuple(sorted(requires)),
            )
            p = replace(p, node=node)
        out.append(p)
    return out


def approvals_of(
    exceptions: tuple[PolicyException, ...], used: set[PolicyException]
) -> tuple[Approval, ...]:
    """The policy's exceptions as the report shows them (who approved what, until when)."""
    return tuple(
        Approval(
            e.package,
            e.versions,
            e.allow,
            e.reason,
            e.approved_by,
            e.expires.isoformat() if e.expires else "",
            e.where,
            e in used,
        )
        for e in exceptions
    )


def verdict_traits(expression: str) -> tuple[LicenseTraits, ...]:
    """Traits of each licence of the expression ("X WITH Y" counts as X's)."""
    from dllicense.knowledge import traits_of_expression

    try:
        return traits_of_expression(expression) if expression else ()
    except ValueError:
        return ()


UNFETCHED = " (the wheel's licence files were not read: --fetch-files reads them)"


def unfetched_hint(found: Finding) -> Finding:
    """A DL101 of metadata read from the index without the wheel's licence files says so:
    the files often name the licence the metadata leaves out (einops 0.3.0: `License:
    UNKNOWN`, an MIT LICENSE in its dist-info)."""
    return replace(found, message=found.message + UNFETCHED) if found.code == "DL101" else found


def evidence_findings(
    node: Node,
    verdict: Verdict,
    evidence: tuple[Evidence, ...],
    files_read: bool = True,
    unfetched_files: bool = False,
) -> list[Finding]:
    """What the evidence itself says is doubtful: vague, low confidence, disagreements,
    and a Python distribution that ships no licence text (its notice cannot quote one;
    ``files_read`` False: its files were not fetched, so nothing is known of them).
    ``unfetched_files``: metadata read from the index without the wheel's licence files,
    which usually name the licence a vague family name leaves open (DL102 says so)."""
    notes = evidence_notes(verdict, evidence, files_read, unfetched_files, node.ecosystem)
    return [
        finding(code, message, node.name, node.version, path=node.path) for code, message in notes
    ]


def evidence_notes(
    verdict: Verdict,
    evidence: tuple[Evidence, ...],
    files_read: bool = True,
    unfetched_files: bool = False,
    ecosystem: str = "pypi",
) -> tuple[tuple[str, str], ...]:
    """``evidence_findings`` as (code, message) pairs: they depend on the evidence, its
    verdict and the flags alone, not on the package (a scan asks once per distinct set)."""
    out: list[tuple[str, str]] = []
    texts = ("license-file", "license-text", "third-party-file")
    declared = ("license-expression", "license", "classifier")
    if (
        files_read
        and ecosystem == "pypi"
        and any(e.kind in declared for e in evidence)
        and not any(e.kind in texts and e.sha256 for e in evidence)
    ):
        out.append(
            (
                "DL115",
                "ships no licence text: the attribution notice cannot quote it "
                "(fetch the text from the project's repository)",
            )
        )
    if not verdict.expression:
        pass  # unknown licences are the policy's call (DL101 in evaluate)
    elif verdict.confidence == "low" and "unspecified" in verdict.expression:
        out.append(
            (
                "DL102",
                f"licence named only by family: {verdict.expression}"
                + (UNFETCHED if unfetched_files else ""),
            )
        )
    elif verdict.confidence == "low":
        out.append(("DL106", f"{verdict.expression} rests on a low-confidence text match"))
    for text in verdict.disagreements:
        code = "DL107" if text.startswith("knowledge:") else "DL103"
        out.append(
            (code, f"decided {verdict.expression} from {', '.join(verdict.decided_by)}, but {text}")
        )
    for text in verdict.bundled:
        source, _, expression = text.partition(": ")
        out.append(
            (
                "DL116",
                f"bundled licence not covered by the licence expression {verdict.expression}: "
                f"{source} is {expression}",
            )
        )
    for item in evidence:
        if item.kind == "license-expression" and item.note:
            out.append(("DL104", f"License-Expression {item.value!r}: {item.note}"))
    return tuple(out)


def shipped_texts(
    collected: list[Collected], packages: list[PackageResult]
) -> tuple[LicenseText, ...]:
    """Each distinct licence/notice text once, with the packages that ship it."""
    data: dict[str, tuple[EvidenceKind, bytes]] = {}
    shipped: dict[str, list[str]] = {}
    for item in collected:
        if looks_like_text(item.dist.license):
            blob = item.dist.license.encode("utf-8")
            data.setdefault(hashlib.sha256(blob).hexdigest(), ("license-text", blob))
        for file in item.files:
            data.setdefault(file.sha256, (file.evidence_kind, file.data))
    expressions: dict[str, str] = {}
    holders: dict[str, tuple[str, ...]] = {}
    for package in packages:
        for e in package.evidence:
            if e.sha256 in data:
                shipped.setdefault(e.sha256, []).append(
                    f"{package.node.name}=={package.node.version}"
                )
                expressions.setdefault(e.sha256, e.expression)
                if e.holders:
                    holders.setdefault(e.sha256, e.holders)
    out = [
        LicenseText(
            sha,
            data[sha][0],
            expressions.get(sha, ""),
            data[sha][1].decode("utf-8", errors="replace"),
            tuple(sorted(set(names))),
            holders.get(sha, ()),
        )
        for sha, names in shipped.items()
    ]
    return tuple(sorted(out, key=lambda t: (t.packages[0], t.kind, t.sha256)))


def override(findings: list[Finding], overrides: dict[str, str]) -> list[Finding]:
    """Apply severity overrides (policy ``[severity]``, ``--warn``/``--deny``); "off" drops."""
    out = []
    for f in findings:
        level = overrides.get(f.code)
        if level == "off":
            continue
        out.append(replace(f, severity=Severity(level)) if level else f)
    return out


def source_date() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as a date-time (reproducible timestamps and expiry dates)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return (
        datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch and epoch.isdigit() else None
    )


def package_status(findings: list[Finding]) -> Status:
    if not findings:  # most packages
        return "ok"
    worst = max((f.severity.rank for f in findings), default=-1)
    return "error" if worst >= Severity.ERROR.rank else "warning" if worst >= 1 else "ok"


def finding_key(f: Finding) -> tuple[int, str, str, str, str]:
    return (-f.severity.rank, f.code, f.package, f.term, f.message)
