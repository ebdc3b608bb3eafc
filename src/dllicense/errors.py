"""One error tree. The CLI maps every ``DllicenseError`` to exit code 2 and one line."""

from __future__ import annotations


class DllicenseError(Exception):
    """Base of every error the user should see as one line (exit code 2)."""


class UsageError(DllicenseError):
    """Bad command-line input."""


class ConfigError(DllicenseError):
    """A policy or configuration file is invalid; the message names file and line."""


class InputError(DllicenseError):
    """The project or environment cannot be read at all."""
