"""The ``dllicense`` command line: thin click commands over ``pipeline`` and ``report``.

Only this package calls ``sys.exit``. Exit codes: 0 clean, 1 findings at or
above ``--fail-on``, 2 usage, configuration or I/O error (one line, no traceback).
"""

from __future__ import annotations

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="dllicense")
def main() -> None:
    """Licence and dependency compliance for Python projects that ship deep learning code."""


def _register() -> None:
    from dllicense.cli.cache import cache_group
    from dllicense.cli.diff import diff_command
    from dllicense.cli.explain import explain_command
    from dllicense.cli.init import init_command
    from dllicense.cli.models import models_command
    from dllicense.cli.scan import scan_command
    from dllicense.cli.why import why_command

    main.add_command(scan_command)
    main.add_command(explain_command)
    main.add_command(cache_group)
    main.add_command(init_command)
    main.add_command(models_command)
    main.add_command(why_command)
    main.add_command(diff_command)


_register()
