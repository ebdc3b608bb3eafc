"""PEP 770 SBOMs in ``*.dist-info/sboms/``: the third-party components a wheel bundles.

CycloneDX and SPDX JSON documents are read (bounded) for each component's
name, version and licence. The components become evidence of kind
``sbom-component``: listed in the reports and the notices, never deciding the
package's own licence (an SBOM may list optional components the wheel does
not contain, as pillow's does).
"""

from __future__ import annotations

import os
from typing import Any

from dllicense.licenses.spdx import normalize, normalize_expression
from dllicense.models import Distribution, Evidence, Problem
from dllicense.parsing import parse_json
from dllicense.paths import reason
from dllicense.readfile import read_bounded

SBOM_LIMIT = 8 * 1024 * 1024


def sbom_evidence(dist: Distribution) -> tuple[list[Evidence], list[Problem]]:
    folder = os.path.join(dist.path, "sboms")
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if e.is_file() and e.name.endswith(".json"))
    except OSError:
        return [], []
    evidence: list[Evidence] = []
    problems: list[Problem] = []
    for name in names:
        rel = f"sboms/{name}"
        try:
            data, size = read_bounded(os.path.join(folder, name), SBOM_LIMIT)
            if size > SBOM_LIMIT:
                raise ValueError(f"larger than {SBOM_LIMIT // (1024 * 1024)} MB")
            document = parse_json(data)
            components = _components(document)
        except (OSError, ValueError) as exc:
            problems.append(
                Problem("DL114", f"cannot read SBOM {rel}: {reason(exc)}", dist.name, dist.version)
            )
            continue
        for component, version, licence in components:
            found = normalize_expression(licence) if licence else None
            expression = (
                found.expression
                if found and found.expression
                else (normalize(licence).expression if licence else "")
            )
            evidence.append(
                Evidence(
                    "sbom-component",
                    rel,
                    f"{component} {version}".strip(),
                    expression,
                    note="bundled component listed in the wheel's SBOM"
                    + (
                        "" if expression or not licence else f"; licence {licence!r} not understood"
                    ),
                )
            )
    return evidence, problems


def _components(document: Any) -> list[tuple[str, str, str]]:
    """(name, version, licence expression or name) of each component, in document order."""
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    out = []
    if document.get("bomFormat") == "CycloneDX":
        for item in document.get("components") or []:
            if not isinstance(item, dict):
                continue
            licences = []
            for entry in item.get("licenses") or []:
                if isinstance(entry, dict) and entry.get("expression"):
                    licences.append(str(entry["expression"]))
                elif isinstance(entry, dict) and isinstance(entry.get("license"), dict):
                    lic = entry["license"]
                    licences.append(str(lic.get("id") or lic.get("name") or ""))
            joined = " AND ".join(f"({x})" if " OR " in x else x for x in licences if x)
            out.append((str(item.get("name", "")), str(item.get("version", "")), joined))
    elif "spdxVersion" in document:
        for item in document.get("packages") or []:
            if not isinstance(item, dict):
                continue
            licence = next(
                (
                    str(item[k])
                    for k in ("licenseConcluded", "licenseDeclared")
                    if item.get(k) not in (None, "NOASSERTION", "NONE")
                ),
                "",
            )
            out.append((str(item.get("name", "")), str(item.get("versionInfo", "")), licence))
    else:
        raise ValueError("neither CycloneDX nor SPDX JSON")
    return out
