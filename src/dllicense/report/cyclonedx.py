"""``--format cyclonedx``: a CycloneDX 1.6 JSON SBOM built with cyclonedx-python-lib.

One component per package (purl ``pkg:pypi/name@version``, the concluded
licence as an SPDX id or expression, dllicense's verdict as properties) and
the dependency graph from the nodes' ``requires``. No timestamp unless
``result.generated``; the serial number is derived from the content.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from dllicense.models import Node, PackageResult, ScanResult
from dllicense.report.common import content_digest, require, trait

if TYPE_CHECKING:
    from cyclonedx.model.component import Component
    from packageurl import PackageURL

PROPERTY_PREFIX = "dllicense:"


def package_url(node: Node) -> PackageURL:
    """The package URL of a node: a PyPI distribution, a Hugging Face model or dataset,
    a Maven artifact (``group:artifact``), a conda or LuaRocks package."""
    from packageurl import PackageURL

    namespace = None
    name = node.name
    if node.ecosystem == "maven" and ":" in name:
        namespace, name = name.split(":", 1)
    elif node.ecosystem == "huggingface" and "/" in name:
        namespace, name = name.rsplit("/", 1)
    kind = (
        node.ecosystem
        if node.ecosystem in ("pypi", "huggingface", "maven", "conda", "luarocks")
        else "generic"
    )
    return PackageURL(type=kind, namespace=namespace, name=name, version=node.version or None)


def purl(node: Node) -> str:
    return str(package_url(node).to_string())


def _component(p: PackageResult) -> Component:
    try:
        from cyclonedx.contrib.license.factories import LicenseFactory
    except ImportError:  # cyclonedx-python-lib before the contrib package
        from cyclonedx.factory.license import LicenseFactory
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component, ComponentScope, ComponentType
    from cyclonedx.model.license import LicenseAcknowledgement

    licences = []
    if p.verdict.expression:
        licences.append(
            LicenseFactory().make_from_string(
                p.verdict.expression, license_acknowledgement=LicenseAcknowledgement.CONCLUDED
            )
        )
    runtime = any(s in ("runtime", "environment") for s in p.node.scopes)
    properties = [
        ("status", p.status),
        ("license:confidence", p.verdict.confidence),
        ("license:decided-by", ", ".join(p.verdict.decided_by)),
        ("license:chosen", p.chosen),
        ("family", trait(p, "family")),
        ("patent", trait(p, "patent")),
        ("commercial", trait(p, "commercial")),
        ("scopes", ", ".join(p.node.scopes)),
        ("direct", "true" if p.node.direct else "false"),
        ("path", " > ".join(p.node.path)),
    ]
    return Component(
        type=ComponentType.LIBRARY,
        name=p.node.name,
        version=p.node.version,
        bom_ref=purl(p.node),
        purl=package_url(p.node),
        scope=ComponentScope.REQUIRED if runtime else ComponentScope.OPTIONAL,
        licenses=licences,
        properties=[Property(name=PROPERTY_PREFIX + k, value=v) for k, v in properties if v],
    )


def _serial(result: ScanResult) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, "urn:dllicense:" + content_digest(result))


def build(result: ScanResult) -> object:
    """The ``cyclonedx.model.bom.Bom`` of ``result``."""
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.dependency import Dependency
    from cyclonedx.model.tool import ToolRepository

    # one component per package version (--all-targets lists several versions of a name)
    components = {_key(p): _component(p) for p in result.packages}
    by_name: dict[str, list[str]] = {}
    keys: dict[tuple[str, str], list[str]] = {}
    for p in result.packages:
        by_name.setdefault(p.node.name, []).append(_key(p))
        keys.setdefault((p.node.name, p.node.version), []).append(_key(p))
    root = Component(
        type=ComponentType.APPLICATION,
        name=result.project,
        bom_ref=f"dllicense-project:{result.project}",
    )
    tool = Component(type=ComponentType.APPLICATION, name="dllicense", version=result.tool_version)
    metadata = BomMetaData(
        tools=ToolRepository(components=[tool]),
        component=root,
        timestamp=datetime.fromisoformat(result.generated) if result.generated else None,
    )
    bom = Bom(serial_number=_serial(result), metadata=metadata, components=components.values())
    tops = [p for p in result.packages if p.node.direct] or [
        p for p in result.packages if not set(p.node.parents) & by_name.keys()
    ]
    bom.dependencies.add(
        Dependency(
            ref=root.bom_ref,
            dependencies=[Dependency(ref=components[_key(p)].bom_ref) for p in tops],
        )
    )
    for p in result.packages:
        bom.dependencies.add(
            Dependency(
                ref=components[_key(p)].bom_ref,
                dependencies=[Dependency(ref=components[k].bom_ref) for k in required(p, keys)],
            )
        )
    return bom


def required(package: PackageResult, keys: Mapping[tuple[str, str], list[str]]) -> list[str]:
    """The keys of the packages ``package`` requires: by identity (``Node.depends``); a
    name required with no identity recorded (conda's edges) stands for each of its versions."""
    node = package.node
    named = {n for n, _ in node.depends}
    out = [k for ref in node.depends for k in keys.get(ref, ())]
    rest = set(node.requires) - named
    return out + [k for (n, _), ks in keys.items() if n in rest for k in ks]


def _key(package: PackageResult) -> str:
    """A component's identity: ecosystem, name and version (the purl's parts)."""
    return f"{package.node.ecosystem}:{package.node.name}@{package.node.version}"


def render(result: ScanResult) -> str:
    require("cyclonedx", "cyclonedx", "cyclonedx-python-lib")
    from cyclonedx.model.bom import Bom
    from cyclonedx.output import make_outputter
    from cyclonedx.schema import OutputFormat, SchemaVersion

    bom = build(result)
    assert isinstance(bom, Bom)
    text = make_outputter(bom, OutputFormat.JSON, SchemaVersion.V1_6).output_as_string()
    data = json.loads(text)
    if not result.generated:  # the library stamps "now"; a report must not
        data.get("metadata", {}).pop("timestamp", None)
    first = ("$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata")
    ordered = {k: data[k] for k in first if k in data} | data
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
