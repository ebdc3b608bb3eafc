"""``dllicense init``: a starter policy that extends a built-in one."""

from __future__ import annotations

from pathlib import Path

import click

from dllicense.cli import one_line_errors
from dllicense.errors import UsageError
from dllicense.resources import package_text


@click.command("init")
@click.argument(
    "project", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--extends", "base", default="default", show_default=True, help="Built-in policy to start from."
)
@click.option("--write", is_flag=True, help="Create PROJECT/dllicense.toml instead of printing.")
@one_line_errors
def init_command(project: Path, base: str, write: bool) -> None:
    """Print (or --write) a starter dllicense.toml extending a built-in policy."""

    from dllicense import config
    from dllicense.config.policy import builtin_names

    names = builtin_names()
    if base not in names:
        raise UsageError(
            f"--extends {base}: unknown built-in policy; choose from {', '.join(names)}"
        )
    template = package_text(config.__file__, "starter.toml")
    text = template.format(extends=base, builtins=", ".join(names))
    if not write:
        click.echo(text, nl=False)
        return
    target = project / "dllicense.toml"
    if target.exists():
        raise UsageError(f"{target} exists; not overwriting it")
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}")
