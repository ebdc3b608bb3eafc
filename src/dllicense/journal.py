"""The journal of what a scan read: the result cache replays a run only if all of it holds.

While a ``Journal`` is active (``recording()``), the one reader of scanned
files (``readfile.read_bounded``) notes every file it read (its size, mtime and
the sha256 of the bytes read, up to the bound used), every file it looked for
and did not find, and the folder of each; the readers that list folders note
those (``note_folder``). ``still_valid`` checks a stored journal against the
disk: a file whose size or mtime changed is read again and compared by hash, a
folder by its mtime (a file added or removed changes it). So the cache key does
not have to guess which files a scan depends on: it is what the scan read.

Paths under a prefix in ``skip`` (dllicense's own caches, ``.git``) are not noted.
Forked workers (``parallel``) send their notes back with their results.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

ABSENT = -1  # the size noted for a file looked for and not read (missing, not regular)


@dataclass
class Journal:
    """``files``: path -> (size, mtime_ns, sha256 of the bytes read, bound); ``folders``:
    path -> mtime_ns. Paths are absolute, as the scan opened them."""

    skip: tuple[str, ...] = ()
    files: dict[str, tuple[int, int, str, int]] = field(default_factory=dict)
    folders: dict[str, int] = field(default_factory=dict)

    def skipped(self, path: str) -> bool:
        return path.startswith(self.skip) or f"{os.sep}.git{os.sep}" in path

    def merge(self, other: Journal) -> None:
        self.files.update(other.files)
        self.folders.update(other.folders)

    def as_json(self) -> dict[str, Any]:
        return {
            "files": {k: list(v) for k, v in sorted(self.files.items())},
            "folders": dict(sorted(self.folders.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Journal:
        files = {
            str(k): (int(v[0]), int(v[1]), str(v[2]), int(v[3])) for k, v in data["files"].items()
        }
        return cls(files=files, folders={str(k): int(v) for k, v in data["folders"].items()})


_ACTIVE: ContextVar[Journal | None] = ContextVar("dllicense_journal", default=None)


@contextmanager
def recording(skip: tuple[str, ...] = ()) -> Iterator[Journal]:
    """Note every read of the scan in the journal yielded."""
    journal = Journal(tuple(os.path.abspath(p) + os.sep for p in skip))
    token = _ACTIVE.set(journal)
    try:
        yield journal
    finally:
        _ACTIVE.reset(token)


def journal_read(
    path: str | os.PathLike[str], limit: int, size: int, mtime: int, data: bytes
) -> None:
    journal = _ACTIVE.get()
    if journal is None:
        return
    where = os.path.abspath(path)
    if journal.skipped(where):
        return
    journal.files[where] = (size, mtime, hashlib.sha256(data).hexdigest(), limit)
    note_folder(os.path.dirname(where))


def journal_absent(path: str | os.PathLike[str], limit: int) -> None:
    journal = _ACTIVE.get()
    if journal is None:
        return
    where = os.path.abspath(path)
    if not journal.skipped(where):
        journal.files.setdefault(where, (ABSENT, 0, "", limit))
        note_folder(os.path.dirname(where))


def note_folder(path: str | os.PathLike[str]) -> None:
    """A folder the scan looked into (listed, or read a file of): its mtime is noted."""
    journal = _ACTIVE.get()
    if journal is None:
        return
    where = os.path.abspath(path)
    if where in journal.folders or journal.skipped(where + os.sep):
        return
    try:
        journal.folders[where] = os.stat(where).st_mtime_ns
    except OSError:
        journal.folders[where] = ABSENT


def in_worker(func: Callable[[T], R], item: T) -> tuple[R, Journal | None]:
    """``func(item)`` in a forked worker, with what it read when the parent records."""
    parent = _ACTIVE.get()
    if parent is None:
        return func(item), None
    with recording() as mine:
        mine.skip = parent.skip
        result = func(item)
    return result, mine


def merge_worker(journal: Journal | None) -> None:
    parent = _ACTIVE.get()
    if parent is not None and journal is not None:
        parent.merge(journal)


def still_valid(journal: Journal) -> bool:
    """Does every noted file and folder still hold what the scan saw?"""
    for folder, mtime in journal.folders.items():
        try:
            now = os.stat(folder).st_mtime_ns
        except OSError:
            now = ABSENT
        if now != mtime:
            return False
    for path, (size, mtime, digest, limit) in journal.files.items():
        if not _file_holds(path, size, mtime, digest, limit):
            return False
    return True


def _file_holds(path: str, size: int, mtime: int, digest: str, limit: int) -> bool:
    from dllicense.readfile import read_bounded

    try:
        info = os.stat(path)
    except OSError:
        return size == ABSENT
    if size == ABSENT:
        return False
    if info.st_size == size and info.st_mtime_ns == mtime:
        return True
    try:  # touched (a checkout, a copy): same bytes still count as the same
        data, now = read_bounded(path, limit)
    except OSError:
        return False
    return now == size and hashlib.sha256(data).hexdigest() == digest
