"""``scan(options) -> ScanResult``: discover -> resolve -> collect -> classify -> evaluate.

Never prints and never exits; bad input becomes findings, or a
``DllicenseError`` when nothing can be scanned at all.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from dllicense import __version__
from dllicense.collect import Collected, collect
from dllicense.collect.metadata import looks_like_text
from dllicense.config.policy import Policy, load_policy
from dllicense.discover.environment import select_environment
from dllicense.discover.project import discover_project
from dllicense.errors import InputError
from dllicense.licenses.classify import classify
from dllicense.licenses.identify import identify_texts
from dllicense.models import (
    Evidence,
    Finding,
    LicenseText,
    LicenseTraits,
    Node,
    PackageResult,
    Problem,
    ScanResult,
    Severity,
    Verdict,
)
from dllicense.policy.codes import finding, from_problem
from dllicense.policy.evaluate import decide
from dllicense.resolve.graph import resolve, scope_selected

SCOPE_CHOICES = ("runtime", "extras", "groups", "all")


@dataclass(frozen=True)
class ScanOptions:
    project: Path
    python: str | None = None
    paths: tuple[str, ...] = ()
    include_all: bool = False
    scopes: tuple[str, ...] = ("runtime",)
    policy: str | None = None
    texts: str = "primary"  # none, primary, all
    cache_dir: Path | None = None
    use_cache: bool = True


def scan(
    options: ScanOptions, traits_of: Callable[[str], LicenseTraits] | None = None
) -> ScanResult:
    """Scan one project and its environment."""
    root = options.project
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    if traits_of is None:
        from dllicense.knowledge import license_traits as traits_of
    policy = load_policy(root, options.policy)
    project = discover_project(root)
    env = select_environment(root, options.python, options.paths)
    graph = resolve(project, env, include_all=options.include_all)
    nodes = [n for n in graph.nodes if any(scope_selected(s, options.scopes) for s in n.scopes)]
    dists = {d.name: d for d in env.distributions}
    collected = [collect(dists[n.name]) for n in nodes]
    collected, unidentified = identify_texts(
        collected, options.texts, options.cache_dir, options.use_cache
    )
    from dllicense.collect.knowledge import knowledge_evidence

    findings: list[Finding] = []
    packages = []
    for node, item in zip(nodes, collected, strict=True):
        evidence = (*item.evidence, *knowledge_evidence(node.name, node.version))
        verdict = classify(evidence)
        verdict = replace(verdict, traits=_traits(verdict.expression, traits_of))
        own = [from_problem(p, node.path) for p in item.problems]
        own += _evidence_findings(node, verdict, evidence, policy)
        chosen = ""
        if verdict.expression:
            decision = decide(verdict.expression, policy, traits_of)
            chosen = decision.chosen if " OR " in verdict.expression else ""
            own += [
                finding(f.code, f.reason, node.name, node.version, f.term, node.path)
                for f in decision.failures
            ]
        findings += own
        packages.append(PackageResult(node, evidence, verdict, _status(own), chosen))
    if unidentified:
        findings.append(
            finding(
                "DL105",
                f"{unidentified} licence text(s) could not be identified: "
                "install the engine with pip install 'dllicense[scancode]'",
            )
        )
    texts = _texts(collected, packages)
    paths = {n.name: n.path for n in graph.nodes}
    for problem in (*project.problems, *env.problems, *graph.problems):
        findings.append(_problem_finding(problem, paths))
    findings.sort(key=_finding_key)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    generated = (
        datetime.fromtimestamp(int(epoch), tz=timezone.utc).isoformat()
        if epoch and epoch.isdigit()
        else ""
    )
    return ScanResult(
        tool_version=__version__,
        project=project.name,
        environment=env.description,
        python_version=env.python_version,
        policy=f"{policy.name} ({policy.source})",
        scopes=options.scopes,
        packages=tuple(packages),
        findings=tuple(findings),
        sources=project.sources,
        declared=project.declared,
        texts=texts,
        generated=generated,
        options=(("texts", options.texts), ("all", str(options.include_all).lower())),
    )


def _traits(
    expression: str, traits_of: Callable[[str], LicenseTraits]
) -> tuple[LicenseTraits, ...]:
    from dllicense.licenses.spdx import license_keys

    return tuple(traits_of(key) for key in license_keys(expression))


def _evidence_findings(
    node: Node, verdict: Verdict, evidence: tuple[Evidence, ...], policy: Policy
) -> list[Finding]:
    out = []
    if not verdict.expression:
        detail = "; ".join(verdict.notes) or "no licence metadata or licence file"
        out.append(
            finding(
                "DL101",
                f"no licence found ({detail})",
                node.name,
                node.version,
                path=node.path,
                severity=policy.unknown_severity,
            )
        )
    elif verdict.confidence == "low" and "unspecified" in verdict.expression:
        out.append(
            finding(
                "DL102",
                f"licence named only by family: {verdict.expression}",
                node.name,
                node.version,
                path=node.path,
            )
        )
    elif verdict.confidence == "low":
        out.append(
            finding(
                "DL106",
                f"{verdict.expression} rests on a low-confidence text match",
                node.name,
                node.version,
                path=node.path,
            )
        )
    for text in verdict.disagreements:
        code = "DL107" if text.startswith("knowledge:") else "DL103"
        out.append(
            finding(
                code,
                f"decided {verdict.expression} from {', '.join(verdict.decided_by)}, but {text}",
                node.name,
                node.version,
                path=node.path,
            )
        )
    for item in evidence:
        if item.kind == "license-expression" and item.note:
            out.append(
                finding(
                    "DL104",
                    f"License-Expression {item.value!r}: {item.note}",
                    node.name,
                    node.version,
                    path=node.path,
                )
            )
    return out


def _texts(collected: list[Collected], packages: list[PackageResult]) -> tuple[LicenseText, ...]:
    """Each distinct licence/notice text once, with the packages that ship it."""
    data: dict[str, tuple[str, bytes]] = {}
    shipped: dict[str, list[str]] = {}
    for item in collected:
        if looks_like_text(item.dist.license):
            blob = item.dist.license.encode("utf-8")
            data.setdefault(hashlib.sha256(blob).hexdigest(), ("license-text", blob))
        for file in item.files:
            data.setdefault(file.sha256, (file.evidence_kind, file.data))
    expressions: dict[str, str] = {}
    for package in packages:
        for e in package.evidence:
            if e.sha256 in data:
                shipped.setdefault(e.sha256, []).append(
                    f"{package.node.name}=={package.node.version}"
                )
                expressions.setdefault(e.sha256, e.expression)
    out = [
        LicenseText(
            sha,
            data[sha][0],
            expressions.get(sha, ""),
            data[sha][1].decode("utf-8", errors="replace"),
            tuple(sorted(set(names))),
        )
        for sha, names in shipped.items()
    ]
    return tuple(sorted(out, key=lambda t: (t.packages[0], t.kind, t.sha256)))


def _problem_finding(problem: Problem, paths: dict[str, tuple[str, ...]]) -> Finding:
    return from_problem(problem, paths.get(problem.package, ()))


def _status(findings: list[Finding]) -> str:
    worst = max((f.severity.rank for f in findings), default=-1)
    return "error" if worst >= Severity.ERROR.rank else "warning" if worst >= 1 else "ok"


def _finding_key(f: Finding) -> tuple[int, str, str, str, str]:
    return (-f.severity.rank, f.code, f.package, f.term, f.message)
