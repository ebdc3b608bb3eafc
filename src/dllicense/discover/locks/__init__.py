"""Lock files, read without re-resolving: uv, poetry, PEP 751 pylock, pdm, pipenv, pinned
requirements; conda's: pixi.lock, conda-lock.yml, ``@EXPLICIT`` files. ``find_lock`` picks
the file, ``read_lock`` returns its ``Lock``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dllicense.discover.project import requirement_files
from dllicense.errors import UsageError
from dllicense.paths import inside

if TYPE_CHECKING:
    from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage, Root

_MODEL = ("Lock", "LockedDependency", "LockedPackage", "Root")


def __getattr__(name: str) -> Any:
    """The lock model's types, imported on first use: a scan without a lock (its markers
    module is this package's) does not pay for their dataclasses (~4 ms)."""
    if name in _MODEL:
        from dllicense.discover.locks import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LOCK_FILES",
    "Lock",
    "LockedDependency",
    "LockedPackage",
    "Root",
    "find_lock",
    "read_lock",
]

Reader = Callable[[Path, str, Path], "Lock"]


def _reader(module: str, function: str) -> Reader:
    """A reader imported when a lock of its kind is read: the modules of all of them cost
    every scan ~25 ms at start-up (``resolve`` imports ``locks.markers``, this package)."""

    def read(path: Path, label: str, root: Path) -> Lock:
        found: Reader = getattr(import_module(f"{__name__}.{module}"), function)
        return found(path, label, root)

    return read


read_uv = _reader("uv", "read_uv")
read_poetry = _reader("poetry", "read_poetry")
read_pylock = _reader("pylock", "read_pylock")
read_pdm = _reader("pdm", "read_pdm")
read_pipfile_lock = _reader("pipfile", "read_pipfile_lock")
read_pixi = _reader("conda", "read_pixi")
read_conda_lock = _reader("conda", "read_conda_lock")
read_explicit = _reader("conda", "read_explicit")
read_pinned = _reader("pinned", "read_pinned")


def is_explicit(path: Path) -> bool:
    """Whether ``path`` is a conda ``@EXPLICIT`` file (``locks.conda``)."""
    from dllicense.discover.locks.conda import is_explicit as explicit

    return explicit(path)


def is_pinned_file(path: Path) -> bool:
    """Whether every requirement of ``path`` is pinned (``locks.pinned``)."""
    from dllicense.discover.locks.pinned import is_pinned_file as pinned

    return pinned(path)


# In order of precedence when several are present.
LOCK_FILES: tuple[tuple[str, Reader], ...] = (
    ("uv.lock", read_uv),
    ("poetry.lock", read_poetry),
    ("pylock.toml", read_pylock),
    ("pdm.lock", read_pdm),
    ("Pipfile.lock", read_pipfile_lock),
    ("pixi.lock", read_pixi),
    ("conda-lock.yml", read_conda_lock),
)
# conda-lock's rendered explicit files and conda's ``conda list --explicit`` output
_EXPLICIT = re.compile(r"^(conda-[a-z0-9]+-[a-z0-9_]+\.lock|.*explicit.*\.txt|spec-file\.txt)$")
_PYLOCK = re.compile(r"^pylock\.[^.]+\.toml$")


def find_lock(root: Path, given: Path | None = None, pinned: bool = False) -> list[Path]:
    """The lock to use: ``given`` (``--lock``), else the first known lock file in ``root``.

    ``pinned``: with no lock file, fully pinned requirements files count as the lock
    (all of them, one scope each). Returns ``[]`` when there is none.
    """
    if given is not None:
        path = given if given.is_absolute() or given.exists() else root / given
        if not path.is_file():
            raise UsageError(f"--lock {given}: no such file")
        return [path]
    for name, _ in LOCK_FILES:
        if (root / name).is_file():
            return [root / name]
    explicit = _explicit_files(root)
    if explicit:
        return explicit[:1]
    if pinned:
        return [p for p in requirement_files(root) if is_pinned_file(p)]
    return []


def read_lock(path: Path, root: Path) -> Lock:
    """Read one lock file; the format is told by its name (else: a pinned requirements file)."""
    label = _label(path, root)
    name = path.name
    if _PYLOCK.match(name):
        return read_pylock(path, label, root)
    for known, reader in LOCK_FILES:
        if name == known or name.endswith(known):
            return reader(path, label, root)
    if name.endswith(".lock") and "poetry" in name:
        return read_poetry(path, label, root)
    if name.endswith("conda-lock.yml") or name.endswith("conda-lock.yaml"):
        return read_conda_lock(path, label, root)
    if is_explicit(path):
        return read_explicit(path, label, root)
    return read_pinned(path, label, root)


def _explicit_files(root: Path) -> list[Path]:
    """``@EXPLICIT`` spec files at the project root, by name, then content."""
    try:
        names = sorted(p.name for p in root.iterdir() if _EXPLICIT.match(p.name))
    except OSError:
        return []
    return [root / n for n in names if (root / n).is_file() and is_explicit(root / n)]


def _label(path: Path, root: Path) -> str:
    return inside(path, root) or path.name
