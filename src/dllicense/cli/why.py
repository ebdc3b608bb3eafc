"""``dllicense why PKG [PROJECT]``: every path from the project's roots to a package."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dllicense.cli import one_line_errors
from dllicense.cli.options import graph_options
from dllicense.sanitize import terminal, visible

if TYPE_CHECKING:
    from dllicense.baseline import Report


@click.command("why")
@click.argument("package")
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@graph_options
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["runtime", "extras", "groups", "all"]),
    help="Declared scopes to follow (repeatable; default: all).",
)
@click.option("--policy", metavar="NAME|PATH", help="Built-in policy name or a policy file.")
@click.option(
    "--from",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the graph from a --format json report instead of scanning.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1), help="Most paths.")
@click.option("--debug", is_flag=True, hidden=True)
@one_line_errors
def why_command(
    package: str,
    project: Path,
    python: str | None,
    paths: tuple[str, ...],
    include_all: bool,
    online: bool,
    index_url: str | None,
    lock: Path | None,
    no_lock: bool,
    python_version: str | None,
    platform: str | None,
    all_targets: bool,
    conda_prefix: str | None,
    scopes: tuple[str, ...],
    policy: str | None,
    report: Path | None,
    fmt: str,
    limit: int,
    debug: bool,
) -> None:
    """Show every path from PROJECT's declared dependencies to PACKAGE, with scopes.

    The graph is the one 'dllicense scan' walks with the same options (environment, lock,
    --online resolution, target).

    Exit code 0 when PACKAGE is in the graph, 1 when it is not.
    """
    from packaging.utils import canonicalize_name

    from dllicense.baseline import load_report, report_of
    from dllicense.report.why import render
    from dllicense.resolve.why import why

    if report is not None:
        graph = load_report(report, "--from")
    else:
        from dllicense.pipeline import ScanOptions, scan

        options = ScanOptions(
            project=project,
            python=python,
            paths=paths,
            include_all=include_all,
            scopes=scopes or ("all",),
            policy=policy,
            texts="none",
            online=online,
            index_url=index_url,
            lock=lock,
            no_lock=no_lock,
            python_version=python_version,
            platform=platform,
            all_targets=all_targets,
            conda_prefix=conda_prefix,
            holders=False,  # why shows paths, never copyright holders
        )
        graph = report_of(scan(options))
    name = canonicalize_name(package)
    answer = why(name, (p.node for p in graph.packages), dict(graph.declared_scopes), limit)
    if answer is None:
        click.echo(visible(f"dllicense: {_absent(name, graph)}"), err=True)
        sys.exit(1)
    click.echo(terminal(render(graph.project, answer, fmt)), nl=False)


def _absent(name: str, graph: Report) -> str:
    """Why ``name`` has no path: not in the graph, and, when the project declares it, where and
    what the scan said of it (LLaVA's ``deepspeed``, in extra ``train``, not installed)."""
    scopes = dict(graph.declared_scopes).get(name)
    if not scopes:
        return f"{name} is not in the dependency graph of {graph.project}"
    said = next((f.message for f in graph.findings if f.package == name), "")
    return (
        f"{name} is declared ({', '.join(scopes)}) but not in the dependency graph of "
        f"{graph.project}" + (f": {said}" if said else "")
    )
