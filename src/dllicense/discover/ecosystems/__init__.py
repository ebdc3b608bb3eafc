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
the knowledge base and becomes an ``ExternalPackage``; unknown names get no
licence (the policy's unknown-licence finding).
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
    read_manifest,
)
from dllicense.discover.ecosystems.conda import conda_version, read_conda
from dllicense.discover.ecosystems.gradle import (
    Catalog,
    gradle_properties,
    read_catalog,
    read_gradle,
)
from dllicense.discover.ecosystems.luarocks import read_rockspec
from dllicense.discover.ecosystems.maven import read_pom
from dllicense.journal import note_folder
from dllicense.models import Declared, Evidence, ExternalPackage, Location, Node, Problem

if TYPE_CHECKING:
    from dllicense.knowledge import Framework

__all__ = [
    "DIRECT_ONLY",
    "Declaration",
    "conda_version",
    "ecosystem_declarations",
    "ecosystem_packages",
    "pip_declared",
]


def _read_catalog(root: Path, problems: list[Problem], files: list[str]) -> Catalog | None:
    """The project's ``gradle/libs.versions.toml``, or ``None`` (absent, or a finding)."""
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
            readers[name] = lambda rel, data: read_pom(data, rel, root, problems)
        elif name in GRADLE_FILES:
            readers[name] = lambda rel, data: read_gradle(
                data.decode("utf-8", "replace"), rel, properties, catalog, problems
            )
        elif name in CONDA_FILES:

            def conda(rel: str, data: bytes) -> list[Declaration]:
                found, more = read_conda(data.decode("utf-8", "replace"), rel, root)
                problems.extend(more)
                return found

            readers[name] = conda
        elif name.endswith(".rockspec"):
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


_MAPPING = "prefix.dev parselmouth conda-PyPI mapping"


def _as_pypi(declaration: Declaration) -> tuple[str, Framework | None]:
    """The PyPI project a conda package is, when that is a knowledge-base framework."""
    from dllicense.knowledge import framework_for
    from dllicense.knowledge.conda_pypi import pypi_names

    for name in pypi_names(declaration.name, declaration.channel or None):
        framework = framework_for(name, "pypi")
        if framework is not None:
            return name, framework
    return "", None


def _knowledge(declaration: Declaration) -> Evidence:
    """What the knowledge base says about one declaration (an expression, or why none)."""
    from dllicense.knowledge import framework_for, framework_license

    ecosystem = declaration.ecosystem
    framework = framework_for(declaration.name, ecosystem)
    mapped = ""
    if framework is None and ecosystem == "conda":
        mapped, framework = _as_pypi(declaration)
        if framework is not None:
            ecosystem = "pypi"
    if framework is None:
        where = {
            "maven": "its POM",
            "conda": "its recipe",
            "luarocks": "its rockspec",
            "pypi": "its wheel metadata",
        }[ecosystem]
        return Evidence(
            "knowledge",
            f"knowledge:{ecosystem}",
            declaration.name,
            "",
            note=f"{declaration.name} is not a framework of the dllicense knowledge base and "
            f"{where} is not fetched: clarify its licence in the policy",
        )
    name = mapped or declaration.name
    period = framework_license(name, declaration.version or None, ecosystem)
    note = f"conda {declaration.name} is PyPI {mapped} ({_MAPPING})" if mapped else ""
    if period is None and not declaration.version:
        expressions = {p.expression for p in framework.licenses}
        if len(expressions) == 1:
            period = framework.licenses[0]
            note = "; ".join(
                x for x in (note, "version not pinned; every known version has this licence") if x
            )
        else:
            return Evidence(
                "knowledge",
                f"knowledge:{framework.key}",
                framework.name,
                "",
                note=f"{framework.name}'s licence depends on the version "
                f"({', '.join(sorted(expressions))}): pin an exact version",
            )
    if period is None:
        return Evidence(
            "knowledge",
            f"knowledge:{framework.key}",
            f"{framework.name} {declaration.version}",
            "",
            note=f"no licence is recorded for {framework.name} {declaration.version}",
        )
    expression = period.expression
    if declaration.ecosystem == "pypi":  # a wheel; a conda package is built from the sources
        expression = period.wheel_expression or period.expression
    return Evidence(
        "knowledge",
        f"knowledge:{framework.key}",
        f"{framework.name} {period.versions or 'all versions'}",
        expression,
        note="; ".join(x for x in (note, *period.sources) if x),
    )


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


def ecosystem_packages(root: Path) -> tuple[list[ExternalPackage], list[Problem]]:
    """One ``ExternalPackage`` per dependency declared in the root's non-PyPI manifests."""
    declarations, problems, _ = ecosystem_declarations(root)
    groups: dict[tuple[str, str, str], list[Declaration]] = {}
    for declaration in declarations:
        if declaration.ecosystem == "pypi":
            continue  # environment.yml's pip: list is declared like requirements (pip_declared)
        key = (declaration.ecosystem, declaration.name, declaration.version)
        groups.setdefault(key, []).append(declaration)
    packages = []
    for (ecosystem, name, version), found in sorted(groups.items()):
        first = found[0]
        scopes = tuple(sorted({d.scope for d in found}))
        node = Node(name, version, scopes, (name,), (), (), True)
        declared = tuple(
            Evidence(
                "declaration",
                f"{d.location.file}:{d.location.line}" if d.location.line else d.location.file,
                d.raw,
                note="; ".join(x for x in (d.note, DIRECT_ONLY) if x),
            )
            for d in found
        )
        evidence = (_knowledge(first), *declared)
        packages.append(ExternalPackage(node, ecosystem, evidence, (), first.location))
    return packages, problems
