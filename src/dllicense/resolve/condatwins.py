"""The PyPI twins of an environment file's conda packages: provided before pip runs.

``conda env create`` installs the conda packages first, then runs pip on the ``pip:``
list; pip leaves a requirement the installed conda package already satisfies alone. So
``--online`` resolves the ``pip:`` entries with each conda package's PyPI twin
(``pytorch`` -> ``torch``, the knowledge base's conda -> PyPI map) excluded from the
resolution (uv's ``--excludes``): uv does not pull PyPI ``torch`` and its CUDA wheels
next to conda's ``pytorch``.

A declared requirement that conda's version does not satisfy (``torch==2.1`` next to
conda's ``pytorch=2.0.1``; or any version specifier when the conda entry pins none) is
pip's to install: pip would replace conda's package, so that twin is resolved as usual.
The pipeline applies this only when every PyPI requirement resolved is a ``pip:`` entry
(``pipeline.graphs.conda_provided``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dllicense.discover.ecosystems.common import Declaration
from dllicense.knowledge.conda_pypi import pypi_names
from dllicense.models import Declared


def conda_twins(conda: Iterable[Declaration], declared: Iterable[Declared]) -> dict[str, str]:
    """The PyPI names (canonical, sorted) the conda declarations provide, with conda's
    version ("" when unpinned), less those a declared PyPI requirement asks for in a
    version conda's does not satisfy."""
    provided: dict[str, str] = {}  # PyPI name -> conda version ("" unpinned)
    for item in conda:
        if item.ecosystem != "conda":
            continue
        for name in pypi_names(item.name, item.channel or None):
            provided.setdefault(str(canonicalize_name(name)), item.version)
    for wanted in declared:
        if wanted.kind != "pypi" or not wanted.name or not wanted.specifier:
            continue
        name = str(canonicalize_name(wanted.name))
        if name in provided and not _satisfies(provided[name], wanted.specifier):
            del provided[name]  # pip installs the declared version over conda's
    return dict(sorted(provided.items()))


def unmet(
    requires: Iterable[tuple[str, ...]],
    provided: Mapping[str, str],
    target: Mapping[str, str] | None,
) -> set[str]:
    """The provided packages some resolved package requires in a version conda's does not
    satisfy (pandas 2.0.3 needs numpy>=1.20.3 beside conda's numpy=1.19.2): pip would
    replace conda's, so they are resolved. ``requires``: each package's ``Requires-Dist``;
    ``target``: the marker environment (``None``: every target, each marker may apply).
    Unpinned conda packages are kept (their version is unknown)."""
    found = set()
    for lines in requires:
        for raw in lines:
            try:
                req = Requirement(raw)
            except InvalidRequirement:
                continue
            name = str(canonicalize_name(req.name))
            if not provided.get(name) or not str(req.specifier):
                continue
            if req.marker is not None and not _applies(req.marker, target):
                continue
            if not _satisfies(provided[name], str(req.specifier)):
                found.add(name)
    return found


def _applies(marker: Marker, target: Mapping[str, str] | None) -> bool:
    if target is None:  # every target: not an extra's
        return "extra" not in str(marker)
    try:
        return marker.evaluate({**target, "extra": ""})
    except (UndefinedComparison, UndefinedEnvironmentName, InvalidMarker):
        return False


def _satisfies(version: str, specifier: str) -> bool:
    """Whether conda's ``version`` meets the pip entry's ``specifier`` (unknown: no)."""
    try:
        return bool(version) and SpecifierSet(specifier).contains(Version(version), True)
    except (InvalidSpecifier, InvalidVersion):
        return False
