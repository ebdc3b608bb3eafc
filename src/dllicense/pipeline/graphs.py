"""Which packages: the graph from a lock, the installed environment (with conda), the
resolver (``--online``), or the declared packages alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dllicense.discover.choice import EnvironmentChoice
from dllicense.models import (
    Declared,
    Distribution,
    Environment,
    ExternalPackage,
    Graph,
    Node,
    Problem,
    Project,
)
from dllicense.pipeline.options import ScanOptions
from dllicense.pipeline.sources import index_client, warm_tables
from dllicense.resolve.graph import ENVIRONMENT_SCOPE, resolve, scope_selected

if TYPE_CHECKING:
    from dllicense.collect.index import IndexClient
    from dllicense.resolve.condagraph import CondaInstalled
    from dllicense.resolve.online import Indexes, Resolution


def from_lock(
    root: Path, project: Project, options: ScanOptions, env: Environment | None
) -> tuple[Environment, Graph, tuple[str, ...]] | None:
    """The lock's graph and the environment that supplies metadata (``None``: no lock).

    ``env`` is the project's installed environment (None: nothing installed; the running
    interpreter is never one), read only for the metadata of the very versions locked.
    """
    from dllicense.discover.locks import find_lock

    installed = env is not None
    if options.lock is None and (options.no_lock or not find_lock(root, None, not installed)):
        return None  # no lock: the installed environment as always
    from dllicense.resolve.lockgraph import lock_graph, target_markers

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
    graph, files = locked
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


def conda_target(root: Path, options: ScanOptions) -> ScanOptions:
    """No lock, nothing installed, no ``--python-version``: the Python the project's conda
    environment file pins (``python=3.8.5``) is the target of the resolution, as
    ``--python-version`` would be; a range or no pin leaves the options as they are (the
    running Python's). A lock file keeps its target: it was made by another tool (uv,
    Poetry...) for the Pythons it supports, not by conda for this one."""
    from dllicense.discover.ecosystems import conda_python

    pin = conda_python(root)
    if pin is None:
        return options
    return replace(options, python_version=pin[0], python_from=pin[1])


def conda_installed(choice: EnvironmentChoice | None) -> CondaInstalled | None:
    """The package records of the chosen environment when it is a conda environment."""
    if choice is None or choice.root is None or not (choice.root / "conda-meta").is_dir():
        return None  # not a conda prefix: its reader's modules are not imported
    from dllicense.resolve.condagraph import installed_records

    return installed_records(choice)


def with_conda(
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


def conda_locked(graph: Graph, conda: CondaInstalled | None) -> Graph:
    """A lock's conda nodes read from the installed records of the same version, if any."""
    if conda is None:
        return graph
    from dllicense.resolve.condagraph import conda_distribution

    installed = {(r.name, r.version): conda_distribution(r) for r in conda.records}
    kept = [d for d in graph.distributions if (d.name, d.version) not in installed]
    return replace(graph, distributions=(*installed.values(), *kept))


def not_in_graph(externals: list[ExternalPackage], graph: Graph) -> list[ExternalPackage]:
    """environment.yml's conda declarations that the graph already has as installed or
    locked packages are not listed twice."""
    conda = {n.name for n in graph.nodes if n.ecosystem == "conda"}
    conda |= {item.value.split()[0] for _, item in graph.evidence if item.kind == "conda-package"}
    return [e for e in externals if not (e.ecosystem == "conda" and e.node.name in conda)]


def with_installed(graph: Graph, env: Environment, scopes: tuple[str, ...]) -> Graph:
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


def unread_locked(
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


def resolved_online(
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
    provided = conda_provided(options.project, wanted)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="dllicense-resolve") as pool:
        pending = pool.submit(
            online.resolve_online,
            lines,
            goal,
            resolver_indexes(options),
            options.cache_dir,
            options.use_cache,
            tuple(provided),
        )
        client = index_client(options)  # while the resolver runs: what comes after it
        warm_tables()
        answer = pending.result()
    fetched, failed = _fetch_pins(client, answer)
    while provided:  # a resolved package needs another version than conda's: pip replaces it
        from dllicense.resolve.condatwins import unmet

        requires = [d.requires_dist for d in fetched.values()]
        replaced = unmet(requires, provided, None if options.all_targets else target)
        if not replaced:
            break
        provided = {n: v for n, v in provided.items() if n not in replaced}
        indexes = resolver_indexes(options)
        answer = online.resolve_online(
            lines, goal, indexes, options.cache_dir, options.use_cache, tuple(provided)
        )
        fetched, failed = _fetch_pins(client, answer)
    from dllicense.collect.index_excluded import read_excluded  # no usable wheel: DL007 each

    left_out = read_excluded(client, answer, lines, list(fetched.values()))
    fetched, failed = fetched | left_out.fetched, failed | left_out.failed
    from dllicense.discover.selfextras import both_markers

    floor = online.python_version_floor(goal)  # every target: those of the resolution
    if answer.resolver.startswith("pip"):
        provided = {}  # pip has no --excludes: it resolved them
    lock = online.as_lock(answer, fetched, left_out.versions, floor, tuple(provided))
    roots = [replace(d, marker=both_markers(d.marker, floor)) if d.marker else d for d in wanted]
    roots = [d for d in roots if not (d.kind == "pypi" and d.name in provided)]
    graph = build_graph(lock, tuple(roots), None if options.all_targets else target)
    problems = [*answer.problems, *left_out.problems, *graph.problems]
    if not answer.pins and not answer.excluded:  # the resolver failed: the declared alone
        advice = (
            "fix what DL007 names (or choose another --python-version/--platform), add a "
            "lock file (uv lock, poetry lock, pdm lock, pip-compile), or point --python at "
            "the project's interpreter"
        )
        graph, more = direct_only(project, scopes, "the resolver failed (DL007)", target, advice)
        problems = [*answer.problems, *more]  # an empty lock's "not locked" would be noise
    pinned = f" ({options.python_from})" if options.python_from else ""
    if options.all_targets:  # uv's --python-version is the lowest Python of --universal
        where = f"every target, Python {goal.python}{pinned} and up" if pinned else "every target"
    else:
        where = f"Python {goal.python}{pinned} on {goal.platform}"
    env = Environment(
        description=f"{lock.label} for {where} (nothing installed; metadata from the index)",
        python_version="" if options.all_targets else target["python_full_version"],
        markers=tuple(sorted(target.items())),
        distributions=tuple(fetched[k] for k in sorted(fetched)),
    )
    return env, replace(graph, problems=tuple(problems)), failed


def _fetch_pins(
    client: IndexClient, answer: Resolution
) -> tuple[dict[tuple[str, str], Distribution], dict[tuple[str, str], Problem]]:
    """Each pin's metadata from the index (read directly from the wheels, without pages)."""
    fetched: dict[tuple[str, str], Distribution] = {}
    failed: dict[tuple[str, str], Problem] = {}
    keys = [(pin.name, pin.version) for pin in answer.pins]
    source = client.resolved_from()
    files = [(pin.name, pin.version, source, pin.wheels) for pin in answer.pins]
    for key, got in zip(keys, client.fetch_many(files), strict=True):
        if isinstance(got, Problem):
            failed[key] = got
        else:
            fetched[key] = got
    return fetched, failed


def conda_provided(root: Path, wanted: list[Declared]) -> dict[str, str]:
    """The PyPI twins of the project's conda environment file packages (``pytorch`` ->
    ``torch``) that the declared requirements leave to conda (``resolve.condatwins``).

    Only when every PyPI requirement resolved is an entry of the environment file's
    ``pip:`` list: a project that also declares requirements elsewhere (pyproject.toml,
    requirements.txt) is resolved as pip installs it without conda, as before."""
    from dllicense.discover.ecosystems import ecosystem_declarations
    from dllicense.discover.ecosystems.common import CONDA_FILES
    from dllicense.resolve.condatwins import conda_twins

    if any(d.kind == "pypi" and d.location.file not in CONDA_FILES for d in wanted):
        return {}
    conda = [d for d in ecosystem_declarations(root)[0] if d.ecosystem == "conda"]
    return conda_twins(conda, wanted) if conda else {}


def resolver_indexes(options: ScanOptions) -> Indexes:
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


def nothing_installed(
    project: Project, scopes: tuple[str, ...], skipped: str
) -> tuple[Environment, Graph]:
    """No lock, no environment, not --online: the declared packages, and DL006 saying that
    what they depend on is unknown."""
    why = "no environment found (.venv, venv, an active $VIRTUAL_ENV or $CONDA_PREFIX)"
    if skipped:
        why += f"; {skipped}"
    from dllicense.resolve.lockgraph import target_markers

    markers = target_markers()  # the running interpreter's: only to read the markers
    graph, problems = direct_only(project, scopes, why, markers)
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


def direct_only(
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
