"""One graph for a conda environment: its Python distributions and its conda packages.

The Python graph (``resolve.graph``: declared roots through ``Requires-Dist``) is
extended with conda's ``depends``. A conda package that installed a dist-info (its
record's ``files`` list it; without files, the conda->PyPI name mapping says which) is
that Python distribution: one node, of ecosystem ``pypi``, with the conda package named
in its evidence. Every other record is a node of ecosystem ``conda`` whose metadata is
its record (``Graph.distributions``). Roots: the Python graph's nodes, the packages the
user asked conda for (``requested_spec``) and the conda names the project declares
(environment.yml); when none of them reaches a record, every record is a root.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from dllicense.discover.choice import EnvironmentChoice
from dllicense.discover.condameta import CondaRecord, is_conda_prefix, read_conda_meta
from dllicense.models import Distribution, Environment, Evidence, Graph, Node, Problem, Skipped
from dllicense.records import frozen
from dllicense.resolve.graph import ENVIRONMENT_SCOPE
from dllicense.resolve.walk import Edge, Key, State, Walk, scope_rank
from dllicense.resolve.walk import node as walk_node

_MAPPING = "prefix.dev parselmouth conda-PyPI mapping"


@frozen
class CondaInstalled:
    """The package records of the chosen conda environment and what could not be read."""

    records: list[CondaRecord]
    problems: tuple[Problem, ...] = ()


def installed_records(choice: EnvironmentChoice | None) -> CondaInstalled | None:
    """The records of the chosen environment when it is a conda one (else None)."""
    if choice is None or choice.root is None or not is_conda_prefix(choice.root):
        return None
    records, problems = read_conda_meta(choice.root, choice.label)
    return CondaInstalled(records, tuple(problems))


def conda_distribution(record: CondaRecord, location: str | None = None) -> Distribution:
    """A conda record as the metadata of its node (licence files: its ``info`` folder)."""
    return Distribution(
        name=record.name,
        display_name=record.name,
        version=record.version,
        path=record.info,
        location=location or record.file,
        summary=f"conda package {record.name} {record.version} {record.build} "
        f"({record.channel or 'unknown channel'})",
        license=record.license,
        files_read=bool(record.info),
        ecosystem="conda",
        license_family=record.license_family,
    )


def python_names(record: CondaRecord, installed: Iterable[str]) -> tuple[str, ...]:
    """The installed Python distributions a record is (its files; else the name mapping)."""
    if record.python_dists:
        return record.python_dists
    from dllicense.knowledge.conda_pypi import pypi_name

    mapped = pypi_name(record.name, record.channel or None)
    return (mapped,) if mapped and mapped in set(installed) else ()


def conda_graph(
    graph: Graph,
    env: Environment,
    records: list[CondaRecord],
    declared: Iterable[str] = (),
    include_all: bool = False,
) -> Graph:
    """The Python ``graph`` of ``env`` joined with the environment's conda ``records``."""
    installed = {d.name: d for d in env.distributions}
    by_name = {r.name: r for r in records}
    owner: dict[str, str] = {}  # conda name -> the Python distribution it is
    mapped: dict[str, str] = {}  # conda names related to a Python node by the name mapping only
    for record in records:
        names = [n for n in python_names(record, installed) if n in installed]
        if names:
            owner[record.name] = names[0]
            if not record.python_dists:
                mapped[record.name] = names[0]
    conda_of = {py: name for name, py in owner.items()}
    nodes = {n.name: n for n in graph.nodes}

    def ident(record_name: str) -> Key:
        """A record's node: the Python distribution it is, else itself."""
        python = owner.get(record_name)
        if python is not None:
            return (python, installed[python].version)
        return (record_name, by_name[record_name].version)

    records_of: dict[Key, list[CondaRecord]] = {}
    for record in records:
        records_of.setdefault(ident(record.name), []).append(record)

    skipped: dict[tuple[str, str], Skipped] = {}  # (record, dependency) -> DL002

    def edges(key: Key, extras: frozenset[str]) -> Iterator[Edge]:
        for record in records_of[key]:
            for dep in record.depends:
                if dep in by_name:
                    yield Edge(ident(dep))
                else:  # not installed (a package removed after the solve)
                    detail = (
                        f"conda package {record.name} {record.version} requires {dep},"
                        " which is not installed"
                    )
                    skipped.setdefault(
                        (record.name, dep),
                        Skipped(dep, "", "resolve", "required-not-installed", detail),
                    )

    walk = Walk(edges)
    for node in graph.nodes:  # the Python graph reaches the conda packages it is
        name = conda_of.get(node.name)
        if name is not None:
            for scope in node.scopes:
                walk.add_root(ident(name), scope, path=node.path, direct=False)
    wanted = {d.lower() for d in declared}
    roots = sorted(r.name for r in records if r.requested or r.name in wanted)
    if not any(n in by_name for n in roots) and not walk.states:
        roots = sorted(by_name)
    for name in roots:
        if name in by_name:
            walk.add_root(ident(name), "runtime")
    states = walk.run()
    if include_all:
        for record in records:
            state = states.setdefault(ident(record.name), State())
            if not state.scopes:
                state.scopes.add(ENVIRONMENT_SCOPE)
                state.path = (ident(record.name)[0],)
    out: list[Node] = []
    dists: list[Distribution] = []
    evidence: list[tuple[str, Evidence]] = []
    for name in sorted(by_name):
        found = states.get(ident(name))
        if found is None:
            continue
        state = found
        record = by_name[name]
        if name in owner:
            python, version = ident(name)
            node = nodes.get(python) or Node(python, version, (), state.path, (), (), False)
            nodes[python] = replace(
                node,
                scopes=tuple(sorted({*node.scopes, *state.scopes}, key=scope_rank)),
                parents=tuple(sorted({*node.parents, *(p[0] for p in state.parents)} - {python})),
                requires=tuple(
                    sorted({*node.requires, *(c[0] for c in state.children)} - {python})
                ),
                direct=node.direct or state.direct,
                depends=tuple(sorted({*node.depends, *state.children} - {(python, version)})),
            )
            how = f" ({_MAPPING})" if name in mapped else ""
            evidence.append(
                (
                    python,
                    Evidence(
                        "conda-package",
                        record.file,
                        f"{record.name} {record.version} {record.build} ({record.channel})",
                        note=f"installed by conda as conda package {record.name}{how}; "
                        f"its recipe says license: {record.license or 'none'}",
                    ),
                )
            )
            continue
        out.append(walk_node(ident(name), state, ecosystem="conda"))
        dists.append(conda_distribution(record))
    python_nodes = sorted(nodes.values(), key=lambda n: n.name)
    return Graph(
        (*python_nodes, *out),
        graph.problems,
        skipped=(*graph.skipped, *(skipped[k] for k in sorted(skipped))),
        distributions=(*graph.distributions, *dists),
        evidence=(*graph.evidence, *evidence),
    )


def _names(keys: Iterable[Key]) -> set[str]:
    return {k[0] for k in keys}
