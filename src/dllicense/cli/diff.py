"""``dllicense diff OLD NEW``: what changed between two JSON reports, licence changes first."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dllicense.cli import one_line_errors
from dllicense.errors import UsageError
from dllicense.sanitize import terminal

_REPORT = click.Path(dir_okay=False, path_type=Path)


@click.command("diff")
@click.argument("old", type=_REPORT)
@click.argument("new", type=_REPORT)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when licences changed.")
@click.option("--debug", is_flag=True, hidden=True)
@one_line_errors
def diff_command(
    old: Path, new: Path, fmt: str, output: Path | None, exit_zero: bool, debug: bool
) -> None:
    """Packages added, removed, upgraded and every licence change (DL210) from OLD to NEW.

    OLD and NEW are `dllicense scan --format json` reports. Exit code 1 when a
    licence changed (a DL210 finding), else 0; 2 when a report cannot be read.
    """
    from dllicense.baseline import diff_reports, load_report
    from dllicense.report.diff import render

    diff = diff_reports(load_report(old, ""), load_report(new, ""))
    text = render(diff, fmt)
    if output is None:
        click.echo(terminal(text) if sys.stdout.isatty() else text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror}") from exc
    sys.exit(1 if diff.license_changes and not exit_zero else 0)
