"""Turn one requirement string into a ``Declared`` value (or a ``Problem``)."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, canonicalize_name

from dllicense.models import Declared, Location, Problem
from dllicense.sanitize import excerpt, quoted

# pip's rules (pip._internal.req.constructors): a scheme or a VCS prefix is a URL; a path
# separator, a leading "." or "~", or an archive suffix is a local path or file.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^file:|^(git|hg|svn|bzr)\+", re.IGNORECASE)
_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def parse_declared(raw: str, scope: str, location: Location) -> Declared | Problem:
    """Parse a PEP 508 requirement; a URL requirement is kept with ``kind="url"``."""
    try:
        req = Requirement(raw)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0]
        return Problem(
            "DL004", f"invalid requirement {quoted(raw)}: {excerpt(first)}", location=location
        )
    return Declared(
        raw=raw,
        name=canonicalize_name(req.name),
        scope=scope,
        location=location,
        specifier=str(req.specifier),
        extras=tuple(sorted(req.extras)),
        marker=str(req.marker) if req.marker else "",
        kind="url" if req.url else "pypi",
    )


def reference_kind(text: str) -> str:
    """``url`` or ``path`` when pip reads ``text`` as a link before trying PEP 508: a scheme
    or VCS prefix, or an archive file name (a file even when it is not there); else ""."""
    text = text.strip()
    if _SCHEME.match(text):
        return "path" if text.lower().startswith("file:") else "url"
    if text.lower().endswith(_ARCHIVES):
        name, at, _ = text.partition("@")
        if not at or _path_like(name):  # "name @ https://.../x.whl" is PEP 508
            return "path"
    return ""


def _path_like(text: str) -> bool:
    text = text.strip()
    return text.startswith((".", "~", "/", "\\")) or "/" in text or "\\" in text


def egg_name(text: str) -> str:
    """The project name a ``#egg=name`` fragment gives ("" when none or not a valid name)."""
    found = _EGG.search(text)
    if not found:
        return ""
    try:
        return str(canonicalize_name(found.group(1), validate=True))
    except InvalidName:
        return ""


def parse_line(
    raw: str, scope: str, location: Location, editable: bool = False
) -> Declared | Problem:
    """A requirement as pip reads it: PEP 508, else a URL, VCS or path reference (``kind``
    url/path/editable, name from ``#egg=``), else an invalid requirement (DL004)."""
    if editable:
        return Declared(raw, egg_name(raw), scope, location, kind="editable")
    kind = reference_kind(raw)
    if not kind:
        item = parse_declared(raw, scope, location)
        if isinstance(item, Declared) or not _path_like(raw):
            return item
        kind = "path"  # not PEP 508 but shaped like a path: a local project or file
    return Declared(raw, egg_name(raw), scope, location, kind=kind)


def unpinned_source(declared: Declared, where: str = "") -> Problem:
    """DL005: an editable, URL or path requirement, reported and never built or fetched."""
    scope = f" ({declared.scope})" if declared.scope else ""
    return Problem(
        "DL005",
        f"{where}{declared.kind} requirement {quoted(declared.raw)}{scope} is reported only: "
        "dllicense never builds, fetches or runs it",
        package=declared.name,
        location=declared.location,
    )
