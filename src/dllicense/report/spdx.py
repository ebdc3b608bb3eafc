"""``--format spdx``: an SPDX 2.3 JSON document built with spdx-tools.

The project is the described package; each scanned package has its concluded
licence (dllicense's verdict), its declared licence (the metadata's own
expression), a purl and ``DEPENDS_ON`` relationships from the nodes'
``requires``. ``LicenseRef-`` ids get an extracted-licensing-info entry. The
creation time is ``result.generated``, else the epoch (the field is mandatory).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dllicense.models import Node, PackageResult, ScanResult
from dllicense.report.common import content_digest, require, trait
from dllicense.report.cyclonedx import required

if TYPE_CHECKING:
    from spdx_tools.spdx.model.document import Document
    from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
    from spdx_tools.spdx.model.package import Package

NAMESPACE = "https://spdx.org/spdxdocs/dllicense"
_LICENSEREF = re.compile(r"(?<![\w.\-])(?:DocumentRef-[\w.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+")
_DECLARED_KINDS = ("license-expression", "license", "classifier")


def spdx_id(name: str, version: str, ecosystem: str = "pypi") -> str:
    """An SPDX element id for a package: letters, digits, ``.`` and ``-`` only."""
    return f"SPDXRef-Package-{ecosystem}-" + re.sub(r"[^A-Za-z0-9.\-]", "-", f"{name}-{version}")


def node_id(node: Node) -> str:
    """The id of a node, named by its ecosystem (a conda package, a Hugging Face model or
    dataset, a Maven artifact are not PyPI distributions; a model and a dataset may share
    a name)."""
    ecosystem = node.ecosystem or "pypi"
    if ecosystem == "huggingface" and node.scopes:
        ecosystem = f"huggingface-{node.scopes[0]}"
    return spdx_id(node.name, node.version, re.sub(r"[^A-Za-z0-9.\-]", "-", ecosystem))


def package_ids(packages: Sequence[PackageResult]) -> list[str]:
    """One unique id per package, in order: a package whose id is taken gets ``-2``, ``-3``...
    (conda's ``typing-extensions`` and ``typing_extensions`` 4.12.2 are two packages of one
    pixi.lock whose names read the same once ``_`` is replaced)."""
    used: set[str] = set()
    out = []
    for p in packages:
        base = candidate = node_id(p.node)
        n = 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        out.append(candidate)
    return out


@cache
def _licensing() -> Any:
    """license-expression's SPDX licensing (what spdx-tools parses with)."""
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def _expression(text: str) -> Any:
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    if not text:
        return SpdxNoAssertion()
    try:
        return _licensing().parse(text)
    except Exception:  # an expression the SPDX parser rejects is not asserted
        return SpdxNoAssertion()


def _declared(p: PackageResult) -> str:
    """The expression the package's own metadata states, most explicit field first."""
    for kind in _DECLARED_KINDS:
        for e in p.evidence:
            if e.kind == kind and e.expression:
                return e.expression
    return ""


def _package(p: PackageResult, pid: str) -> Package:
    from spdx_tools.spdx.model.package import (
        ExternalPackageRef,
        ExternalPackageRefCategory,
        Package,
        PackagePurpose,
    )
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    from dllicense.report.cyclonedx import purl

    notes = [*p.verdict.notes, *p.verdict.disagreements]
    if p.chosen:
        notes.insert(0, f"The policy accepted the branch {p.chosen}.")
    return Package(
        spdx_id=pid,
        name=p.node.name,
        version=p.node.version or None,
        download_location=SpdxNoAssertion(),
        files_analyzed=False,
        license_concluded=_expression(p.verdict.expression),
        license_declared=_expression(_declared(p)),
        license_comment="; ".join(notes) or None,
        copyright_text=SpdxNoAssertion(),
        external_references=[
            ExternalPackageRef(
                ExternalPackageRefCategory.PACKAGE_MANAGER,
                "purl",
                purl(p.node),
            )
        ],
        primary_package_purpose=PackagePurpose.LIBRARY,
        comment=(
            f"dllicense: status {p.status}; confidence {p.verdict.confidence}; decided by "
            f"{', '.join(p.verdict.decided_by) or 'nothing'}; family {trait(p, 'family')}; "
            f"patent {trait(p, 'patent')}; commercial use {trait(p, 'commercial')}; "
            f"scopes {', '.join(p.node.scopes)}"
        ),
    )


def _extracted(result: ScanResult, expressions: list[str]) -> list[ExtractedLicensingInfo]:
    """One entry per ``LicenseRef-`` used, with a shipped text when the scan found one."""
    from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo

    names = {t.key: t.name for p in result.packages for t in p.verdict.traits}
    texts = {t.expression: t.text for t in result.texts if t.expression}
    refs = sorted({m for e in expressions for m in _LICENSEREF.findall(e) if ":" not in m})
    return [
        ExtractedLicensingInfo(
            license_id=ref,
            extracted_text=texts.get(ref)
            or (
                f"No licence text is recorded for {ref}. dllicense uses this reference for: "
                f"{names.get(ref) or ref}."
            ),
            license_name=names.get(ref) or ref,
        )
        for ref in refs
    ]


def build(result: ScanResult) -> Document:
    """The ``spdx_tools`` document of ``result``."""
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.document import CreationInfo, Document
    from spdx_tools.spdx.model.package import Package, PackagePurpose
    from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    created = (
        datetime.fromisoformat(result.generated)
        if result.generated
        else datetime(1970, 1, 1, tzinfo=timezone.utc)
    )
    digest = content_digest(result)
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=f"dllicense scan of {result.project}",
        document_namespace=f"{NAMESPACE}/{quote(result.project, safe='')}-{digest[:32]}",
        creators=[Actor(ActorType.TOOL, f"dllicense-{result.tool_version}")],
        created=created.astimezone(timezone.utc).replace(tzinfo=None),
        creator_comment=f"Environment: {result.environment}. Policy: {result.policy}.",
    )
    root_id = "SPDXRef-Project"
    root = Package(
        spdx_id=root_id,
        name=result.project,
        download_location=SpdxNoAssertion(),
        files_analyzed=False,
        primary_package_purpose=PackagePurpose.APPLICATION,
        comment="The scanned project.",
    )
    packages = {p.node.name: p for p in result.packages}
    relationships = [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root_id)]
    tops = [p for p in result.packages if p.node.direct] or [
        p for p in result.packages if not set(p.node.parents) & packages.keys()
    ]
    pids = dict(zip((id(p) for p in result.packages), package_ids(result.packages), strict=True))
    for p in tops:
        pid = pids[id(p)]
        if all(s.startswith("group:") for s in p.node.scopes):
            relationships.append(Relationship(pid, RelationshipType.DEV_DEPENDENCY_OF, root_id))
        elif all(s.startswith("extra:") for s in p.node.scopes):
            relationships.append(
                Relationship(pid, RelationshipType.OPTIONAL_DEPENDENCY_OF, root_id)
            )
        else:
            relationships.append(Relationship(root_id, RelationshipType.DEPENDS_ON, pid))
    ids: dict[tuple[str, str], list[str]] = {}
    for p in result.packages:
        ids.setdefault((p.node.name, p.node.version), []).append(pids[id(p)])
    for p in result.packages:
        for child in dict.fromkeys(required(p, ids)):
            relationships.append(Relationship(pids[id(p)], RelationshipType.DEPENDS_ON, child))
    expressions = [e for p in result.packages for e in (p.verdict.expression, _declared(p))]
    return Document(
        creation_info=creation,
        packages=[root, *(_package(p, pids[id(p)]) for p in result.packages)],
        relationships=relationships,
        extracted_licensing_info=_extracted(result, expressions),
    )


def render(result: ScanResult) -> str:
    require("spdx_tools", "spdx", "spdx-tools")
    from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter

    converter = DocumentConverter()  # type: ignore[no-untyped-call]
    data = converter.convert(build(result))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
