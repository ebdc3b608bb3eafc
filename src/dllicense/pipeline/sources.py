"""Where each package's metadata comes from when it is not installed: the package index
(``--online``), and the project's other dependencies (models, datasets, other ecosystems)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dllicense.models import (
    Distribution,
    Environment,
    ExternalPackage,
    Finding,
    Graph,
    Node,
    Problem,
    Project,
    Severity,
)
from dllicense.pipeline.options import ScanOptions
from dllicense.policy.codes import finding
from dllicense.resolve.graph import scope_selected

if TYPE_CHECKING:
    from dllicense.collect.index import IndexClient


def locked_metadata(
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
    client = index_client(options)
    wanted = sorted(missing, key=lambda n: (n.name, n.version))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="dllicense-fetch") as pool:
        pending = pool.submit(
            client.fetch_many, [(n.name, n.version, n.index, n.wheels) for n in wanted]
        )
        warm_tables()  # while the lookups wait for the index
        answers = pending.result()
    for node, got in zip(wanted, answers, strict=True):
        kept = tuple(p for p in missing[node] if p.code != "DL033")
        if isinstance(got, Problem):
            missing[node] = (*kept, got)
            continue
        found[node] = got
        missing[node] = (*kept, *got.problems)
    return found, missing


def warm_tables() -> None:
    """Build the tables a scan of index metadata needs next (licence names, traits), for a
    caller that would otherwise wait idle for the index or the resolver."""
    from dllicense.knowledge import license_traits
    from dllicense.licenses.spdx import normalize

    normalize("MIT")
    license_traits("MIT")


def index_client(options: ScanOptions) -> IndexClient:
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


def external_packages(
    root: Path, options: ScanOptions
) -> tuple[list[ExternalPackage], list[Problem]]:
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


def from_index(
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
    client = index_client(options)
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
