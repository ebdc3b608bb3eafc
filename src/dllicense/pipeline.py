"""``scan(options) -> ScanResult``: discover -> resolve -> collect -> classify -> evaluate.

Never prints and never exits; bad input becomes findings, or a
``DllicenseError`` when nothing can be scanned at all.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path

from dllicense import __version__
from dllicense.collect import Collected, collect
from dllicense.collect.metadata import looks_like_text
from dllicense.config.policy import Clarification, PolicyException, load_policy
from dllicense.discover.environment import select_environment
from dllicense.discover.project import discover_project
from dllicense.errors import InputError
from dllicense.licenses.classify import classify
from dllicense.licenses.identify import identify_texts
from dllicense.models import (
    Evidence,
    ExternalPackage,
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
from dllicense.policy.clarify import clarify
from dllicense.policy.codes import finding, from_problem, location_of
from dllicense.policy.evaluate import evaluate_package, hygiene_findings
from dllicense.resolve.graph import resolve, scope_selected

SCOPE_CHOICES = ("runtime", "extras", "groups", "all")


@dataclass(frozen=True)
class ScanOptions:
    project: Path
    python: str | None = None
    paths: tuple[str, ...] = ()
    include_all: bool = False
    scopes: tuple[str, ...] = ()  # empty: the policy's scopes (default: runtime)
    policy: str | None = None
    severity: tuple[tuple[str, str], ...] = ()  # --warn/--deny: rule code -> severity
    texts: str = "primary"  # none, primary, all
    cache_dir: Path | None = None
    use_cache: bool = True


def scan(options: ScanOptions) -> ScanResult:
    """Scan one project and its environment."""
    root = options.project
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    from dllicense.knowledge import license_traits as traits_of

    policy = load_policy(root, options.policy)
    project = discover_project(root)
    env = select_environment(root, options.python, options.paths)
    graph = resolve(project, env, include_all=options.include_all)
    scopes = options.scopes or policy.scopes
    nodes = [n for n in graph.nodes if any(scope_selected(s, scopes) for s in n.scopes)]
    dists = {d.name: d for d in env.distributions}
    collected = [collect(dists[n.name]) for n in nodes]
    collected, unidentified = identify_texts(
        collected, options.texts, options.cache_dir, options.use_cache
    )
    from dllicense.collect.knowledge import knowledge_evidence

    today = _today()
    overrides = dict(policy.severity) | dict(options.severity)
    findings: list[Finding] = []
    packages = []
    used_allow: set[str] = set()
    used_exceptions: set[PolicyException] = set()
    used_clarifications: set[Clarification] = set()
    inputs = [
        (node, (*item.evidence, *knowledge_evidence(node.name, node.version)), item.problems)
        for node, item in zip(nodes, collected, strict=True)
    ]
    externals = _externals(root, options)
    inputs += [(ext.node, ext.evidence, ext.problems) for ext in externals]
    for node, evidence, node_problems in inputs:
        clarified, stale, matched = clarify(node, evidence, policy.clarifications)
        used_clarifications.update(matched)
        evidence = (*clarified, *evidence)
        verdict = classify(evidence)
        verdict = replace(verdict, traits=_traits(verdict.expression))
        outcome = evaluate_package(node, verdict, policy, traits_of, today)
        used_allow |= outcome.used_allow
        used_exceptions |= outcome.used_exceptions
        own = [from_problem(p, node.path) for p in node_problems]
        own += [*stale, *_evidence_findings(node, verdict, evidence), *outcome.findings]
        own = _override(own, overrides)
        findings += own
        packages.append(PackageResult(node, evidence, verdict, _status(own), outcome.chosen))
    names = {(p.node.name, p.node.version) for p in packages}
    findings += _override(
        hygiene_findings(policy, used_allow, used_exceptions, names, today), overrides
    )
    findings += _override(
        [
            finding(
                "DL305",
                f"clarification for {c.package} matches no scanned package",
                c.package,
                location=location_of(c.where),
            )
            for c in policy.clarifications
            if c not in used_clarifications
        ],
        overrides,
    )
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
    problems = [
        _problem_finding(p, paths) for p in (*project.problems, *env.problems, *graph.problems)
    ]
    findings += _override(problems, overrides)
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
        scopes=scopes,
        packages=tuple(packages),
        findings=tuple(findings),
        sources=project.sources,
        declared=project.declared,
        texts=texts,
        generated=generated,
        options=(("texts", options.texts), ("all", str(options.include_all).lower())),
    )


def _externals(root: Path, options: ScanOptions) -> list[ExternalPackage]:
    """Dependencies that are not installed distributions (models, datasets, other ecosystems).

    Each provider reads the project statically and returns ``ExternalPackage`` values.
    """
    found: list[ExternalPackage] = []
    return found


def _traits(expression: str) -> tuple[LicenseTraits, ...]:
    """Traits of each licence of the expression ("X WITH Y" counts as X's)."""
    from dllicense.knowledge import traits_of_expression

    try:
        return traits_of_expression(expression) if expression else ()
    except ValueError:
        return ()


def _evidence_findings(
    node: Node, verdict: Verdict, evidence: tuple[Evidence, ...]
) -> list[Finding]:
    """What the evidence itself says is doubtful: vague, low confidence, disagreements."""
    out = []
    if not verdict.expression:
        pass  # unknown licences are the policy's call (DL101 in evaluate)
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


def _override(findings: list[Finding], overrides: dict[str, str]) -> list[Finding]:
    """Apply severity overrides (policy ``[severity]``, ``--warn``/``--deny``); "off" drops."""
    out = []
    for f in findings:
        level = overrides.get(f.code)
        if level == "off":
            continue
        out.append(replace(f, severity=Severity(level)) if level else f)
    return out


def _today() -> date:
    """The date exceptions expire against: from SOURCE_DATE_EPOCH when set (reproducible)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return datetime.now(tz=timezone.utc).date()


def _problem_finding(problem: Problem, paths: dict[str, tuple[str, ...]]) -> Finding:
    return from_problem(problem, paths.get(problem.package, ()))


def _status(findings: list[Finding]) -> str:
    worst = max((f.severity.rank for f in findings), default=-1)
    return "error" if worst >= Severity.ERROR.rank else "warning" if worst >= 1 else "ok"


def _finding_key(f: Finding) -> tuple[int, str, str, str, str]:
    return (-f.severity.rank, f.code, f.package, f.term, f.message)
