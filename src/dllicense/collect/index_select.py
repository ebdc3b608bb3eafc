"""Which file of a project's page holds the wanted version, and which wheel to read:
version matching by PEP 440 equality, wheels ranked as an installer would prefer them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.tags import Tag, sys_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from dllicense.collect.index_pages import IndexFile


def file_version(name: str, filename: str) -> tuple[str, bool] | None:
    """(version, is_wheel) of a file of project ``name``; None for other files."""
    try:
        if filename.endswith(".whl"):
            project, version, _, _ = _parse_wheel(filename)
            return (str(version), True) if canonicalize_name(project) == name else None
        if filename.endswith((".tar.gz", ".zip")):
            project, version = parse_sdist_filename(filename)
            return (str(version), False) if canonicalize_name(project) == name else None
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return None


@lru_cache(maxsize=4096)
def _parse_wheel(filename: str) -> tuple[str, Version, Any, frozenset[Tag]]:
    """``parse_wheel_filename``, once per file name (matching, then ranking, both ask)."""
    return parse_wheel_filename(filename)


@cache
def _tag_order() -> dict[Tag, int]:
    """This interpreter's tags, most preferred first (``sys_tags``' order), by position."""
    order: dict[Tag, int] = {}
    for position, tag in enumerate(sys_tags()):
        order.setdefault(tag, position)
    return order


def wheel_rank(item: IndexFile) -> tuple[bool, bool, bool, int, str]:
    """Not yanked, with a core-metadata file, pure py3; then as an installer here would
    prefer it (its most preferred tag, e.g. manylinux_2_28 before manylinux_2_17; not
    installable here last); then by name. For a valid wheel file name only."""
    return (
        item.yanked,
        not item.core_metadata,
        *_tags_rank(_tag_part(item.filename)),
        item.filename,
    )


def _tag_part(filename: str) -> str:
    """The compressed tag set of a wheel file name (``cp311-cp311-manylinux_2_17_x86_64``):
    its last three dash-separated parts, as ``parse_wheel_filename`` takes them."""
    return "-".join(filename[:-4].rsplit("-", 3)[-3:])


@cache
def _tag_positions() -> dict[tuple[str, str, str], int]:
    """``_tag_order`` keyed by (interpreter, abi, platform) strings: a compressed tag set is
    looked up without making its ``Tag`` objects."""
    return {(t.interpreter, t.abi, t.platform): n for t, n in _tag_order().items()}


@lru_cache(maxsize=4096)
def _tags_rank(tag_part: str) -> tuple[bool, int]:
    """(not pure py3, position of the most preferred tag here) of a compressed tag set: a
    lock or a page repeats a few dozen of them over thousands of wheels (energon's uv.lock:
    540 distinct sets in 2,394 wheels).

    As ``parse_tag`` reads it (three dash-separated parts, each a dot-separated list, every
    tag the product, lowercased; ``ValueError`` when it is not three parts), without
    building a frozenset of ``Tag`` objects per set: the ranking of a lock's wheels was
    ~9 ms of CPU under the GIL of the lookup threads, ~4 ms this way."""
    interpreters, abis, platforms = tag_part.lower().split("-")
    positions = _tag_positions()
    pure = False
    best = len(positions)
    for interpreter in interpreters.split("."):
        for abi in abis.split("."):
            for platform in platforms.split("."):
                if abi == "none" and platform == "any" and interpreter.startswith("py3"):
                    pure = True
                found = positions.get((interpreter, abi, platform))
                if found is not None and found < best:
                    best = found
    return not pure, best


def best_wheel(name: str, version: str, files: Iterable[IndexFile]) -> IndexFile | None:
    """``min(wheel_rank)`` of the wheels of ``name`` at ``version`` among ``files``, without
    parsing every file name: the files are ranked by their tag part (cached per distinct
    tag set) and only then checked, best first, until one is of that version. A lock
    lists every wheel of a version (numpy: 50), of which one is read."""
    ranked = sorted(
        (f for f in files if f.filename.endswith(".whl")),
        key=lambda f: (f.yanked, not f.core_metadata, *_tags_rank_or_last(f.filename), f.filename),
    )
    return next((f for f in ranked if same_version(name, f.filename, version)), None)


def _tags_rank_or_last(filename: str) -> tuple[bool, int]:
    """``_tags_rank`` of a file name's tag part; a part that is no tag set ranks last (such
    a name is no wheel: ``same_version`` rejects it)."""
    try:
        return _tags_rank(_tag_part(filename))
    except ValueError:
        return True, len(_tag_order()) + 1


# an absolute URL with no escapes, query, fragment, backslash, space or IPv6 host: its
# path's last segment is its file name as is
_PLAIN_URL = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9._~:@!$&'()*+,;=-]+(?:/[A-Za-z0-9._~:@!$&'()*+,;=-]*)+"
)


def url_file_name(url: str) -> str:
    """The file name of a file URL: ``unquote(PurePosixPath(urlsplit(url).path).name)``,
    without parsing a plain wheel URL (a lock names thousands)."""
    tail = url.rpartition("/")[2]
    if tail.endswith(".whl") and _PLAIN_URL.fullmatch(url):
        return tail
    return unquote(PurePosixPath(urlsplit(url).path).name)


def normalize_version(version: str) -> str:
    """The PEP 440 normal form of ``version``, or ``version`` itself when it is not valid."""
    try:
        return str(Version(version))
    except InvalidVersion:
        return version.strip()


def same_version(name: str, filename: str, version: str) -> bool:
    """Is ``filename`` a wheel or sdist of ``name`` at ``version`` (PEP 440 equality)?

    A page lists thousands of files (aiohttp's: 10,000): the version part of the name
    is compared first, with each distinct string parsed once, and only the files that
    pass are parsed whole."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        raw = parts[1] if len(parts) in (5, 6) else None
    elif filename.endswith(".tar.gz"):
        raw = filename[: -len(".tar.gz")].rpartition("-")[2]
    elif filename.endswith(".zip"):
        raw = filename[: -len(".zip")].rpartition("-")[2]
    else:
        return False
    if raw is None or not _equal_versions(raw, version):
        return False
    found = file_version(name, filename)
    return found is not None and _equal_versions(found[0], version)


@lru_cache(maxsize=4096)
def _equal_versions(a: str, b: str) -> bool:
    """PEP 440 equality, plain string equality when either is not a valid version."""
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def version_key(version: str) -> tuple[int, Version | None, str]:
    try:
        return (1, Version(version), version)
    except InvalidVersion:
        return (0, None, version)
