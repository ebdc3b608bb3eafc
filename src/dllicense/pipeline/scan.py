"""``scan(options) -> ScanResult``: discover -> resolve -> collect -> classify -> evaluate.

Never prints and never exits; bad input becomes findings, or a
``DllicenseError`` when nothing can be scanned at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone

from dllicense import __version__
from dllicense.classify.texts import identify_texts
from dllicense.classify.verdict import classify
from dllicense.collect import collect_all, start_collect
from dllicense.config.policy import Clarification, PolicyException, load_policy
from dllicense.discover.choice import choose_environment
from dllicense.discover.environment import read_environment
from dllicense.discover.project import discover_project
from dllicense.errors import InputError
from dllicense.models import (
    Distribution,
    Evidence,
    Finding,
    Node,
    PackageResult,
    Problem,
    ScanResult,
    Verdict,
)
from dllicense.pipeline.findings import (
    Origins,
    approvals_of,
    environment_edges,
    evidence_notes,
    finding_key,
    override,
    package_status,
    shipped_texts,
    source_date,
    unfetched_hint,
    verdict_traits,
)
from dllicense.pipeline.graphs import (
    conda_installed,
    conda_locked,
    conda_target,
    from_lock,
    not_in_graph,
    nothing_installed,
    resolved_online,
    unread_locked,
    with_conda,
    with_installed,
)
from dllicense.pipeline.options import ScanOptions
from dllicense.pipeline.sources import external_packages, from_index, locked_metadata
from dllicense.policy.clarify import clarify
from dllicense.policy.codes import finding, from_problem
from dllicense.policy.evaluate import evaluate_package, hygiene_findings
from dllicense.resolve.graph import resolve, scope_selected
from dllicense.rules import rules
from dllicense.skipped import as_problem, unaccounted

# a package to classify and evaluate: (node, evidence, problems, its distribution, whether
# its licence files were read, whether an unread locked package's DL033 is implied)
_Input = tuple[Node, tuple[Evidence, ...], tuple[Problem, ...], Distribution | None, bool, bool]


def _joined(first: tuple[Evidence, ...], *more: Sequence[Evidence]) -> tuple[Evidence, ...]:
    """The evidence of ``first`` and ``more`` in one tuple: ``first`` itself when nothing
    is added (collect gives distributions of equal answers one tuple; it stays one)."""
    return (*first, *(e for items in more for e in items)) if any(more) else first


def scan(options: ScanOptions) -> ScanResult:
    """Scan one project and its environment."""
    root = options.project
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    from dllicense.knowledge import license_traits as traits_of

    policy = load_policy(root, options.policy)
    project = discover_project(root)
    scopes = options.scopes or policy.scopes
    decision = choose_environment(
        root, options.python, options.paths, conda_prefix=options.conda_prefix
    )
    installed = read_environment(decision.choice)
    conda = conda_installed(decision.choice)
    locked = from_lock(root, project, options, installed)
    started = None
    if locked is None and installed is not None and (options.include_all or not project.declared):
        # every installed distribution will be collected: the pool starts on them now and
        # works while the graph is resolved (None when they are too few for a pool)
        started = start_collect(installed.distributions, record=options.texts != "none")
    index_notes: list[Finding] = []
    lock_files: tuple[str, ...] = ()
    unfetched: dict[tuple[str, str], Problem] = {}  # resolved pins the index did not give
    if locked is not None:
        env, graph, lock_files = locked
        if options.include_all and installed is not None:
            graph = with_installed(graph, installed, scopes)
        graph = conda_locked(graph, conda)
    elif installed is not None:
        env = installed
        graph = resolve(project, env, include_all=options.include_all, scopes=scopes)
        graph = with_conda(root, graph, env, conda, options.include_all)
        if options.online:
            graph, fetched, index_notes = from_index(project, graph, options)
            env = replace(env, distributions=(*env.distributions, *fetched))
    elif options.online:  # no --python-version: the Python environment.yml pins, if one
        resolving = options if options.python_version else conda_target(root, options)
        env, graph, unfetched = resolved_online(project, resolving, scopes)
    else:
        env, graph = nothing_installed(project, scopes, decision.skipped)
    if options.progress is not None:
        options.progress(f"scanning {env.description}")
    nodes = [n for n in graph.nodes if any(scope_selected(s, scopes) for s in n.scopes)]
    reached = list(nodes)  # each is scanned or named by a finding (checked below)
    notes: dict[Node, tuple[Problem, ...]] = {}  # version mismatch, no metadata
    summary: list[Problem] = []  # nothing installed, not --online: one DL033 for them all
    native = [n for n in nodes if n.ecosystem == "conda"]  # conda nodes: their own records
    nodes = [n for n in nodes if n.ecosystem != "conda"]
    by_name: list[Distribution | None] | None = None  # each node's, when found by its name
    if locked is not None:
        by_node, notes = locked_metadata(nodes, env, options)
        if graph.flat_lock:  # what its packages require and it lacks: DL034 each
            from dllicense.resolve.lockgaps import flat_lock_gaps
            from dllicense.resolve.targets import target_markers

            # the target the lock was read for (as lock_graph chose it)
            target = target_markers(
                dict(installed.markers) if installed else None,
                options.python_version,
                options.platform,
            )
            lock_names = [n.name for n in graph.nodes]
            gaps = flat_lock_gaps(graph.flat_lock, by_node, lock_names, target)
            graph = replace(graph, problems=(*graph.problems, *gaps))
        if installed is None and not options.online:
            notes, summary = unread_locked(notes)
    elif options.online and installed is None:
        from dllicense.resolve.lockgraph import match_installed

        by_node, notes = match_installed(nodes, env.distributions)
        if any(p.code == "DL006" for p in graph.problems):  # the resolver failed: DL006 says
            notes = {}  # the declared packages are all that is known, not one DL033 each
        notes = {
            n: (unfetched[(n.name, n.version)],) if (n.name, n.version) in unfetched else found
            for n, found in notes.items()
        }
    else:
        dists = {d.name: d for d in env.distributions}
        by_name = [dists.get(n.name) for n in nodes]
        by_node = {n: d for n, d in zip(nodes, by_name, strict=True) if d is not None}
    records = {(d.name, d.version): d for d in graph.distributions if d.ecosystem == "conda"}
    of_conda = {n: records[(n.name, n.version)] for n in native if (n.name, n.version) in records}
    by_node |= of_conda
    # each node is looked up once, or not at all when found by name: hashing a Node hashes
    # all its fields (paths, edges), 20,000 hashes cost ~0.03 s (bench/RESULTS.md, scale19)
    found = [by_node.get(n) for n in nodes] if by_name is None else by_name
    found += [of_conda.get(n) for n in native]
    nodes += native
    bare = [n for n, d in zip(nodes, found, strict=True) if d is None]  # knowledge base only
    rank = {id(n): i for i, n in enumerate(nodes)} if bare else {}
    nodes = [n for n, d in zip(nodes, found, strict=True) if d is not None]
    dists_read = [d for d in found if d is not None]
    collected = collect_all(dists_read, record=options.texts != "none", started=started)
    unsearched = [item.unsearched for item in collected]
    collected, unidentified = identify_texts(
        collected,
        options.texts,
        options.cache_dir,
        options.use_cache,
        options.progress,
        holders=options.holders,
    )
    from dllicense.collect.knowledge import knowledge_evidence

    today = (source_date() or datetime.now(tz=timezone.utc)).date()
    overrides = dict(policy.severity) | dict(options.severity)
    findings: list[Finding] = []
    packages = []
    used_allow: set[str] = set()
    used_exceptions: set[PolicyException] = set()
    used_clarifications: set[Clarification] = set()
    related: dict[str, list[Evidence]] = {}  # the conda package a Python distribution is
    for name, item in graph.evidence:
        related.setdefault(name, []).append(item)
    # (node, evidence, problems, its distribution, whether its files were read, DL033 said);
    # files not read: --texts none, a dist-info with no licence file may still ship one listed
    # in RECORD, which was not searched: whether it ships a text is not known (DL115)
    inputs: list[_Input] = [
        (
            node,
            _joined(
                item.evidence,
                knowledge_evidence(node.name, node.version, node.ecosystem),
                related.get(node.name, ()),
            ),
            (*item.problems, *notes.get(node, ())) if notes else item.problems,
            dist,
            dist.files_read and not not_searched,
            False,
        )
        for node, item, dist, not_searched in zip(
            nodes, collected, dists_read, unsearched, strict=True
        )
    ]
    for n in bare:
        noted = notes.get(n, ())
        # nothing installed and no note: DL006/DL033 say so
        inputs.append(
            (n, knowledge_evidence(n.name, n.version, n.ecosystem), noted, None, True, not noted)
        )
    if bare:
        inputs.sort(key=lambda item: rank[id(item[0])])  # the graph's order
    options = replace(options, models=options.models or policy.models, scopes=scopes)
    externals, external_problems = external_packages(root, options)
    externals = not_in_graph(externals, graph)
    where = {(e.node.name, e.node.scopes): e.location for e in externals if e.location}
    inputs += [
        (replace(ext.node, ecosystem=ext.ecosystem), ext.evidence, ext.problems, None, True, False)
        for ext in externals
    ]
    reached += [ext.node for ext in externals]
    origin = Origins(installed, by_node, locked is not None, options.online)
    # classify and the traits depend on the evidence alone (the knowledge base is fixed);
    # equal evidence is one tuple, so a report can tell it is shared by identity
    verdicts: dict[tuple[Evidence, ...], tuple[tuple[Evidence, ...], Verdict]] = {}
    # the same by the identity of the first tuple of each (collect shares equal answers, and
    # ``verdicts`` keeps that tuple alive): hashing the evidence again cost ~0.03 s of 20,000
    seen: dict[int, tuple[tuple[Evidence, ...], Verdict]] = {}
    doubts: dict[tuple[int, int, bool, bool, str], tuple[tuple[str, str], ...]] = {}
    for node, evidence, node_problems, dist, files_read, unread in inputs:
        clarified, stale, matched = clarify(node, evidence, policy.clarifications)
        used_clarifications.update(matched)
        if clarified:
            evidence = (*clarified, *evidence)
        known = seen.get(id(evidence))
        if known is None:
            known = verdicts.get(evidence)
            if known is None:  # many packages state the same: classified once per distinct tuple
                verdict = classify(evidence)
                verdict = replace(verdict, traits=verdict_traits(verdict.expression))
                known = verdicts[evidence] = (evidence, verdict)
            seen[id(known[0])] = known
        evidence, verdict = known
        outcome = evaluate_package(node, verdict, policy, traits_of, today)
        used_allow |= outcome.used_allow
        used_exceptions |= outcome.used_exceptions
        own = [from_problem(p, node.path) for p in node_problems]
        said = {p.code for p in node_problems}  # DL033 already says the licence is unknown
        if unread:
            said.add("DL033")
        unfetched_files = dist is not None and not dist.files_read  # index, no files
        # what the evidence says depends on it, its verdict and these flags (ids: both are
        # kept alive by ``verdicts``), asked once per distinct set (~0.03 s of 20,000)
        asked = (id(evidence), id(verdict), files_read, unfetched_files, node.ecosystem)
        notes_of = doubts.get(asked)
        if notes_of is None:
            notes_of = doubts[asked] = evidence_notes(
                verdict, evidence, files_read, unfetched_files, node.ecosystem
            )
        own += stale
        own += [finding(c, m, node.name, node.version, path=node.path) for c, m in notes_of]
        # a wheel's metadata alone (an sdist's licence files were read with its PKG-INFO)
        hint = (
            dist is not None
            and unfetched_files
            and node.ecosystem == "pypi"
            and dist.location != "index:sdist"
        )
        own += [
            unfetched_hint(f) if hint else f
            for f in outcome.findings
            if not (f.code == "DL101" and "DL033" in said)
        ]
        own = override(own, overrides)
        at = where.get((node.name, node.scopes)) if where else None  # an external's reference
        if at is not None:
            own = [f if f.location else replace(f, location=at) for f in own]
        findings += own
        packages.append(
            PackageResult(
                node, evidence, verdict, package_status(own), outcome.chosen, origin.of(node, dist)
            )
        )
    packages = environment_edges(packages, list(by_node.values()), env.markers)
    names = {(p.node.name, p.node.version) for p in packages}
    # findings on no single package: policy hygiene, the scan's own problems
    general = hygiene_findings(
        policy, used_allow, used_exceptions, used_clarifications, names, today
    )
    if unidentified:
        general.append(
            finding(
                "DL105",
                f"{unidentified} licence text(s) could not be identified: "
                "install the engine with pip install 'dllicense[scancode]'",
            )
        )
    paths = {n.name: n.path for n in graph.nodes}
    general += [from_problem(p, ()) for p in summary]
    skipped = map(as_problem, (*env.skipped, *graph.skipped))  # reached, not carried forward
    general += [
        from_problem(p, paths.get(p.package, ()))
        for p in (*project.problems, *env.problems, *graph.problems, *skipped, *external_problems)
    ]
    if options.online:  # pip configuration files that could not be read (DL125)
        from dllicense.collect.pipconfig import load_index_config

        general += [from_problem(p, ()) for p in load_index_config().problems]
    findings += override([*general, *index_notes], overrides)
    # the invariant: no package the graph reached vanishes without a finding that names it
    lost = unaccounted(reached, packages, findings)
    findings += override([from_problem(as_problem(s)) for s in lost], overrides)
    findings.sort(key=finding_key)
    texts = shipped_texts(collected, packages)
    from dllicense.discover.vcs import read_revision

    stamp = source_date() or datetime.now(tz=timezone.utc).replace(microsecond=0)
    from dllicense.knowledge.cards import framework_facts, meanings

    return ScanResult(
        tool_version=__version__,
        project=project.name,
        environment=env.description,
        python_version=env.python_version,
        policy=f"{policy.name} ({policy.source})",
        scopes=scopes,
        packages=tuple(packages),
        findings=tuple(findings),
        sources=tuple(sorted({*project.sources, *lock_files})),
        declared=project.declared,
        repository_prefix=project.repository_prefix,
        texts=texts,
        generated=stamp.isoformat(),
        revision=read_revision(root),
        approvals=approvals_of(policy.exceptions, used_exceptions),
        options=(
            ("texts", options.texts),
            ("all", str(options.include_all).lower()),
            *((("models", "true"),) if options.models else ()),
        ),
        frameworks=framework_facts((p.node.name, p.node.version) for p in packages),
        meanings=meanings(),
        rules=tuple(rules().values()),
    )
