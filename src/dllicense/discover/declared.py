"""Turn one requirement string into a ``Declared`` value (or a ``Problem``)."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dllicense.models import Declared, Location, Problem


def parse_declared(raw: str, scope: str, location: Location) -> Declared | Problem:
    """Parse a PEP 508 requirement; a URL requirement is kept with ``kind="url"``."""
    try:
        req = Requirement(raw)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0]
        return Problem("DL004", f"invalid requirement {raw!r}: {first}", location=location)
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
