"""The options that decide the dependency graph, shared by ``scan`` and ``why``.

Both commands walk the same graph, so they take the same options with the same
meaning: the environment (``--python``, ``--path``, ``--conda-prefix``, ``--all``), the lock
(``--lock``, ``--no-lock``), the index (``--online``, ``--index-url``) and the
target (``--python-version``, ``--platform``, ``--all-targets``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = (
    click.option(
        "--python",
        "python",
        metavar="PATH",
        help="Interpreter of the environment to inspect (run only to ask for sys.path).",
    ),
    click.option(
        "--path",
        "paths",
        multiple=True,
        metavar="DIR",
        help="Scan the distributions installed in DIR instead (repeatable).",
    ),
    click.option(
        "--all",
        "include_all",
        is_flag=True,
        help="Scan every distribution of the environment, declared or not.",
    ),
    click.option(
        "--online",
        is_flag=True,
        help="Read metadata from the package index: of locked or declared packages that are "
        "not installed; with no lock and nothing installed, resolve the complete set (uv, pip).",
    ),
    click.option(
        "--index-url",
        metavar="URL",
        help="Simple API of the index for --online (default: pip's configuration, else PyPI).",
    ),
    click.option(
        "--lock",
        "lock",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Take the dependency graph from this lock file (default: the project's uv.lock, "
        "poetry.lock, pylock.toml, pdm.lock or Pipfile.lock).",
    ),
    click.option(
        "--no-lock", is_flag=True, help="Ignore lock files; resolve the installed packages."
    ),
    click.option(
        "--python-version",
        metavar="X.Y",
        help="Evaluate markers (and resolve) for this Python (default: the inspected one).",
    ),
    click.option(
        "--platform",
        type=click.Choice(["linux", "darwin", "win32"]),
        help="Evaluate markers (and resolve) for this platform (default: the inspected one).",
    ),
    click.option(
        "--conda-prefix",
        metavar="PATH",
        help="Conda or pixi environment to inspect: its conda-meta package records (the native "
        "packages) and its site-packages (default: .pixi/envs/*, env, .conda, $CONDA_PREFIX).",
    ),
    click.option(
        "--all-targets",
        is_flag=True,
        help="Every locked (or resolved) version, for every Python and platform.",
    ),
)


def graph_options(func: F) -> F:
    """Add the graph options to a click command (in the order of ``--help``)."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func
