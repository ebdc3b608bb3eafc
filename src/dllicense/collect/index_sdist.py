"""An sdist's ``PKG-INFO`` and top-folder licence files, read without building it.

A release with no wheel at all (``sqlitedict``) still has its core metadata in
the sdist's ``PKG-INFO`` (PEP 643: its licence fields are reliable; its
``Requires-Dist`` may be dynamic, so the caller does not take it as the edges).
The sdist is downloaded whole (a ``.tar.gz`` cannot be read by ranges), within
``SDIST_LIMIT``; a ``.tar.gz`` is decompressed in memory within
``UNPACKED_LIMIT`` and never extracted to disk; at most ``MAX_MEMBERS`` members
are listed. Only ``<top>/PKG-INFO`` and, when asked, the licence files of the
top folder (``LICENSE*``, ``COPYING*``, ...; and those ``License-File`` names)
are read, each within the wheel reader's limits. Nothing in it is run.
"""

from __future__ import annotations

import io
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable

from packaging.utils import canonicalize_name

from dllicense.collect.index_cache import safe_relpath
from dllicense.collect.index_get import Fail
from dllicense.collect.index_local import LocalError, read_member
from dllicense.collect.index_wheel import _LICENSE_NAME, FILE_LIMIT, MAX_FILES, within_limits
from dllicense.discover.distributions import METADATA_LIMIT

SDIST_LIMIT = 32 * 1024 * 1024  # an sdist's download (sqlitedict 2.1.0: 21 kB; av 11.0.0: 3.7 MB)
UNPACKED_LIMIT = 256 * 1024 * 1024  # a .tar.gz decompressed, in memory
MAX_MEMBERS = 20_000  # members listed

Reader = Callable[[str, int], bytes]


def is_sdist(filename: str) -> bool:
    """Is ``filename`` an sdist this module reads (``.tar.gz`` or ``.zip``)?"""
    return filename.endswith((".tar.gz", ".zip"))


def read_sdist(
    data: bytes, filename: str, name: str, fetch_files: bool
) -> tuple[bytes, dict[str, bytes], int]:
    """``PKG-INFO`` and, with ``fetch_files``, the licence files of the top folder (keyed by
    their path under it); the int counts licence files left out (limits)."""
    try:
        if filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                if len(infos) > MAX_MEMBERS:
                    raise Fail("DL122", f"the sdist has over {MAX_MEMBERS} members")
                members = {i.filename: i for i in infos if not i.is_dir()}
                sizes = {n: max(i.file_size, i.compress_size) for n, i in members.items()}
                return _read(
                    sizes,
                    lambda n, limit: read_member(archive, members[n], limit),
                    name,
                    fetch_files,
                )
        with tarfile.open(fileobj=io.BytesIO(_gunzip(data)), mode="r:") as tar:
            found: dict[str, tarfile.TarInfo] = {}
            for count, info in enumerate(tar, 1):
                if count > MAX_MEMBERS:
                    raise Fail("DL122", f"the sdist has over {MAX_MEMBERS} members")
                if info.isreg():  # links, devices and folders are never read
                    found[info.name] = info
            sizes = {n: i.size for n, i in found.items()}

            def member(member_name: str, limit: int) -> bytes:
                handle = tar.extractfile(found[member_name])
                if handle is None or found[member_name].size > limit:
                    raise LocalError(f"{member_name} is larger than {limit} bytes")
                return handle.read(limit)

            return _read(sizes, member, name, fetch_files)
    except (LocalError, tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise Fail("DL122", f"malformed sdist ({type(exc).__name__})") from None
    except (OSError, ValueError, LookupError) as exc:
        raise Fail("DL122", f"malformed sdist ({type(exc).__name__})") from None


def _gunzip(data: bytes) -> bytes:
    """A ``.tar.gz``'s tar, within ``UNPACKED_LIMIT``."""
    unpack = zlib.decompressobj(wbits=31)  # gzip framing
    out = unpack.decompress(data, UNPACKED_LIMIT + 1)
    if len(out) > UNPACKED_LIMIT or unpack.unconsumed_tail:
        raise Fail("DL122", f"the sdist unpacks to over {UNPACKED_LIMIT} bytes")
    return out


def _read(
    sizes: dict[str, int], read: Reader, name: str, fetch_files: bool
) -> tuple[bytes, dict[str, bytes], int]:
    top = _top_folder(sizes, name)
    if top is None:
        raise Fail("DL122", "the sdist has no <name>-<version>/PKG-INFO")
    if sizes[f"{top}/PKG-INFO"] > METADATA_LIMIT:
        raise Fail("DL122", "the sdist's PKG-INFO is over the size limit")
    metadata = read(f"{top}/PKG-INFO", METADATA_LIMIT)
    if not fetch_files:
        return metadata, {}, 0
    declared = re.findall(rb"^License-File:[ \t]*(.+?)[ \t]*\r?$", metadata, re.M | re.I)
    wanted = {
        rel
        for member in sizes
        if member.startswith(top + "/")
        and "/" not in (rel := member[len(top) + 1 :])
        and _LICENSE_NAME.match(rel)
    }
    wanted |= {
        rel
        for raw in declared
        if safe_relpath(rel := raw.decode("utf-8", errors="replace")) and f"{top}/{rel}" in sizes
    }
    chosen = _within_limits(sorted(wanted), sizes, top)
    files = {rel: read(f"{top}/{rel}", FILE_LIMIT) for rel in chosen}
    return metadata, files, len(wanted) - len(chosen)


def _top_folder(sizes: dict[str, int], name: str) -> str | None:
    """The sdist's top folder holding ``PKG-INFO``, the one named after ``name`` first."""
    tops = sorted(
        m[: -len("/PKG-INFO")] for m in sizes if m.count("/") == 1 and m.endswith("/PKG-INFO")
    )
    for top in tops:
        if canonicalize_name(top.rpartition("-")[0]) == name:
            return top
    return tops[0] if tops else None


def _within_limits(rels: list[str], sizes: dict[str, int], top: str) -> list[str]:
    """The licence files to read within the wheel reader's count and size limits."""
    infos = []
    for rel in rels[: MAX_FILES * 2]:
        info = zipfile.ZipInfo(rel)
        info.file_size = info.compress_size = sizes[f"{top}/{rel}"]
        infos.append(info)
    keep, _ = within_limits(infos)
    return [i.filename for i in keep]
