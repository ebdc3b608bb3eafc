"""Frameworks declared outside PyPI: Maven, Gradle, conda and LuaRocks manifests.

Read at the project root, statically (no Maven, Gradle, conda or Lua is run):
``pom.xml`` (``<dependencies>`` with ``${property}`` values from
``<properties>`` and versions from ``<dependencyManagement>``, also those of
parent POMs reached by ``<relativePath>`` inside the project folder; DOCTYPE
and entity declarations are rejected before parsing), ``build.gradle`` and
``build.gradle.kts`` (``group:artifact:version`` strings,
``group:/name:/version:`` maps and ``libs.x``/``libs.bundles.x`` accessors of
``gradle/libs.versions.toml`` in dependency configurations, ``$var`` from
simple assignments and ``gradle.properties``), ``environment.yml`` (conda
match specs; its ``pip:`` list holds PyPI requirements) and ``*.rockspec``
(the ``dependencies`` table). Only direct dependencies are known: what they
depend on in turn is not resolved. Each declaration is recognised through
``dllicense.collect.ecosystems`` and becomes an ``ExternalPackage``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dllicense.discover.declared import parse_line
from dllicense.discover.ecosystems.common import (
    CONDA_FILES,
    DIRECT_ONLY,
    GRADLE_CATALOG,
    GRADLE_FILES,
    Declaration,
    ManifestError,
    gradle_properties,
    read_manifest,
)
from dllicense.journal import note_folder
from dllicense.models import Declared, Location, Problem

if TYPE_CHECKING:  # the Gradle, Maven, conda and LuaRocks readers are imported when a file
    # needs them (their patterns, xml.etree and YAML cost ~20-30 ms at start-up, every scan)
    from dllicense.discover.ecosystems.gradle import Catalog

__all__ = [
    "DIRECT_ONLY",
    "Declaration",
    "conda_python",
    "conda_version",
    "ecosystem_declarations",
    "pip_declared",
]


def conda_version(spec: str) -> str:
    """The exact (or fuzzy ``=2.1`` -> ``2.1``) version of a conda match spec (``.conda``)."""
    from dllicense.discover.ecosystems.conda import conda_version as version

    return version(spec)


def _read_catalog(root: Path, problems: list[Problem], files: list[str]) -> Catalog | None:
    """The project's ``gradle/libs.versions.toml``, or ``None`` (absent, or a finding)."""
    from dllicense.discover.ecosystems.gradle import Catalog, read_catalog

    path = root / GRADLE_CATALOG
    if not path.is_file():
        note_folder(path.parent)  # a catalog added later changes its folder (result cache)
        return None
    location = Location(GRADLE_CATALOG)
    try:
        text = read_manifest(path).decode("utf-8", "replace")
        catalog, more = read_catalog(text, GRADLE_CATALOG)
    except OSError as error:
        message = f"{GRADLE_CATALOG}: cannot read ({error.strerror})"
        problems.append(Problem("DL070", message, location=location))
        return Catalog(GRADLE_CATALOG, {}, {}, {}, broken=True)
    except ManifestError as error:
        message = f"{GRADLE_CATALOG}: {error}; the libs.* dependencies are not checked"
        problems.append(Problem("DL070", message, location=Location(GRADLE_CATALOG, error.line)))
        return Catalog(GRADLE_CATALOG, {}, {}, {}, broken=True)
    problems.extend(more)
    files.append(GRADLE_CATALOG)
    return catalog


def ecosystem_declarations(root: Path) -> tuple[list[Declaration], list[Problem], list[str]]:
    """Declarations of every supported manifest at the project root, with problems and files."""
    declarations: list[Declaration] = []
    problems: list[Problem] = []
    files: list[str] = []
    try:
        names = sorted(p.name for p in root.iterdir() if p.is_file())
    except OSError as error:
        return [], [Problem("DL070", f"cannot list the project folder ({error.strerror})")], []
    properties = gradle_properties(root / "gradle.properties")
    catalog = None
    if any(name in GRADLE_FILES for name in names):
        catalog = _read_catalog(root, problems, files)
    readers: dict[str, Callable[[str, bytes], list[Declaration]]] = {}
    for name in names:
        if name == "pom.xml":
            from dllicense.discover.ecosystems.maven import read_pom

            readers[name] = lambda rel, data: read_pom(data, rel, root, problems)
        elif name in GRADLE_FILES:
            from dllicense.discover.ecosystems.gradle import read_gradle

            readers[name] = lambda rel, data: read_gradle(
                data.decode("utf-8", "replace"), rel, properties, catalog, problems
            )
        elif name in CONDA_FILES:
            from dllicense.discover.ecosystems.conda import read_conda

            def conda(rel: str, data: bytes) -> list[Declaration]:
                found, more = read_conda(data.decode("utf-8", "replace"), rel, root)
                problems.extend(more)
                return found

            readers[name] = conda
        elif name.endswith(".rockspec"):
            from dllicense.discover.ecosystems.luarocks import read_rockspec

            readers[name] = lambda rel, data: read_rockspec(data.decode("utf-8", "replace"), rel)
    for name, reader in readers.items():
        try:
            declarations += reader(name, read_manifest(root / name))
            files.append(name)
        except OSError as error:
            problems.append(
                Problem("DL070", f"{name}: cannot read ({error.strerror})", location=Location(name))
            )
        except ManifestError as error:
            problems.append(
                Problem("DL070", f"{name}: {error}", location=Location(name, error.line))
            )
    return declarations, problems, files


def pip_declared(root: Path) -> tuple[list[Declared], list[str]]:
    """The ``pip:`` lists of the root's ``environment.yml``: runtime requirements of the
    project like a requirements file's (resolved, walked and fetched like them). Problems
    of the file are reported once, by ``ecosystem_packages``."""
    out: list[Declared] = []
    files: list[str] = []
    for name in CONDA_FILES:
        path = root / name
        if not path.is_file():
            continue
        from dllicense.discover.ecosystems.conda import read_conda

        try:
            found, _ = read_conda(read_manifest(path).decode("utf-8", "replace"), name, root)
        except (OSError, ManifestError):
            continue
        files.append(name)
        for declaration in found:
            if declaration.ecosystem != "pypi":
                continue
            item = parse_line(declaration.raw, "runtime", declaration.location)
            if isinstance(item, Declared):
                out.append(item)
    return out, files


def conda_python(root: Path) -> tuple[str, str] | None:
    """The Python the root's ``environment.yml`` (or ``.yaml``) pins: (``X.Y`` or ``X.Y.Z``,
    ``"environment.yml: python=3.8.5"``), or ``None`` (no file, no pin, a range, files that
    disagree). An unreadable file is reported by ``ecosystem_packages``, not here."""
    pins: set[tuple[str, str]] = set()
    for name in CONDA_FILES:
        path = root / name
        if not path.is_file():
            continue
        from dllicense.discover.ecosystems.conda import python_pin

        try:
            pin = python_pin(read_manifest(path).decode("utf-8", "replace"))
        except (OSError, ManifestError):
            return None
        if pin is None:
            return None
        pins.add((pin[0], f"{name}: {pin[1]}"))
    versions = {version for version, _ in pins}
    return min(pins) if len(versions) == 1 else None
