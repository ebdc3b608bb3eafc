"""``dllicense cache info|clear``: the cache of identified licence texts."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dllicense.cli import one_line_errors

_CACHE_DIR = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Cache folder (default: the user's cache directory).",
)


@click.group("cache")
def cache_group() -> None:
    """Inspect or clear the cache of identified licence texts."""


@cache_group.command("info")
@_CACHE_DIR
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@one_line_errors
def cache_info_command(cache_dir: Path | None, fmt: str) -> None:
    """Where the cache is, how many texts it holds, its size."""
    from dllicense.licenses.textcache import cache_info

    info = cache_info(cache_dir)
    if fmt == "json":
        click.echo(json.dumps(info, indent=2, sort_keys=True))
    else:
        for key in sorted(info):
            click.echo(f"{key}: {info[key]}")


@cache_group.command("clear")
@_CACHE_DIR
@one_line_errors
def cache_clear_command(cache_dir: Path | None) -> None:
    """Delete every cached identification and every cached scan result."""
    from dllicense import resultcache
    from dllicense.licenses.textcache import cache_clear

    click.echo(f"removed {cache_clear(cache_dir)} cached identifications")
    click.echo(f"removed {resultcache.clear(cache_dir)} cached scan results")
