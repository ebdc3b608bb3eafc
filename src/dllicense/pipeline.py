"""``scan(options) -> ScanResult``: discover -> resolve -> collect -> classify -> evaluate.

Never prints and never exits; bad input becomes findings, or a
``DllicenseError`` when nothing can be scanned at all.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from dllicense import __version__
from dllicense.collect import Collected, collect_all
from dllicense.collect.metadata import looks_like_text
from dllicense.config.policy import Clarification, PolicyException, load_policy
from dllicense.discover.choice import EnvironmentChoice, choose_environment
from dllicense.discover.environment import read_environment
from dllicense.discover.project import discover_project
from dllicense.errors import InputError
from dllicense.licenses.classify import classify
from dllicense.licenses.identify import identify_texts
from dllicense.models import (
    Approval,
    Distribution,
    Environment,
    Evidence,
    EvidenceKind,
    ExternalPackage,
    Finding,
    Graph,
    LicenseText,
    LicenseTraits,
    Node,
    Origin,
    PackageResult,
    Problem,
    Progress,
    Project,
    ScanResult,
    Severity,
    Status,
    Verdict,
)
from dllicense.policy.clarify import clarify
from dllicense.policy.codes import finding, from_problem, rules
from dllicense.policy.evaluate import evaluate_package, hygiene_findings
from dllicense.resolve.graph import ENVIRONMENT_SCOPE, resolve, scope_selected
from dllicense.skipped import as_problem, unaccounted

if TYPE_CHECKING:
    from dllicense.collect.index import IndexClient
    from dllicense.resolve.condagraph import CondaInstalled
    from dllicense.resolve.online import Indexes


@dataclass(frozen=True)
class ScanOptions:
    project: Path
    python: str | None = None
    paths: tuple[str, ...] = ()
    include_all: bool = False
    scopes: tuple[str, ...] = ()  # empty: the policy's scopes (default: runtime)
    policy: str | None = None
    severity: tuple[tuple[str, str], ...] = ()  # --warn/--deny: rule code -> severity
    # status lines and progress steps for a terminal; never stdout
    progress: Callable[[str | Progress], None] | None = None
    texts: str = "primary"  # none, primary, all
    cache_dir: Path | None = None
    use_cache: bool = True
    models: bool = False  # also the models and datasets the code loads (--models)
    online: bool = False  # read declared packages that are not installed from the index
    index_url: str | None = field(default=None, repr=False)  # may hold credentials
    fetch_files: bool = False  # with online: the wheels' licence files too
    lock: Path | None = None  # --lock FILE; else the project's lock file, if any
    no_lock: bool = False  # --no-lock: ignore lock files, resolve the installed environment
    python_version: str | None = None  # target of the lock's markers (X.Y)
    platform: str | None = None  # linux, darwin, win32
    all_targets: bool = False  # every locked version, for every target
    conda_prefix: str | None = None  # --conda-prefix PATH: a conda or pixi environment


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
    conda = _conda_installed(decision.choice)
    locked = _from_lock(root, project, options, installed)
    index_notes: list[Finding] = []
    lock_files: tuple[str, ...] = ()
    unfetched: dict[tuple[str, str], Problem] = {}  # resolved pins the index did not give
    if locked is not None:
        env, graph, lock_files = locked
        if options.include_all and installed is not None:
            graph = _with_installed(graph, installed, scopes)
        graph = _conda_locked(graph, conda)
    elif installed is not None:
        env = installed
        graph = resolve(project, env, include_all=options.include_all)
        graph = _with_conda(root, graph, env, conda, options.include_all)
        if options.online:
            graph, fetched, index_notes = _from_index(project, graph, options)
            env = replace(env, distributions=(*env.distributions, *fetched))
    elif options.online:
        env, graph, unfetched = _resolved(project, options, scopes)
    else:
        env, graph = _nothing_installed(project, scopes, decision.skipped)
    if options.progress is not None:
        options.progress(f"scanning {env.description}")
    nodes = [n for n in graph.nodes if any(scope_selected(s, scopes) for s in n.scopes)]
    reached = list(nodes)  # each is scanned or named by a finding (checked below)
    notes: dict[Node, tuple[Problem, ...]] = {}  # version mismatch, no metadata
    summary: list[Problem] = []  # nothing installed, not --online: one DL033 for them all
    native = [n for n in nodes if n.ecosystem == "conda"]  # conda nodes: their own records
    nodes = [n for n in nodes if n.ecosystem != "conda"]
    if locked is not None:
        by_node, notes = _locked_metadata(nodes, env, options)
        if installed is None and not options.online:
            notes, summary = _unread_locked(notes)
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
        by_node = {n: dists[n.name] for n in nodes if n.name in dists}
    records = {(d.name, d.version): d for d in graph.distributions if d.ecosystem == "conda"}
    by_node |= {n: records[(n.name, n.version)] for n in native if (n.name, n.version) in records}
    nodes += native
    rank = {n: i for i, n in enumerate(nodes)}
    bare = [n for n in nodes if n not in by_node]  # locked, no metadata: knowledge base only
    nodes = [n for n in nodes if n in by_node]
    collected = collect_all([by_node[n] for n in nodes], record=options.texts != "none")
    # --texts none: a distribution whose dist-info holds no licence file may still ship one
    # listed in RECORD, which was not searched: whether it ships a text is not known (DL115)
    unsearched = {n for n, item in zip(nodes, collected, strict=True) if item.unsearched}
    collected, unidentified = identify_texts(
        collected, options.texts, options.cache_dir, options.use_cache, options.progress
    )
    from dllicense.collect.knowledge import knowledge_evidence

    today = (_source_date() or datetime.now(tz=timezone.utc)).date()
    overrides = dict(policy.severity) | dict(options.severity)
    findings: list[Finding] = []
    packages = []
    used_allow: set[str] = set()
    used_exceptions: set[PolicyException] = set()
    used_clarifications: set[Clarification] = set()
    related: dict[str, list[Evidence]] = {}  # the conda package a Python distribution is
    for name, item in graph.evidence:
        related.setdefault(name, []).append(item)
    inputs = [
        (
            node,
            (
                *item.evidence,
                *knowledge_evidence(node.name, node.version, node.ecosystem),
                *related.get(node.name, ()),
            ),
            (*item.problems, *notes.get(node, ())),
        )
        for node, item in zip(nodes, collected, strict=True)
    ]
    inputs += [
        (n, knowledge_evidence(n.name, n.version, n.ecosystem), notes.get(n, ())) for n in bare
    ]
    unread = {n for n in bare if not notes.get(n)}  # nothing installed: DL006/DL033 say so
    inputs.sort(key=lambda item: rank[item[0]])  # the graph's order
    options = replace(options, models=options.models or policy.models, scopes=scopes)
    externals, external_problems = _externals(root, options)
    externals = _not_in_graph(externals, graph)
    where = {(e.node.name, e.node.scopes): e.location for e in externals if e.location}
    inputs += [
        (replace(ext.node, ecosystem=ext.ecosystem), ext.evidence, ext.problems)
        for ext in externals
    ]
    reached += [ext.node for ext in externals]
    origin = _Origins(installed, by_node, locked is not None, options.online)
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
        said = {p.code for p in node_problems}  # DL033 already says the licence is unknown
        if node in unread:
            said.add("DL033")
        files_read = node not in by_node or (by_node[node].files_read and node not in unsearched)
        unfetched_files = node in by_node and not by_node[node].files_read  # index, no files
        own += [*stale, *_evidence_findings(node, verdict, evidence, files_read, unfetched_files)]
        own += [f for f in outcome.findings if not (f.code == "DL101" and "DL033" in said)]
        own = _override(own, overrides)
        at = where.get((node.name, node.scopes))  # an external's reference in the project
        own = [f if f.location or at is None else replace(f, location=at) for f in own]
        findings += own
        packages.append(
            PackageResult(node, evidence, verdict, _status(own), outcome.chosen, origin(node))
        )
    packages = _environment_edges(packages, list(by_node.values()), env.markers)
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
    findings += _override([*general, *index_notes], overrides)
    # the invariant: no package the graph reached vanishes without a finding that names it
    lost = unaccounted(reached, packages, findings)
    findings += _override([from_problem(as_problem(s)) for s in lost], overrides)
    findings.sort(key=_finding_key)
    texts = _texts(collected, packages)
    from dllicense.discover.vcs import read_revision

    stamp = _source_date() or datetime.now(tz=timezone.utc).replace(microsecond=0)
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
        approvals=_approvals(policy.exceptions, used_exceptions),
        options=(
            ("texts", options.texts),
            ("all", str(options.include_all).lower()),
            *((("models", "true"),) if options.models else ()),
        ),
        frameworks=framework_facts((p.node.name, p.node.version) for p in packages),
        meanings=meanings(),
        rules=tuple(rules().values()),
    )


@dataclass(frozen=True)
class _Origins:
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

    def __call__(self, node: Node) -> Origin:
        if node.ecosystem != "pypi":  # models, datasets, other ecosystems
            return Origin("project", "project", "none")
        dist = self.by_node.get(node)
        here = self._installed_ids
        metadata = "none" if dist is None else "installed" if id(dist) in here else "index"
        files = "none" if dist is None else "read" if dist.files_read else "not-fetched"
        if self.locked:
            version = "installed" if node.scopes == (ENVIRONMENT_SCOPE,) else "lock"
        elif self.installed is not None:
            version = "installed" if metadata != "index" else "index"
        else:
            version = "resolver" if self.online else "declared"
        return Origin(version, metadata, files)


def _environment_edges(
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
    edges = {n.name: n for n in resolve(Project("", (), ()), env, include_all=True).nodes}
    present = {p.node.name for p in packages}
    out = []
    for p in packages:
        found = edges.get(p.node.name)
        if found is not None and p.node.name in loose and p.node.ecosystem == "pypi":
            node = replace(
                p.node,
                parents=tuple(n for n in found.parents if n in present),
                requires=p.node.requires or found.requires,
            )
            p = replace(p, node=node)
        out.append(p)
    return out


def _approvals(
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


def _from_lock(
    root: Path, project: Project, options: ScanOptions, env: Environment | None
) -> tuple[Environment, Graph, tuple[str, ...]] | None:
    """The lock's graph and the environment that supplies metadata (``None``: no lock).

    ``env`` is the project's installed environment (None: nothing installed; the running
    interpreter is never one), read only for the metadata of the very versions locked.
    """
    from dllicense.discover.locks import find_lock
    from dllicense.resolve.lockgraph import lock_graph, target_markers

    installed = env is not None
    if options.lock is None and (options.no_lock or not find_lock(root, None, not installed)):
        return None  # no lock: the installed environment as always
    locked = lock_graph(
        root,
        project,
        lock=options.lock,
        no_lock=options.no_lock,
        python_version=options.python_version,
        platform=options.platform,
        all_targets=options.all_targets,
        markers=dict(env.markers) if env else None,
        installed=installed,
    )
    if locked is None:
        return None
    graph, files, _ = locked
    label = f"lock file {', '.join(files)}"
    if env is not None:
        return replace(env, description=f"{env.description} with {label}"), graph, files
    target = target_markers(None, options.python_version, options.platform)
    where = "nothing installed; metadata from the index" if options.online else "nothing installed"
    env = Environment(
        description=f"{label} ({where})",
        python_version="" if options.all_targets else target["python_full_version"],
        markers=tuple(sorted(target.items())),
        distributions=(),
    )
    return env, graph, files


# --- conda and pixi environments (issue 21) -----------------------------------------


def _conda_installed(choice: EnvironmentChoice | None) -> CondaInstalled | None:
    """The package records of the chosen environment when it is a conda environment."""
    from dllicense.resolve.condagraph import installed_records

    return installed_records(choice)


def _with_conda(
    root: Path, graph: Graph, env: Environment, conda: CondaInstalled | None, include_all: bool
) -> Graph:
    """The installed Python graph joined with the conda environment's packages."""
    if conda is None:
        return graph
    from dllicense.discover.ecosystems import ecosystem_declarations
    from dllicense.resolve.condagraph import conda_graph

    declared = [d.name for d in ecosystem_declarations(root)[0] if d.ecosystem == "conda"]
    joined = conda_graph(graph, env, conda.records, declared, include_all)
    return replace(joined, problems=(*joined.problems, *conda.problems))


def _conda_locked(graph: Graph, conda: CondaInstalled | None) -> Graph:
    """A lock's conda nodes read from the installed records of the same version, if any."""
    if conda is None:
        return graph
    from dllicense.resolve.condagraph import conda_distribution

    installed = {(r.name, r.version): conda_distribution(r) for r in conda.records}
    kept = [d for d in graph.distributions if (d.name, d.version) not in installed]
    return replace(graph, distributions=(*installed.values(), *kept))


def _not_in_graph(externals: list[ExternalPackage], graph: Graph) -> list[ExternalPackage]:
    """environment.yml's conda declarations that the graph already has as installed or
    locked packages are not listed twice."""
    conda = {n.name for n in graph.nodes if n.ecosystem == "conda"}
    conda |= {item.value.split()[0] for _, item in graph.evidence if item.kind == "conda-package"}
    return [e for e in externals if not (e.ecosystem == "conda" and e.node.name in conda)]


# --------------------------------------------------------------------------------------


def _with_installed(graph: Graph, env: Environment, scopes: tuple[str, ...]) -> Graph:
    """``--all`` with a lock: every installed distribution is listed too. A locked package
    of an unselected scope that is installed gets the environment scope; one the lock does
    not have is a node of the environment scope alone (its installed metadata is read)."""
    installed = {d.name: d.version for d in env.distributions}
    nodes = []
    for node in graph.nodes:
        selected = any(scope_selected(s, scopes) for s in node.scopes)
        if not selected and installed.get(node.name) == node.version:
            node = replace(node, scopes=(*node.scopes, ENVIRONMENT_SCOPE))
        nodes.append(node)
    locked = {n.name for n in graph.nodes}
    nodes += [
        Node(name, version, (ENVIRONMENT_SCOPE,), (name,), (), (), False)
        for name, version in sorted(installed.items())
        if name not in locked
    ]
    return replace(graph, nodes=tuple(nodes))


def _unread_locked(
    notes: dict[Node, tuple[Problem, ...]],
) -> tuple[dict[Node, tuple[Problem, ...]], list[Problem]]:
    """With nothing installed and no --online every locked package lacks metadata: one
    DL033 says so for all of them (naming a few) instead of one error per package."""
    unread = sorted({n.name for n, found in notes.items() if any(p.code == "DL033" for p in found)})
    if not unread:
        return notes, []
    named = ", ".join(unread[:5]) + (f" and {len(unread) - 5} more" if len(unread) > 5 else "")
    message = (
        f"{len(unread)} locked package(s) have no licence metadata: nothing is installed "
        f"({named}); scan with --online to read it from the package index, or point "
        "--python/--path at an environment with the locked versions"
    )
    kept = {n: tuple(p for p in found if p.code != "DL033") for n, found in notes.items()}
    return kept, [Problem("DL033", message)]


def _resolved(
    project: Project, options: ScanOptions, scopes: tuple[str, ...]
) -> tuple[Environment, Graph, dict[tuple[str, str], Problem]]:
    """No lock, nothing installed, ``--online``: a real resolver's answer, read from the index.

    The declared requirements of the selected scopes go to ``uv pip compile`` (else pip);
    each pin's metadata comes from the index; its ``Requires-Dist`` are the graph's edges.
    Returns the environment (the fetched metadata), the graph and the pins not fetched.
    """
    from dllicense.resolve import online
    from dllicense.resolve.lockgraph import build_graph, target_markers

    wanted = [d for d in project.declared if scope_selected(d.scope, scopes)]
    target = target_markers(None, options.python_version, options.platform)
    platform = options.platform or {"darwin": "darwin", "win32": "win32"}.get(
        target["sys_platform"], "linux"
    )
    goal = online.Target(target["python_version"], platform, universal=options.all_targets)
    if options.progress is not None:
        options.progress(f"resolving {len(wanted)} declared requirement(s) with the index")
    lines = online.requirement_lines(wanted)
    answer = online.resolve_online(
        lines,
        goal,
        _indexes(options),
        options.cache_dir,
        options.use_cache,
    )
    client = _index_client(options)
    fetched: dict[tuple[str, str], Distribution] = {}
    failed: dict[tuple[str, str], Problem] = {}
    keys = [(pin.name, pin.version) for pin in answer.pins]
    files = [(pin.name, pin.version, "", pin.wheels) for pin in answer.pins]
    for key, got in zip(keys, client.fetch_many(files), strict=True):
        if isinstance(got, Problem):
            failed[key] = got
        else:
            fetched[key] = got
    from dllicense.collect.index_excluded import read_excluded  # no usable wheel: DL007 each

    left_out = read_excluded(client, answer, lines, list(fetched.values()))
    fetched, failed = fetched | left_out.fetched, failed | left_out.failed
    lock = online.as_lock(answer, fetched, left_out.versions)
    graph = build_graph(lock, tuple(wanted), None if options.all_targets else target)
    problems = [*answer.problems, *left_out.problems, *graph.problems]
    if not answer.pins and not answer.excluded:  # the resolver failed: the declared alone
        advice = (
            "fix what DL007 names (or choose another --python-version/--platform), add a "
            "lock file (uv lock, poetry lock, pdm lock, pip-compile), or point --python at "
            "the project's interpreter"
        )
        graph, more = _direct_only(project, scopes, "the resolver failed (DL007)", target, advice)
        problems = [*answer.problems, *more]  # an empty lock's "not locked" would be noise
    where = "every target" if options.all_targets else f"Python {goal.python} on {goal.platform}"
    env = Environment(
        description=f"{lock.label} for {where} (nothing installed; metadata from the index)",
        python_version="" if options.all_targets else target["python_full_version"],
        markers=tuple(sorted(target.items())),
        distributions=tuple(fetched[k] for k in sorted(fetched)),
    )
    return env, replace(graph, problems=tuple(problems)), failed


def _indexes(options: ScanOptions) -> Indexes:
    """Where the resolver looks: the sources pip is configured with, the index URL replaced
    by ``--index-url`` (as on pip's command line)."""
    from dllicense.collect.pipconfig import load_index_config
    from dllicense.resolve.online import Indexes

    config = load_index_config()
    return Indexes(
        options.index_url or config.index_url,
        config.extra_index_urls,
        config.find_links,
        config.no_index and not options.index_url,
    )


def _nothing_installed(
    project: Project, scopes: tuple[str, ...], skipped: str
) -> tuple[Environment, Graph]:
    """No lock, no environment, not --online: the declared packages, and DL006 saying that
    what they depend on is unknown."""
    why = "no environment found (.venv, venv, an active $VIRTUAL_ENV or $CONDA_PREFIX)"
    if skipped:
        why += f"; {skipped}"
    from dllicense.resolve.lockgraph import target_markers

    markers = target_markers()  # the running interpreter's: only to read the markers
    graph, problems = _direct_only(project, scopes, why, markers)
    env = Environment(
        description="nothing installed, no lock file: declared dependencies only",
        python_version="",
        markers=tuple(sorted(markers.items())),
        distributions=(),
    )
    return env, replace(graph, problems=tuple(problems))


_NO_GRAPH_ADVICE = (
    "scan with --online (resolve from the package index), add a lock file (uv lock, poetry "
    "lock, pdm lock, pip-compile), or point --python at the project's interpreter"
)


def _direct_only(
    project: Project,
    scopes: tuple[str, ...],
    why: str,
    markers: Mapping[str, str],
    advice: str = _NO_GRAPH_ADVICE,
) -> tuple[Graph, list[Problem]]:
    """The declared index packages as nodes (versioned when pinned exactly, so the knowledge
    base can speak for them), and the DL006 that says what they depend on is unknown."""
    nothing = Environment("", "", tuple(sorted(markers.items())), ())
    graph = resolve(project, nothing)  # DL005 for URL/path requirements; DL001 for the rest
    names: dict[str, set[str]] = {}
    pins: dict[str, set[str]] = {}  # name -> the versions exact pins (==X) name
    for d in project.declared:
        if d.kind == "pypi" and d.name and scope_selected(d.scope, scopes):
            names.setdefault(d.name, set()).add(d.scope)
            pin = d.specifier[2:].strip() if d.specifier.startswith("==") else ""
            exact = pin and "," not in pin and "*" not in pin
            pins.setdefault(d.name, set()).add(pin if exact else "")
    nodes = tuple(
        Node(
            name=name,
            version=next(iter(pins[name])) if len(pins[name]) == 1 else "",
            scopes=tuple(sorted(found, key=lambda s: (s != "runtime", s))),
            path=(name,),
            parents=(),
            requires=(),
            direct=True,
        )
        for name, found in sorted(names.items())
    )
    problems = [p for p in graph.problems if p.code == "DL005"]
    if nodes:
        problems.append(
            Problem(
                "DL006",
                f"{why}: only the {len(nodes)} declared package(s) are listed and what they "
                f"depend on is unknown; {advice}",
            )
        )
    return Graph(nodes, ()), problems


def _locked_metadata(
    nodes: list[Node], env: Environment, options: ScanOptions
) -> tuple[dict[Node, Distribution], dict[Node, tuple[Problem, ...]]]:
    """Installed metadata of each locked node (same version only); the rest with --online
    from the index the lock names for it, else pip's configured sources (straight from
    the wheel the lock names, when it names one); otherwise DL033 (DL032 first when
    another version is installed).

    Returns (node -> distribution, node -> its problems).
    """
    from dllicense.resolve.lockgraph import match_installed

    found, missing = match_installed(nodes, env.distributions)
    if not options.online or not missing:
        return found, missing
    client = _index_client(options)
    wanted = sorted(missing, key=lambda n: (n.name, n.version))
    answers = client.fetch_many([(n.name, n.version, n.index, n.wheels) for n in wanted])
    for node, got in zip(wanted, answers, strict=True):
        kept = tuple(p for p in missing[node] if p.code != "DL033")
        if isinstance(got, Problem):
            missing[node] = (*kept, got)
            continue
        found[node] = got
        missing[node] = (*kept, *got.problems)
    return found, missing


def _index_client(options: ScanOptions) -> IndexClient:
    """The package sources pip is configured with (``--index-url`` replaces the index URL),
    for ``--online``; imported only when needed."""
    from dllicense.collect.index import IndexClient, IndexOptions
    from dllicense.collect.pipconfig import load_index_config

    config = load_index_config()
    return IndexClient(
        IndexOptions.from_config(
            config,
            index_url=options.index_url or config.index_url,
            cache_dir=options.cache_dir,
            fetch_files=options.fetch_files,
            use_cache=options.use_cache,
        )
    )


def _externals(root: Path, options: ScanOptions) -> tuple[list[ExternalPackage], list[Problem]]:
    """Dependencies that are not installed distributions (models, datasets, other ecosystems).

    Each provider reads the project statically and returns ``ExternalPackage`` values and
    the problems met on the way (unresolvable references, unreadable manifests).
    """
    from dllicense.collect.ecosystems import ecosystem_packages

    # pom.xml, Gradle, environment.yml, rockspecs; test-scoped ones are "group:test"
    found, problems = ecosystem_packages(root)
    chosen = options.scopes
    found = [
        e
        for e in found
        if any(not s.startswith("group:") or scope_selected(s, chosen) for s in e.node.scopes)
    ]
    if options.models:
        from dllicense.collect.hub import HubClient
        from dllicense.collect.modelcards import model_packages

        hub = HubClient(options.cache_dir, options.use_cache) if options.online else None
        models, more = model_packages(root, scopes=chosen, hub=hub)
        found += models
        problems += more
    return found, problems


def _from_index(
    project: Project, graph: Graph, options: ScanOptions
) -> tuple[Graph, list[Distribution], list[Finding]]:
    """Declared packages that are not installed (DL001), read from the package index instead.

    Each becomes a direct node (scopes as declared, path = itself; its own requirements are
    not followed) and DL001 stays as an info note; failures add the index's finding.
    """
    missing = {
        (s.package, s.location)
        for s in graph.skipped
        if s.reason == "declared-not-installed" and s.package
    }
    if not missing:
        return graph, [], []
    client = _index_client(options)
    nodes, dists, notes, problems = list(graph.nodes), [], [], []
    for name in sorted({n for n, _ in missing}):
        declared = [
            d for d in project.declared if (d.name, d.location) in missing and d.name == name
        ]
        spec = ",".join(d.specifier for d in declared if d.specifier)
        version = client.best_version(name, spec)
        got = client.fetch(name, version) if isinstance(version, str) else version
        if isinstance(got, Problem):
            problems.append(got)
            continue
        dists.append(got)
        problems += got.problems
        nodes.append(
            Node(
                name=name,
                version=got.version,
                scopes=tuple(
                    sorted({d.scope for d in declared}, key=lambda s: (s != "runtime", s))
                ),
                path=(name,),
                parents=(),
                requires=(),
                direct=True,
                extras=tuple(sorted({e for d in declared for e in d.extras})),
            )
        )
        notes.append(
            finding(
                "DL001",
                f"{name} {got.version} is declared but not installed; its metadata was read "
                f"from the package index ({got.location})",
                name,
                got.version,
                path=(name,),
                location=declared[0].location if declared else None,
                severity=Severity.INFO,
            )
        )
    done = {d.name for d in dists}
    kept = [
        s for s in graph.skipped if not (s.reason == "declared-not-installed" and s.package in done)
    ]
    nodes.sort(key=lambda n: n.name)
    graph = replace(graph, nodes=tuple(nodes), problems=(*graph.problems, *problems))
    return replace(graph, skipped=tuple(kept)), dists, notes


def _traits(expression: str) -> tuple[LicenseTraits, ...]:
    """Traits of each licence of the expression ("X WITH Y" counts as X's)."""
    from dllicense.knowledge import traits_of_expression

    try:
        return traits_of_expression(expression) if expression else ()
    except ValueError:
        return ()


def _evidence_findings(
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
    out = []
    texts = ("license-file", "license-text", "third-party-file")
    declared = ("license-expression", "license", "classifier")
    if (
        files_read
        and node.ecosystem == "pypi"
        and any(e.kind in declared for e in evidence)
        and not any(e.kind in texts and e.sha256 for e in evidence)
    ):
        out.append(
            finding(
                "DL115",
                "ships no licence text: the attribution notice cannot quote it "
                "(fetch the text from the project's repository)",
                node.name,
                node.version,
                path=node.path,
            )
        )
    if not verdict.expression:
        pass  # unknown licences are the policy's call (DL101 in evaluate)
    elif verdict.confidence == "low" and "unspecified" in verdict.expression:
        out.append(
            finding(
                "DL102",
                f"licence named only by family: {verdict.expression}"
                + (
                    " (the wheel's licence files were not read: --fetch-files reads them)"
                    if unfetched_files
                    else ""
                ),
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
    for text in verdict.bundled:
        source, _, expression = text.partition(": ")
        out.append(
            finding(
                "DL116",
                f"bundled licence not covered by the licence expression {verdict.expression}: "
                f"{source} is {expression}",
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


def _override(findings: list[Finding], overrides: dict[str, str]) -> list[Finding]:
    """Apply severity overrides (policy ``[severity]``, ``--warn``/``--deny``); "off" drops."""
    out = []
    for f in findings:
        level = overrides.get(f.code)
        if level == "off":
            continue
        out.append(replace(f, severity=Severity(level)) if level else f)
    return out


def _source_date() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as a date-time (reproducible timestamps and expiry dates)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return (
        datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch and epoch.isdigit() else None
    )


def _status(findings: list[Finding]) -> Status:
    worst = max((f.severity.rank for f in findings), default=-1)
    return "error" if worst >= Severity.ERROR.rank else "warning" if worst >= 1 else "ok"


def _finding_key(f: Finding) -> tuple[int, str, str, str, str]:
    return (-f.severity.rank, f.code, f.package, f.term, f.message)
