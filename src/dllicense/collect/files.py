"""Licence-related files of a distribution: found, bounded, hashed, never followed outside."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from dllicense.models import Distribution, Problem

FILE_LIMIT = 4 * 1024 * 1024  # bytes read from one licence file
_LICENSE_NAME = re.compile(
    r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|PATENTS|UNLICENSE)|\.LICEN[CS]E$", re.I
)  # "LICENSE.txt", "COPYING", and scancode's own "apache-2.0.LICENSE"
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
    inside the package folders (tensorflow keeps its LICENSE there). Paths are
    plain strings here: this runs once per distribution of environments with
    tens of thousands of them.
    """
    folder = dist.path
    problems: list[Problem] = []
    wanted: dict[str, str] = {}  # relative posix path -> absolute path
    for entry in dist.license_files:
        for rel in (f"licenses/{entry}", entry):
            path = contained(folder, rel)
            if path is not None and os.path.isfile(path):
                wanted[os.path.normpath(rel).replace(os.sep, "/")] = path
                break
        else:
            if contained(folder, entry) is None or contained(folder, f"licenses/{entry}") is None:
                message = f"License-File {entry!r} points outside the dist-info folder; ignored"
                problems.append(Problem("DL110", message, dist.name, dist.version))
            else:
                message = f"License-File {entry!r} is declared but missing"
                problems.append(Problem("DL111", message, dist.name, dist.version))
    try:
        with os.scandir(folder) as entries:
            top = sorted((e.name, e.is_dir(), e.is_file()) for e in entries)
    except OSError:
        top = []
    for name, is_dir, is_file in top:
        if is_dir and name == "licenses":
            for rel in _walk(folder, "licenses"):
                wanted.setdefault(rel, os.path.join(folder, rel))
        elif is_file and _LICENSE_NAME.search(name):
            wanted.setdefault(name, os.path.join(folder, name))
    from_record = not wanted
    if from_record:
        wanted = _from_record(folder)
    files = []
    for rel in sorted(wanted):
        depth = rel.count("/") if from_record else rel.removeprefix("licenses/").count("/")
        primary = (
            depth == (1 if from_record else 0)
            and not _THIRD_PARTY.search(rel)
            and bool(_LICENSE_LIKE.search(rel.rsplit("/", 1)[-1]))
        )
        item = _read(wanted[rel], rel, primary)
        if isinstance(item, str):
            problems.append(
                Problem("DL112", f"cannot read licence file {rel}: {item}", dist.name, dist.version)
            )
            continue
        if item.truncated:
            message = (
                f"licence file {rel} is {item.size} bytes; only the first {FILE_LIMIT} were read"
            )
            problems.append(Problem("DL113", message, dist.name, dist.version))
        files.append(item)
    return files, problems


def contained(folder: str, rel: str) -> str | None:
    """``folder/rel`` if it stays inside ``folder`` (``..``, absolute paths and symlinks that
    leave it give None); the lexical check is enough unless a symlink is on the way."""
    norm = os.path.normpath(rel)
    if os.path.isabs(norm) or norm == os.pardir or norm.startswith(os.pardir + os.sep):
        return None
    path = os.path.join(folder, norm)
    probe = folder
    for part in norm.split(os.sep):
        probe = os.path.join(probe, part)
        if os.path.islink(probe):
            base = os.path.realpath(folder)
            return path if os.path.realpath(path).startswith(base + os.sep) else None
    return path


def _walk(folder: str, sub: str) -> list[str]:
    """Files under ``folder/sub`` as sorted relative posix paths (``sub/...``), never
    following symlinked folders (no loops)."""
    out: list[str] = []
    todo = [sub]
    while todo:
        rel = todo.pop()
        try:
            with os.scandir(os.path.join(folder, rel)) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(f"{rel}/{entry.name}")
                    elif entry.is_file():
                        out.append(f"{rel}/{entry.name}")
        except OSError:
            continue
    return sorted(out)


def _from_record(folder: str) -> dict[str, str]:
    site = os.path.dirname(folder)
    try:
        with open(os.path.join(folder, "RECORD"), "rb") as handle:
            text = handle.read(FILE_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, str] = {}
    for line in text.splitlines():
        rel = line.split(",", 1)[0]
        pure = PurePosixPath(rel)
        if len(pure.parts) <= 3 and _LICENSE_NAME.search(pure.name):
            path = contained(site, rel)
            if path is not None and os.path.isfile(path):
                found[rel] = path
    return found


def _read(path: str, rel: str, primary: bool) -> LicenseFile | str:
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = handle.read(FILE_LIMIT)
    except OSError as exc:
        return exc.strerror or str(exc)
    return LicenseFile(
        relpath=rel,
        kind=file_kind(rel.rsplit("/", 1)[-1]),
        primary=primary,
        sha256=hashlib.sha256(data).hexdigest(),
        size=size,
        data=data,
        truncated=size > FILE_LIMIT,
    )
