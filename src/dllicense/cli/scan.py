"""``dllicense scan``: scan a project and its environment, render reports, set the exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dllicense.cli import one_line_errors
from dllicense.errors import UsageError

FAIL_ON = {"error": 2, "warning": 1, "info": 0}


@click.command("scan")
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--python",
    "python",
    metavar="PATH",
    help="Interpreter of the environment to inspect (run only to ask for sys.path).",
)
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="DIR",
    help="Scan the distributions installed in DIR instead (repeatable).",
)
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Scan every distribution of the environment, declared or not.",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["runtime", "extras", "groups", "all"]),
    help="Which declared scopes to check (repeatable; default: the policy's, runtime).",
)
@click.option(
    "--warn", "warn", multiple=True, metavar="CODE", help="Report rule CODE as a warning."
)
@click.option("--deny", "deny", multiple=True, metavar="CODE", help="Report rule CODE as an error.")
@click.option("--policy", metavar="NAME|PATH", help="Built-in policy name or a policy file.")
@click.option(
    "--format",
    "formats",
    default="table",
    show_default=True,
    metavar="FMT[,FMT]",
    help="Output formats, comma-separated: table, json, html, markdown, csv, notice, sarif, "
    "cyclonedx, spdx.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (one format) or directory (several formats).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes exit code 1.",
)
@click.option("--exit-zero", is_flag=True, help="Always exit 0 unless the scan itself failed.")
@click.option(
    "--texts",
    type=click.Choice(["none", "primary", "all"]),
    default="primary",
    show_default=True,
    help="Licence texts to identify: none, the package's own (primary), or all files.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where identified licence texts are cached.",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the text cache.")
@click.option("--color/--no-color", default=None, help="Colour the table (default: on a terminal).")
@click.option("--debug", is_flag=True, hidden=True)
@one_line_errors
def scan_command(
    project: Path,
    python: str | None,
    paths: tuple[str, ...],
    include_all: bool,
    scopes: tuple[str, ...],
    warn: tuple[str, ...],
    deny: tuple[str, ...],
    policy: str | None,
    formats: str,
    output: Path | None,
    fail_on: str,
    exit_zero: bool,
    texts: str,
    cache_dir: Path | None,
    no_cache: bool,
    color: bool | None,
    debug: bool,
) -> None:
    """Scan PROJECT (default: the current directory) and its installed dependencies."""
    from dllicense.pipeline import ScanOptions, scan
    from dllicense.report import FORMATS

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise UsageError(
            f"unknown format {unknown[0] if unknown else formats!r}; "
            f"choose from {', '.join(FORMATS)}"
        )
    result = scan(
        ScanOptions(
            project=project,
            python=python,
            paths=paths,
            include_all=include_all,
            scopes=scopes,
            severity=_severity_overrides(warn, deny),
            policy=policy,
            texts=texts,
            cache_dir=cache_dir,
            use_cache=not no_cache,
        )
    )
    _write(result, wanted, output, color)
    if exit_zero or fail_on == "never":
        sys.exit(0)
    threshold = FAIL_ON[fail_on]
    sys.exit(1 if any(f.severity.rank >= threshold for f in result.findings) else 0)


def _severity_overrides(
    warn: tuple[str, ...], deny: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    from dllicense.policy.codes import rules

    out = []
    for level, codes in (("warning", warn), ("error", deny)):
        for code in codes:
            if code.upper() not in rules():
                raise UsageError(
                    f"--{'warn' if level == 'warning' else 'deny'} {code}: unknown rule code"
                )
            out.append((code.upper(), level))
    return tuple(out)


def _write(result: object, formats: list[str], output: Path | None, color: bool | None) -> None:
    from dllicense.report import render

    suffix = {
        "table": "txt",
        "json": "json",
        "html": "html",
        "markdown": "md",
        "csv": "csv",
        "notice": "THIRD_PARTY_NOTICES.txt",
        "sarif": "sarif",
        "cyclonedx": "cdx.json",
        "spdx": "spdx.json",
    }
    if output is None:
        for fmt in formats:
            use_color = sys.stdout.isatty() if color is None else color
            click.echo(render(result, fmt, color=use_color and fmt == "table"), nl=False)  # type: ignore[arg-type]
        return
    if len(formats) == 1 and not output.is_dir():
        _save(output, render(result, formats[0]))  # type: ignore[arg-type]
        return
    output.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        _save(output / f"dllicense.{suffix.get(fmt, fmt)}", render(result, fmt))  # type: ignore[arg-type]


def _save(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
