"""Which file of a project's page holds the wanted version, and which wheel to read:
version matching by PEP 440 equality, wheels ranked as an installer would prefer them.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

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
    installable here last); then by name."""
    tags = _parse_wheel(item.filename)[3]
    pure = any(
        t.abi == "none" and t.platform == "any" and t.interpreter.startswith("py3") for t in tags
    )
    order = _tag_order()
    return (
        item.yanked,
        not item.core_metadata,
        not pure,
        min((order[t] for t in tags if t in order), default=len(order)),
        item.filename,
    )


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
