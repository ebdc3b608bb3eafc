"""Resolving paths of scanned trees without crashing on symlink loops.

``Path.resolve`` raises ``RuntimeError`` on a symlink loop (Python 3.11;
``OSError`` from 3.13): here both are an ``OSError`` (``ELOOP``) that the
readers already turn into their finding. Paths in messages are relative to the
project or environment (``relative``), never machine paths.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/dllicense`` or ``~/.cache/dllicense``: the folder of every cache
    (licence texts, scan results, index answers, Hub files) unless ``--cache-dir`` names one."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "dllicense"


def resolve(path: Path) -> Path:
    """``path.resolve()``; a symlink loop is an ``OSError`` (``ELOOP``)."""
    try:
        return path.resolve()
    except RuntimeError as exc:  # Python < 3.13: "Symlink loop from ..."
        raise OSError(errno.ELOOP, "symbolic link loop", path.name) from exc


def inside(path: Path, root: Path) -> str | None:
    """``path`` (symlinks followed) relative to ``root`` as POSIX, or None when it leads
    outside ``root`` or cannot be resolved."""
    try:
        return resolve(path).relative_to(resolve(root)).as_posix()
    except (OSError, ValueError):
        return None


def relative(path: str | os.PathLike[str], root: Path) -> str:
    """``path`` relative to ``root`` when under it (lexically), else its last part."""
    given = Path(path)
    try:
        return given.relative_to(root).as_posix() or "."
    except ValueError:
        return given.name


def reason(exc: BaseException) -> str:
    """An error's reason without the file names ``str(OSError)`` carries."""
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)
