"""A wheel's ``METADATA`` and licence files, read with ``zipfile``.

A wheel on the index is read without downloading it: ``RangeFile`` is a seekable
file whose reads are HTTP range requests (the approach of pip's ``lazy_wheel``).
The first request takes the last ``TAIL`` bytes, which hold the zip's end record
and, in the common case, the whole central directory and the dist-info members
(a wheel writes them last); ``zipfile`` then asks only for what it reads, and the
members wanted are fetched beforehand in as few requests as their positions allow
(``prefetch``). Everything one wheel downloads is bounded (``DOWNLOAD_LIMIT``),
each member by its own limit; only stored and deflated members are read (a bz2
or lzma member could expand without bound between two size checks).

A wheel on this machine (``index_local.LocalWheel``) goes through the same choice
of members (``read_wheel``), without ranges.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath

from packaging.utils import canonicalize_name

from dllicense.collect.index_cache import safe_relpath
from dllicense.collect.index_get import Fail, NoRange
from dllicense.collect.index_local import LocalError, read_member
from dllicense.discover.distributions import METADATA_LIMIT

FILE_LIMIT = 4 * 1024 * 1024  # one licence file
FILES_TOTAL_LIMIT = 16 * 1024 * 1024  # all licence files of one wheel
MAX_FILES = 256  # licence files of one wheel (torch has ~90)
CD_LIMIT = 64 * 1024 * 1024  # a wheel's central directory
TAIL = 64 * 1024 + 22  # first read: the end record behind the longest zip comment
MERGE_GAP = 64 * 1024  # members closer than this are fetched in one range request
READ_BEHIND = 64 * 1024  # fetched in front of a read that ends where fetched bytes begin
MEMBER_SLACK = 512  # a local header's extra field may be longer than the central one
DOWNLOAD_LIMIT = TAIL + CD_LIMIT + METADATA_LIMIT + FILES_TOTAL_LIMIT + MAX_FILES * MEMBER_SLACK
_LICENSE_NAME = re.compile(r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|PATENTS|UNLICENSE)", re.I)
_THIRD_PARTY = re.compile(r"third[_-]?party|vendor|externals?/|deps/", re.I)
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")

# fetch(start, end): bytes [start, end), start < 0 for the last -start bytes, as
# (offset of the first byte, the bytes, the file's size or None when not told)
Fetch = Callable[[int, int], tuple[int, bytes, int | None]]
Reader = Callable[[zipfile.ZipInfo, int], bytes]


def content_range(header: str, start: int) -> tuple[int, int | None]:
    """(first byte, total size or None) of a 206 reply asked for bytes from ``start``."""
    found = _CONTENT_RANGE.match(header)
    if not found:
        raise Fail("DL122", "range reply without a valid Content-Range")
    first, total = int(found.group(1)), found.group(3)
    if start >= 0 and first != start:
        raise Fail("DL122", "range reply for other bytes than asked")
    return first, None if total == "*" else int(total)


class RangeFile(io.RawIOBase):
    """A remote file, read-only and seekable; a read fetches the bytes no earlier
    reply covered, in one request, within ``DOWNLOAD_LIMIT`` for the whole file."""

    def __init__(self, fetch: Fetch, size: int | None) -> None:
        super().__init__()
        self._fetch = fetch
        self._spans: list[tuple[int, bytes]] = []  # (offset, bytes), sorted, disjoint
        self._pos = 0
        self.fetched = 0  # bytes downloaded
        self.size = self._open_tail(size)

    def _open_tail(self, size: int | None) -> int:
        """Fetch the last ``TAIL`` bytes; the file's size."""
        if size is not None:
            try:
                first, data, total = self._fetch(max(0, size - TAIL), size)
                self._add(first, data)
                return size if total is None else total  # the server knows the size better
            except NoRange as exc:
                if exc.status != 416:
                    raise
                # the size the index gave is wrong: ask for the end instead
        first, data, total = self._fetch(-TAIL, 0)
        if total is None:
            raise Fail("DL122", "range reply without the file's size")
        self._add(first, data)
        return total

    def _get(self, start: int, end: int) -> None:
        if end - start > DOWNLOAD_LIMIT - self.fetched:
            raise Fail("DL122", f"reading the wheel needs more than {DOWNLOAD_LIMIT} bytes")
        first, data, _ = self._fetch(start, end)
        if len(data) < end - start:
            raise Fail("DL122", "the wheel is shorter than its zip directory says")
        self._add(first, data)

    def _add(self, first: int, data: bytes) -> None:
        self.fetched += len(data)
        merged: list[tuple[int, bytes]] = []
        for at, blob in sorted([*self._spans, (first, data)], key=lambda s: s[0]):
            if merged and at <= merged[-1][0] + len(merged[-1][1]):
                prev_at, prev = merged[-1]
                merged[-1] = (prev_at, prev + blob[prev_at + len(prev) - at :])
            else:
                merged.append((at, blob))
        self._spans = merged

    def _missing(self, start: int, end: int) -> tuple[int, int] | None:
        """The smallest range that holds every byte of [start, end) not fetched yet."""
        gaps: list[tuple[int, int]] = []
        at = start
        for first, data in self._spans:
            if first + len(data) <= at:
                continue
            if first >= end:
                break
            if first > at:
                gaps.append((at, first))
            at = max(at, first + len(data))
        if at < end:
            gaps.append((at, end))
        return (gaps[0][0], gaps[-1][1]) if gaps else None

    def load(self, start: int, end: int) -> None:
        """Make sure bytes [start, end) (within the file) are here.

        Bytes just before fetched ones are fetched with up to ``READ_BEHIND`` more in
        front: a central directory out of the first read has the dist-info before it."""
        start, end = max(0, start), min(end, self.size)
        missing = self._missing(start, end) if start < end else None
        if missing is None:
            return
        first, last = missing
        if any(at == last for at, _ in self._spans):
            before = max((at + len(data) for at, data in self._spans if at < first), default=0)
            first = max(before, first - READ_BEHIND)
        self._get(first, last)

    # -- the file interface zipfile uses ---------------------------------------------------------

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise OSError("seek before the start of the wheel")
        self._pos = base + offset
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = self.size if size is None or size < 0 else min(self.size, self._pos + size)
        if end <= self._pos:
            return b""
        self.load(self._pos, end)
        for first, data in self._spans:
            if first <= self._pos < first + len(data):
                out = data[self._pos - first : end - first]
                self._pos += len(out)
                return out
        raise Fail("DL122", "the wheel is shorter than its zip directory says")

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_remote(fetch: Fetch, size: int | None) -> tuple[zipfile.ZipFile, RangeFile]:
    """The wheel at the other end of ``fetch`` as a ``ZipFile`` (its directory read)."""
    remote = RangeFile(fetch, size)
    try:
        return zipfile.ZipFile(remote), remote
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise Fail("DL122", f"not a readable zip file ({exc})") from None


def prefetch(
    archive: zipfile.ZipFile, remote: RangeFile, members: Sequence[zipfile.ZipInfo]
) -> None:
    """Fetch the byte spans of ``members`` in as few range requests as reasonable."""
    directory = getattr(archive, "start_dir", remote.size)
    spans = []
    for info in members:
        header = 30 + len(info.filename.encode("utf-8")) + len(info.extra) + MEMBER_SLACK
        end = info.header_offset + header + info.compress_size
        spans.append((info.header_offset, min(end, directory)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start - merged[-1][1] <= MERGE_GAP:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        remote.load(start, end)


def dist_info_folder(members: Mapping[str, zipfile.ZipInfo], name: str) -> str | None:
    """The wheel's ``*.dist-info`` folder, preferring the one named after the project."""
    folders = sorted(
        n.split("/", 1)[0]
        for n in members
        if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
    )
    for folder in folders:
        if canonicalize_name(folder[: -len(".dist-info")].rpartition("-")[0]) == name:
            return folder
    return folders[0] if folders else None


def licence_members(
    members: Mapping[str, zipfile.ZipInfo], dist_info: str
) -> list[zipfile.ZipInfo]:
    """Licence files of the dist-info; when it has none, those near the package root."""
    own = []
    for member_name, member in sorted(members.items()):
        if not member_name.startswith(dist_info + "/") or member_name.endswith("/"):
            continue
        rel = member_name[len(dist_info) + 1 :]
        if (rel.startswith("licenses/") or ("/" not in rel and _LICENSE_NAME.match(rel))) and (
            safe_relpath(rel)
        ):
            own.append(member)
    if own:
        return own
    return [
        member
        for member_name, member in sorted(members.items())
        if not member_name.split("/", 1)[0].endswith((".dist-info", ".data"))
        and member_name.count("/") <= 2
        and _LICENSE_NAME.match(PurePosixPath(member_name).name)
        and not _THIRD_PARTY.search(member_name)
        and safe_relpath(member_name)
    ]


def within_limits(
    members: list[zipfile.ZipInfo], taken: Sequence[zipfile.ZipInfo] = ()
) -> tuple[list[zipfile.ZipInfo], int]:
    """The members to fetch within the count and size limits, and how many are left out."""
    total = sum(m.file_size for m in taken)
    keep: list[zipfile.ZipInfo] = []
    for member in members:
        size = max(member.file_size, member.compress_size)
        if len(taken) + len(keep) >= MAX_FILES or size > FILE_LIMIT:
            continue
        if total + size > FILES_TOTAL_LIMIT:
            continue
        keep.append(member)
        total += size
    return keep, len(members) - len(keep)


def declared_licence_members(
    metadata: bytes,
    members: Mapping[str, zipfile.ZipInfo],
    dist_info: str,
    have: list[zipfile.ZipInfo],
) -> list[zipfile.ZipInfo]:
    """Members named by ``License-File`` that the name patterns did not catch."""
    known = {m.filename for m in have}
    declared = re.findall(rb"^License-File:[ \t]*(.+?)[ \t]*\r?$", metadata, re.M | re.I)
    out = []
    for raw in declared:
        rel = raw.decode("utf-8", errors="replace")
        for candidate in (f"{dist_info}/licenses/{rel}", f"{dist_info}/{rel}"):
            member = members.get(candidate)
            if member is not None and candidate not in known and safe_relpath(rel):
                out.append(member)
                known.add(candidate)
                break
    return out


def read_wheel(
    archive: zipfile.ZipFile,
    name: str,
    metadata: bytes | None,
    fetch_files: bool,
    fetch: Callable[[Sequence[zipfile.ZipInfo]], None] = lambda members: None,
) -> tuple[bytes, dict[str, bytes], int]:
    """METADATA (when not known yet) and, with ``fetch_files``, the licence files.

    Licence files are keyed by their path in the dist-info, or by ``/`` + their path
    in the wheel for package-folder files; the int counts those left out (limits).
    ``fetch(members)`` is told the members about to be read, to fetch them together.
    """
    try:
        members = {info.filename: info for info in archive.infolist()}
        dist_info = dist_info_folder(members, name)
        if dist_info is None:
            raise Fail("DL122", "the wheel has no *.dist-info/METADATA")
        wanted = [] if metadata is not None else [members[f"{dist_info}/METADATA"]]
        if wanted and max(wanted[0].compress_size, wanted[0].file_size) > METADATA_LIMIT:
            raise Fail("DL122", "the wheel's METADATA is over the size limit")
        found = licence_members(members, dist_info) if fetch_files else []
        licence, skipped = within_limits(found)
        fetch([*wanted, *licence])
        if metadata is None:
            metadata = read_member(archive, wanted[0], METADATA_LIMIT)
        if fetch_files:
            declared = declared_licence_members(metadata, members, dist_info, found)
            extra, more = within_limits(declared, licence)
            fetch(extra)
            licence, skipped = licence + extra, skipped + more
        files: dict[str, bytes] = {}
        for member in licence:
            data = read_member(archive, member, FILE_LIMIT)
            inside = member.filename.startswith(dist_info + "/")
            files[member.filename[len(dist_info) + 1 :] if inside else "/" + member.filename] = data
    except LocalError as exc:
        raise Fail("DL122", exc.message) from None
    except (struct.error, zlib.error, ValueError, LookupError, EOFError) as exc:
        raise Fail("DL122", f"malformed wheel ({type(exc).__name__})") from None
    return metadata, files, skipped
