"""The one reader of scanned files: regular files only, bounded, sized to the file.

Every file of a scanned project or environment is read here (a test greps the
package for ``open(``, ``read_text(`` and ``read_bytes(`` elsewhere). A FIFO,
a device, a socket or a folder is never read: ``stat`` first (so a device is
never opened), then ``open`` with ``O_NONBLOCK`` (a FIFO swapped in meanwhile
cannot block the open) and ``fstat`` on the open descriptor, which is what is
read. Anything but a regular file is a ``NotRegularFile`` (an ``OSError``, so
the readers' ``except OSError`` turns it into their finding).

``open(path, "rb").read(limit)`` allocates ``limit`` bytes before it reads:
with a 16 MB bound that is an mmap and page faults per small METADATA file,
which made reading 20,000 distributions four times slower than the reads
themselves (bench/bench_scale.py); reads are sized to the file.

A caller that has just listed the folder and seen a regular file there (a
``scandir`` entry of type regular file, not a symlink) passes ``listed=True``:
the ``stat`` before the ``open`` only repeats what the listing said (the
``fstat`` of the open descriptor still decides). ``O_NONBLOCK`` is cleared
only for files of no reported size (``/proc``), the ones read in chunks: a
read of a regular file never waits, so two ``fcntl`` calls per read are saved.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from dllicense.journal import journal_absent, journal_read

_CHUNK = 1024 * 1024
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or a folder: it is not read."""

    def __init__(self, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", os.fspath(path))


class TooLarge(ValueError):
    """A file larger than the bound of a reader that needs it whole."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _open_regular(path: str | os.PathLike[str], listed: bool = False) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file and its ``fstat``; else ``NotRegularFile``.
    ``listed``: a folder listing just showed a regular file (no ``stat`` before the open)."""
    if not listed:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            raise NotRegularFile(path, _kind(before.st_mode))
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped after the stat (or the listing)
            raise NotRegularFile(path, _kind(info.st_mode))
        if not info.st_size:  # read in chunks: blocking reads (a sized file never waits)
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_bounded(
    path: str | os.PathLike[str], limit: int, *, listed: bool = False
) -> tuple[bytes, int]:
    """At most ``limit`` bytes of a regular file, and its size (``size > limit``: cut short).
    ``listed``: the caller's folder listing showed a regular file, not a symlink (the
    ``stat`` before the open is skipped; the open descriptor is still checked).

    Raises ``OSError`` as ``open`` does, ``NotRegularFile`` for anything but a regular
    file. Files whose size the system does not report (``/proc``) are read in chunks
    up to ``limit + 1`` bytes.
    """
    try:
        fd, info = _open_regular(path, listed)
    except OSError:
        journal_absent(path, limit)
        raise
    size = info.st_size
    try:  # os.read on the descriptor: no file object per read (twice per distribution)
        want = min(size, limit) if size else limit + 1
        data = os.read(fd, want)
        if len(data) < want:  # a short read: an unsized file, or one that changed meanwhile
            parts = [data]
            got = len(data)
            while got < want:
                chunk = os.read(fd, min(want - got, _CHUNK))
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
            data = b"".join(parts)
    finally:
        os.close(fd)
    data, size = data[:limit], max(size, len(data))
    journal_read(path, limit, size, info.st_mtime_ns, data)
    return data, size


def read_at(path: str | os.PathLike[str], offset: int, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file from ``offset`` (a git pack's object);
    the same regular-file checks as ``read_bounded``, nothing journaled (packs only grow)."""
    fd, _ = _open_regular(path)
    with open(fd, "rb", buffering=0, closefd=True) as handle:
        handle.seek(offset)
        return handle.read(limit) or b""


def read_whole(path: str | os.PathLike[str], limit: int) -> bytes:
    """A regular file's bytes; ``TooLarge`` past ``limit`` (for readers that need it all)."""
    data, size = read_bounded(path, limit)
    if size > limit:
        raise TooLarge(f"{Path(path).name} is larger than {_size(limit)}")
    return data


def read_text(path: str | os.PathLike[str], limit: int) -> str:
    """``read_whole`` decoded as UTF-8, undecodable bytes replaced."""
    return read_whole(path, limit).decode("utf-8", errors="replace")


def digest(path: str | os.PathLike[str], limit: int) -> str:
    """The sha256 of a regular file of at most ``limit`` bytes (else ``TooLarge``)."""
    return hashlib.sha256(read_whole(path, limit)).hexdigest()


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
