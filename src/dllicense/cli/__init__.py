"""The ``dllicense`` command line: thin click commands over ``pipeline`` and ``report``.

Only this package calls ``sys.exit``. Exit codes: 0 clean, 1 findings at or
above ``--fail-on``, 2 usage, configuration or I/O error (one line, no traceback).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from dllicense import __version__
from dllicense.errors import DllicenseError
from dllicense.sanitize import visible

F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(func: F) -> F:
    """Turn ``DllicenseError`` (and unexpected crashes) into one line per error and exit
    code 2 (a policy file with three errors gives three lines)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DllicenseError as exc:
            for line in str(exc).splitlines() or [""]:
                click.echo(visible(f"dllicense: error: {line}"), err=True)
            sys.exit(2)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:  # an input the scan cannot reach (a folder it may not enter)
            if "--debug" in sys.argv:
                raise
            name = os.path.basename(os.fsdecode(exc.filename)) if exc.filename else ""
            reason = exc.strerror or type(exc).__name__
            click.echo(visible(f"dllicense: error: {name}: {reason}".replace(" : ", " ")), err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: still one line, the traceback with --debug
            if "--debug" in sys.argv:
                raise
            click.echo(
                visible(
                    f"dllicense: internal error: {type(exc).__name__}: {exc} "
                    "(run with --debug for the traceback)"
                ),
                err=True,
            )
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


# Each subcommand's module, imported only when that command runs or help lists it
# (click's "lazily loading subcommands" pattern): a scan does not import the modules
# of diff, models, why... (measured: ~10 ms of a 0.4 s metadata scan).
_COMMANDS = {
    "scan": ("dllicense.cli.scan", "scan_command"),
    "explain": ("dllicense.cli.explain", "explain_command"),
    "cache": ("dllicense.cli.cache", "cache_group"),
    "init": ("dllicense.cli.init", "init_command"),
    "models": ("dllicense.cli.models", "models_command"),
    "why": ("dllicense.cli.why", "why_command"),
    "diff": ("dllicense.cli.diff", "diff_command"),
}


class _LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="dllicense")
def main() -> None:
    """Licence and dependency compliance for Python projects that ship deep learning code."""


def run() -> None:
    """The console entry point (and ``python -m dllicense``): ``main``, then a quick exit.

    Tearing the interpreter down (freeing every module and every object of the scan) took
    25-30 ms of a 0.35 s metadata scan (bench/RESULTS.md). Once the command is done, the
    exit handlers run (``atexit``: the index cache's temporary folder, logging), the
    streams are flushed and the process ends with ``os._exit``. A thread still running,
    or an exit that is not a plain code, takes the normal way out.
    """
    try:
        main()
        code: str | int | None = 0
    except SystemExit as done:
        code = 0 if done.code is None else done.code
    import atexit
    import threading

    run_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's own, since 3.0
    if not isinstance(code, int) or threading.active_count() > 1 or run_handlers is None:
        sys.exit(code)
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or broken pipe: nothing to flush
            stream.flush()
    os._exit(code)
