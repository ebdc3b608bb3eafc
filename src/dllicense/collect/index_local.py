"""Package sources on this machine: ``file://`` simple indexes and find-links folders.

As pip reads them: a ``file:`` URL of a folder stands for the folder's
``index.html`` (a PEP 503 page, as ``dir2pi`` and ``/opt/pypi``-style mirrors
write them); a find-links folder offers every file in it; a wheel's metadata
comes from a ``.metadata`` file beside it, else from the wheel itself, opened
with ``zipfile`` and read member by member within the caller's limits.
Every file is checked to be a regular file and read through ``read_bounded``.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from dllicense.readfile import read_bounded


class LocalError(Exception):
    """A local source cannot be read; ``missing`` when the file is not there at all."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing


def is_local(url: str) -> bool:
    """A ``file:`` URL, or a plain path (find-links may be given as one)."""
    return url.startswith("file:") or "://" not in url


def as_file_url(location: str) -> str:
    """``location`` as a URL: a plain path becomes an absolute ``file:`` URL."""
    if "://" in location or location.startswith("file:"):
        return location
    return Path(os.path.abspath(os.path.expanduser(location))).as_uri()


def path_of(url: str) -> Path:
    """The local path a ``file:`` URL names."""
    return Path(url2pathname(unquote(urlsplit(url).path)))


def _regular(path: Path) -> os.stat_result:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise LocalError(f"{path} does not exist", missing=True) from None
    except OSError as exc:
        raise LocalError(f"{path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise LocalError(f"{path} is not a regular file")
    return info


def read_url(url: str, limit: int) -> tuple[bytes, str]:
    """(content, URL read) of a ``file:`` URL; a folder is read as its ``index.html``."""
    path = path_of(url)
    if path.is_dir():
        path = path / "index.html"
        url = url.rstrip("/") + "/index.html"
    _regular(path)
    try:
        data, size = read_bounded(path, limit)
    except OSError as exc:
        raise LocalError(f"{path}: {exc.strerror or exc}") from None
    if size > limit:
        raise LocalError(f"{path} is larger than {limit} bytes")
    return data, url


def exists(url: str) -> bool:
    """Is there a regular file at this ``file:`` URL?"""
    try:
        _regular(path_of(url))
    except LocalError:
        return False
    return True


def folder_files(url: str) -> list[tuple[str, str]] | None:
    """(file name, file URL) of each regular file in a folder, sorted; None if not a folder."""
    path = path_of(url)
    if not path.is_dir():
        return None
    out = []
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=True):
                    out.append((entry.name, Path(entry.path).absolute().as_uri()))
    except OSError as exc:
        raise LocalError(f"{path}: {exc.strerror or exc}") from None
    return sorted(out)


class LocalWheel:
    """A wheel on disk, opened with ``zipfile``; use as a context manager."""

    def __init__(self, url: str) -> None:
        self.path = path_of(url)
        _regular(self.path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise LocalError(f"{self.path.name}: not a readable zip file ({exc})") from None

    def __enter__(self) -> LocalWheel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def infos(self) -> list[zipfile.ZipInfo]:
        return self.zip.infolist()

    def read(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """A member's content; more than ``limit`` bytes is an error."""
        return read_member(self.zip, info, limit)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's content, stored or deflated; more than ``limit`` bytes is an error.

    Other methods are refused: bz2 and lzma decompress a read's input without bound."""
    if info.flag_bits & 1:
        raise LocalError(f"{info.filename} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise LocalError(f"{info.filename}: unsupported compression method {info.compress_type}")
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (OSError, zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error) as exc:
        raise LocalError(f"{info.filename}: {exc}") from None
    if len(data) > limit:
        raise LocalError(f"{info.filename} is larger than {limit} bytes")
    return data
