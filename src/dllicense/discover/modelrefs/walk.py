"""The project's Python files and notebooks: found, read within bounds, parsed, searched
for loading calls; the findings about one dynamic name merged per file."""

from __future__ import annotations

import ast
import os
from dataclasses import replace
from pathlib import Path

from dllicense.discover.loaders import ProjectIndex
from dllicense.discover.modelrefs.calls import Finder
from dllicense.discover.modelrefs.notebooks import parse, units
from dllicense.discover.modelrefs.reference import ModelReference, SourceScan
from dllicense.models import Location, Problem
from dllicense.paths import reason
from dllicense.readfile import read_bounded

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 20_000
SKIP_DIRS = frozenset(
    {"node_modules", "site-packages", "dist-packages", "__pycache__", "venv", "env", "virtualenv"}
)


def _skipped_dir(path: Path, name: str) -> bool:
    # os.path.lexists: False (never PermissionError) inside a folder that cannot be read
    return name.startswith(".") or name in SKIP_DIRS or os.path.lexists(path / "pyvenv.cfg")


def source_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """Python files and notebooks of the project, sorted; virtualenvs and VCS folders skipped."""
    found: list[Path] = []
    problems: list[Problem] = []

    def failed(error: OSError) -> None:
        where = _relative(Path(error.filename or root), root)
        problems.append(Problem("DL061", f"{where}: cannot list folder ({error.strerror})"))

    for current, dirs, files in os.walk(root, onerror=failed):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(here / d, d))
        for name in sorted(files):
            path = here / name
            if name.endswith((".py", ".ipynb")) and not path.is_symlink():
                found.append(path)
        if len(found) > MAX_FILES:
            problems.append(
                Problem("DL061", f"more than {MAX_FILES} source files: the rest are not read")
            )
            return found[:MAX_FILES], problems
    return found, problems


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def scan_sources(root: Path) -> SourceScan:
    """Every model/dataset reference in the project's Python files and notebooks."""
    files, problems = source_files(root)
    references: list[ModelReference] = []
    read: list[str] = []
    parsed: list[tuple[Path, str, int, ast.Module]] = []
    for path in files:
        rel = _relative(path, root)
        try:
            data, size = read_bounded(path, MAX_FILE_BYTES)
        except OSError as error:
            problems.append(
                Problem("DL061", f"cannot read ({reason(error)})", location=Location(rel))
            )
            continue
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    "DL061",
                    f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, not read",
                    location=Location(rel),
                )
            )
            continue
        read.append(rel)
        for cell, source in units(rel, data, problems):
            tree = parse(rel, cell, source, problems)
            if tree is not None:
                parsed.append((path, rel, cell, tree))
    index = ProjectIndex()
    for _, rel, _, tree in parsed:
        index.add(rel, tree)
    index.prepare()
    for path, rel, cell, tree in parsed:
        finder = Finder(root, path, rel, cell, index)
        finder.run(tree)
        references += finder.references
        problems += finder.problems
    references.sort(key=lambda r: (r.location.file, r.location.line or 0, r.kind, r.name))
    problems.sort(key=lambda p: (p.location.file if p.location else "", _line(p), p.message))
    return SourceScan(tuple(references), tuple(_merged(problems)), tuple(read))


def _argument_part(message: str) -> str:
    """A DL060/DL062 message without the call's name: "(args.model): ... reason"."""
    return message.partition("(")[2]


def _merged(problems: list[Problem]) -> list[Problem]:
    """One DL060/DL062 per file and message: the same dynamic name loaded on several lines
    (``args.model`` in ten ``from_pretrained`` calls) is one finding listing its lines."""
    groups: dict[tuple[str, str, str], list[Problem]] = {}
    out: list[Problem] = []
    for problem in problems:
        if problem.code in ("DL060", "DL062") and problem.location is not None:
            key = (problem.code, problem.location.file, _argument_part(problem.message))
            if key in groups:
                groups[key].append(problem)
                continue
            groups[key] = [problem]
        out.append(problem)
    merged = []
    for problem in out:
        file = problem.location.file if problem.location else ""
        same = groups.get((problem.code, file, _argument_part(problem.message)), [problem])
        if len(same) > 1:
            lines = ", ".join(str(p.location.line) for p in same[1:] if p.location)
            message = f"{problem.message} (the same name is also loaded on lines {lines})"
            problem = replace(problem, message=message)
        merged.append(problem)
    return merged


def _line(problem: Problem) -> int:
    return (problem.location.line or 0) if problem.location else 0
