"""Licence-related files of a distribution: found, bounded, hashed, never followed outside."""

from __future__ import annotations

import hashlib
import os
import re
from typing import Literal

from packaging.version import InvalidVersion, Version

from dllicense.models import Distribution, EvidenceKind, Problem
from dllicense.readfile import read_bounded
from dllicense.records import frozen

FILE_LIMIT = 4 * 1024 * 1024  # bytes read from one licence file
_LICENSE_NAME = re.compile(
    r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|PATENTS|UNLICENSE)|\.LICEN[CS]E$", re.I
)  # "LICENSE.txt", "COPYING", and scancode's own "apache-2.0.LICENSE"
_LICENSE_LIKE = re.compile(r"licen[cs]e|copying|copyright|notice|patents", re.I)
# "LICENSE.external": fonttools 4.59.0's licences of the fonts it bundles for its tests
_THIRD_PARTY = re.compile(
    r"third[_-]?party|vendor|_vendor|externals?/|[._-]externals?(?:\.\w+)?$|deps/", re.I
)


@frozen
class LicenseFile:
    """A licence, notice or patents file with its content hash."""

    relpath: str  # relative to the dist-info folder (or to site-packages for package files)
    kind: Literal["license-file", "notice-file", "patents-file"]
    primary: bool  # the package's own licence rather than a bundled third party's
    sha256: str
    size: int
    data: bytes  # at most FILE_LIMIT bytes
    truncated: bool

    @property
    def evidence_kind(self) -> EvidenceKind:
        """``third-party-file`` for bundled licences, else the file's own kind."""
        return "third-party-file" if self.kind == "license-file" and not self.primary else self.kind


def file_kind(name: str) -> Literal["license-file", "notice-file", "patents-file"]:
    upper = name.upper()
    if upper.startswith("NOTICE"):
        return "notice-file"
    if upper.startswith("PATENTS"):
        return "patents-file"
    return "license-file"


Listing = list[tuple[str, bool, bool, bool]]  # (name, folder?, file?, symlink?), sorted


def list_folder(folder: str) -> Listing:
    """The entries of one folder (kinds follow symlinks), sorted by name; [] if unreadable."""
    try:
        with os.scandir(folder) as entries:
            return sorted((e.name, e.is_dir(), e.is_file(), e.is_symlink()) for e in entries)
    except OSError:
        return []


# Files named after a licence ("LGPL.txt") found through RECORD when the metadata is vague
# (compiled by re on first use: 4 ms, and a --texts none scan never opens RECORD).
_NAMED_LICENCE = r"^(?:(?:L|A)?GPL|LGPL|COPYING|LICEN[CS]E)[\w.+-]*$"
RECORD_DEPTH = 3  # parts of a RECORD path for a package's licence file (pkg/sub/LICENSE)
VAGUE_RECORD_DEPTH = 4  # deeper when dist-info has only vague evidence (pygame/docs/generated)


def find_license_files(
    dist: Distribution,
    top: Listing | None = None,
    vague: bool = False,
    *,
    record: bool = True,
    texts: dict[str, bytes] | None = None,
) -> tuple[list[LicenseFile], list[Problem]]:
    """``License-File`` entries, ``licenses/**`` and ``LICENSE*``-like files of the dist-info.

    ``top`` is the dist-info's ``list_folder`` when the caller has it already.
    ``License-File`` entries are looked up in the listings, so the common case
    costs no ``stat``; symlinks are followed only when they stay inside the
    folder. When the dist-info holds none, ``RECORD`` is searched for licence
    files inside the package folders (tensorflow keeps its LICENSE there), unless
    ``record`` is False (``--texts none``: those files would not be read).
    Paths are plain strings here: this runs once per distribution of
    environments with tens of thousands of them. ``texts`` (sha256 -> bytes, shared by
    the caller over many distributions) makes equal texts one bytes object.
    """
    folder = dist.path
    problems: list[Problem] = []
    # every file of the dist-info's top and licenses/** (relative; joined to the folder only
    # when wanted: METADATA, RECORD, WHEEL... of every distribution never are)
    listed: set[str] = set()
    plain: set[str] = set()  # listed as regular files, not symlinks: read with no stat first
    candidates: list[str] = []  # licence-like ones among them, in listing order
    for name, is_dir, is_file, is_link in list_folder(folder) if top is None else top:
        if is_link and contained(folder, name) is None:
            continue
        if is_dir and name == "licenses":
            for rel in _walk(folder, "licenses", plain):
                listed.add(rel)
                candidates.append(rel)
        elif is_file:
            listed.add(name)
            if not is_link:
                plain.add(name)
            if _LICENSE_NAME.search(name):
                candidates.append(name)
    wanted: dict[str, str] = {}  # relative posix path -> absolute path
    for entry in dist.license_files:
        norm = os.path.normpath(entry).replace(os.sep, "/")
        # wheel before 0.41 copied License-File entries to the dist-info top by base name
        for rel in (f"licenses/{norm}", norm, norm.rsplit("/", 1)[-1]):
            found = os.path.join(folder, rel) if rel in listed else _nested(folder, rel)
            if found:
                wanted[rel] = found
                break
        else:
            leaves = contained(folder, entry) is None
            leaves = leaves or contained(folder, f"licenses/{entry}") is None
            if leaves and _pep639(dist.metadata_version):
                message = f"License-File {entry!r} points outside the dist-info folder; ignored"
                problems.append(Problem("DL110", message, dist.name, dist.version))
            elif dist.files_read:  # not fetched from the index is not missing
                message = f"License-File {entry!r} is declared but missing"
                problems.append(Problem("DL111", message, dist.name, dist.version))
    for rel in candidates:
        if rel not in wanted:
            wanted[rel] = os.path.join(folder, rel)
    from_record = not wanted and record
    if from_record:
        wanted = _from_record(folder, vague)
    files = []
    for rel in sorted(wanted):
        depth = rel.count("/") if from_record else rel.removeprefix("licenses/").count("/")
        primary = ((depth == 1 or (vague and from_record)) if from_record else depth == 0) and (
            not _THIRD_PARTY.search(rel)
            and bool(_LICENSE_LIKE.search(rel.rsplit("/", 1)[-1]) or (vague and from_record))
        )
        # a listed name is folder/name here (RECORD's names are relative to site-packages)
        item = _read(wanted[rel], rel, primary, not from_record and rel in plain, texts)
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


def _pep639(metadata_version: str) -> bool:
    """Metadata 2.4 or later: ``License-File`` is PEP 639's path under ``licenses/``, where ``..``
    is invalid. Before it, setuptools recorded the file's path in the source tree (pyarrow 21.0.0:
    ``../LICENSE.txt``, built from its ``python/`` folder) and wheel stored it by base name, so
    an entry that leaves the folder is looked up by base name and is missing, not outside."""
    try:
        return Version(metadata_version or "0") >= Version("2.4")
    except InvalidVersion:
        return True


def _nested(folder: str, rel: str) -> str | None:
    """A ``License-File`` in a sub-folder other than ``licenses/`` (not in the listings)."""
    if "/" not in rel or rel.startswith(("licenses/", "../")):
        return None  # listed if it is there (or outside the folder)
    path = contained(folder, rel)
    return path if path is not None and os.path.isfile(path) else None


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


def _walk(folder: str, sub: str, plain: set[str] | None = None) -> list[str]:
    """Files under ``folder/sub`` as sorted relative posix paths (``sub/...``), never
    following symlinked folders (no loops); those that are regular files, not symlinks,
    are also added to ``plain``."""
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
                        path = f"{rel}/{entry.name}"
                        if not entry.is_symlink():
                            out.append(path)
                            if plain is not None:
                                plain.add(path)
                        elif contained(folder, path):
                            out.append(path)
        except OSError:
            continue
    return sorted(out)


def _from_record(folder: str, vague: bool = False) -> dict[str, str]:
    site = os.path.dirname(folder)
    try:
        text = read_bounded(os.path.join(folder, "RECORD"), FILE_LIMIT)[0].decode(
            "utf-8", errors="replace"
        )
    except OSError:
        return {}
    found: dict[str, str] = {}
    for line in text.splitlines():
        rel = line.split(",", 1)[0]
        depth, name = rel.count("/") + 1, rel.rsplit("/", 1)[-1]  # no pathlib in this loop
        near = depth <= RECORD_DEPTH and _LICENSE_NAME.search(name)
        named = vague and depth <= VAGUE_RECORD_DEPTH and re.match(_NAMED_LICENCE, name, re.I)
        if (near or named) and not _THIRD_PARTY.search(rel):
            path = contained(site, rel)
            if path is not None and os.path.isfile(path):
                found[rel] = path
    return found


def _read(
    path: str, rel: str, primary: bool, listed: bool = False, texts: dict[str, bytes] | None = None
) -> LicenseFile | str:
    try:
        data, size = read_bounded(path, FILE_LIMIT, listed=listed)
    except OSError as exc:
        return exc.strerror or str(exc)
    digest = hashlib.sha256(data).hexdigest()
    if texts is not None:  # the same text shipped by thousands of packages is kept once
        kept = texts.setdefault(digest, data)
        data = kept if kept == data else data
    return LicenseFile(
        relpath=rel,
        kind=file_kind(rel.rsplit("/", 1)[-1]),
        primary=primary,
        sha256=digest,
        size=size,
        data=data,
        truncated=size > FILE_LIMIT,
    )
