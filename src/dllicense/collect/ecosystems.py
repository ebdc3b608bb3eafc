"""Evidence for the dependencies declared in Maven, Gradle, conda and LuaRocks manifests.

discover reads the declarations (``dllicense.discover.ecosystems``); here each
becomes an ``ExternalPackage`` with what the knowledge base says of it and the
manifest lines that declare it. Unknown names get no licence (the policy's
unknown-licence finding).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dllicense.discover.ecosystems import DIRECT_ONLY, Declaration, ecosystem_declarations
from dllicense.models import Evidence, ExternalPackage, Node, Problem

if TYPE_CHECKING:
    from dllicense.knowledge import Framework


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
