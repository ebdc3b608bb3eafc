"""Licence-related files of a distribution: found, bounded, hashed, never followed outside."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dllicense.models import Distribution, Problem

FILE_LIMIT = 4 * 1024 * 1024  # bytes read from one licence file
_LICENSE_NAME = re.compile(r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|PATENTS|UNLICENSE)", re.I)
_LICENSE_LIKE = re.compile(r"licen[cs]e|copying|copyright|notice|patents", re.I)
_THIRD_PARTY = re.compile(r"third[_-]?party|vendor|_vendor|externals?/|deps/", re.I)


@dataclass(frozen=True)
class LicenseFile:
    """A licence, notice or patents file with its content hash."""

    relpath: str  # relative to the dist-info folder (or to site-packages for package files)
    kind: str  # license-file, notice-file, patents-file
    primary: bool  # the package's own licence rather than a bundled third party's
    sha256: str
    size: int
    data: bytes  # at most FILE_LIMIT bytes
    truncated: bool

    @property
    def evidence_kind(self) -> str:
        """``third-party-file`` for bundled licences, else the file's own kind."""
        return "third-party-file" if self.kind == "license-file" and not self.primary else self.kind


def file_kind(name: str) -> str:
    upper = name.upper()
    if upper.startswith("NOTICE"):
        return "notice-file"
    if upper.startswith("PATENTS"):
        return "patents-file"
    return "license-file"


def find_license_files(dist: Distribution) -> tuple[list[LicenseFile], list[Problem]]:
    """``License-File`` entries, ``licenses/**`` and ``LICENSE*``-like files of the dist-info.

    When the dist-info holds none, ``RECORD`` is searched for licence files
    inside the package folders (tensorflow keeps its LICENSE there).
    """
    folder = Path(dist.path)
    real = os.path.realpath(folder)
    problems: list[Problem] = []
    wanted: dict[str, Path] = {}
    for entry in dist.license_files:
        for candidate in (folder / "licenses" / entry, folder / entry):
            if _inside(candidate, real) and candidate.is_file():
                wanted[candidate.relative_to(folder).as_posix()] = candidate
                break
        else:
            if not _inside(folder / entry, real):
                problems.append(
                    Problem(
                        "DL110",
                        f"License-File {entry!r} points outside the dist-info folder; ignored",
                        dist.name,
                        dist.version,
                    )
                )
            else:
                problems.append(
                    Problem(
                        "DL111",
                        f"License-File {entry!r} is declared but missing",
                        dist.name,
                        dist.version,
                    )
                )
    try:
        with os.scandir(folder) as entries:
            top = sorted((e.name, e.is_dir(), e.is_file()) for e in entries)
    except OSError:
        top = []
    for name, is_dir, is_file in top:
        if is_dir and name == "licenses":
            for path in _walk(folder / "licenses"):
                wanted.setdefault(path.relative_to(folder).as_posix(), path)
        elif is_file and _LICENSE_NAME.match(name):
            wanted.setdefault(name, folder / name)
    from_record = not wanted
    if from_record:
        wanted = _from_record(folder)
    files = []
    for rel in sorted(wanted):
        depth = rel.count("/") if from_record else rel.removeprefix("licenses/").count("/")
        primary = (
            depth == (1 if from_record else 0)
            and not _THIRD_PARTY.search(rel)
            and bool(_LICENSE_LIKE.search(PurePosixPath(rel).name))
        )
        item = _read(wanted[rel], rel, primary)
        if isinstance(item, str):
            problems.append(
                Problem("DL112", f"cannot read licence file {rel}: {item}", dist.name, dist.version)
            )
            continue
        if item.truncated:
            problems.append(
                Problem(
                    "DL113",
                    f"licence file {rel} is {item.size} bytes; only the first "
                    f"{FILE_LIMIT} were read",
                    dist.name,
                    dist.version,
                )
            )
        files.append(item)
    return files, problems


def _inside(path: Path, real_folder: str) -> bool:
    """Does ``path`` (symlinks resolved) stay inside the folder whose realpath is given?"""
    try:
        target = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return target == real_folder or target.startswith(real_folder + os.sep)


def _walk(root: Path) -> list[Path]:
    """Files under ``root``, sorted, without following symlinked folders (no loops)."""
    out: list[Path] = []
    if not root.is_dir():
        return out
    for base, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        out.extend(Path(base) / n for n in sorted(names) if (Path(base) / n).is_file())
    return out


def _from_record(folder: Path) -> dict[str, Path]:
    site = folder.parent
    try:
        with (folder / "RECORD").open("rb") as handle:
            text = handle.read(FILE_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, Path] = {}
    for line in text.splitlines():
        rel = line.split(",", 1)[0]
        pure = PurePosixPath(rel)
        if len(pure.parts) <= 3 and _LICENSE_NAME.match(pure.name) and ".." not in pure.parts:
            path = site / rel
            if _inside(path, os.path.realpath(site)) and path.is_file():
                found[rel] = path
    return found


def _read(path: Path, rel: str, primary: bool) -> LicenseFile | str:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            data = handle.read(FILE_LIMIT)
    except OSError as exc:
        return exc.strerror or str(exc)
    return LicenseFile(
        relpath=rel,
        kind=file_kind(PurePosixPath(rel).name),
        primary=primary,
        sha256=hashlib.sha256(data).hexdigest(),
        size=size,
        data=data,
        truncated=size > FILE_LIMIT,
    )
