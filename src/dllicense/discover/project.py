"""What a project declares: ``pyproject.toml``, ``setup.py``/``setup.cfg`` and
``requirements*.txt``."""

from __future__ import annotations

import os
from pathlib import Path

from dllicense.discover.pyproject import PEP621_FIELDS, read_pyproject
from dllicense.discover.requirements import read_requirements, scope_for
from dllicense.discover.setuptools_files import read_setup_files
from dllicense.journal import note_folder
from dllicense.models import Declared, Problem, Project
from dllicense.paths import resolve


def requirement_files(root: Path) -> list[Path]:
    """``requirements*.txt`` / ``*requirements.txt`` at the top and ``requirements/*.txt``."""
    found = {p for p in root.glob("*requirements*.txt") if p.is_file()}
    note_folder(root)  # listed: a file added or removed changes it (result cache)
    folder = root / "requirements"
    if folder.is_dir():
        found.update(p for p in folder.glob("*.txt") if p.is_file())
        note_folder(folder)
    return sorted(found)


def discover_project(root: Path) -> Project:
    """Read every dependency declaration of the project at ``root`` (never runs its code)."""
    declared: list[Declared] = []
    problems: list[Problem] = []
    sources: list[str] = []
    name = ""
    pyproject = root / "pyproject.toml"
    static: frozenset[str] = frozenset()
    if os.path.lexists(pyproject):  # a FIFO, a device or a loop is a finding, not skipped
        name, more, more_problems, static = read_pyproject(pyproject, "pyproject.toml")
        declared += more
        problems += more_problems
        sources.append("pyproject.toml")
    requirements = requirement_files(root)
    if static != PEP621_FIELDS:  # setup.py / setup.cfg may declare what pyproject does not
        runtime = frozenset(
            p.relative_to(root).as_posix() for p in requirements if scope_for(p) == "runtime"
        )
        setup_name, more, more_problems, files = read_setup_files(root, static, runtime)
        name = name or setup_name
        declared += more
        problems += more_problems
        sources += files
    for path in requirements:
        more, more_problems, files = read_requirements(path, root)
        declared += more
        problems += more_problems
        sources += files
    from dllicense.discover.ecosystems import pip_declared

    more, files = pip_declared(root)  # environment.yml's pip: list
    declared += more
    sources += files
    unique = {(d.scope, d.raw, d.location.file, d.location.line): d for d in declared}
    return Project(
        name=name or _folder_name(root),
        declared=tuple(unique[k] for k in sorted(unique, key=_key)),
        sources=tuple(sorted(set(sources))),
        problems=tuple(dict.fromkeys(problems)),
        repository_prefix=repository_prefix(root),
    )


def _folder_name(root: Path) -> str:
    try:
        return resolve(root).name
    except OSError:
        return root.absolute().name


def repository_prefix(root: Path) -> str:
    """The project's folder relative to the repository that holds it (``"sub/dir/"``), or ""
    at a repository's root or outside any. Found by looking upwards for ``.git`` (a folder,
    or a file in worktrees and submodules) or ``.hg``; no version-control tool is run."""
    try:
        here = resolve(root)
        for folder in (here, *here.parents):
            if (folder / ".git").exists() or (folder / ".hg").is_dir():
                relative = here.relative_to(folder).as_posix()
                return "" if relative == "." else f"{relative}/"
    except OSError:
        pass
    return ""


def _key(k: tuple[str, str, str, int | None]) -> tuple[str, str, str, int]:
    return (k[0], k[2], k[1], k[3] or 0)
