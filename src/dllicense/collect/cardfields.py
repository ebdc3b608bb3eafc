"""A model card's licence fields: the YAML front matter, ``license:`` mapped to SPDX or
``LicenseRef-…`` through the knowledge base, and the terms a card or the Hub states
(``commercial: false``, gating)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dllicense.discover.yamlsubset import YamlError
from dllicense.models import Evidence
from dllicense.records import frozen

MAX_FRONT_MATTER = 256 * 1024  # characters of YAML handed to the parser
NON_COMMERCIAL = "LicenseRef-dllicense-card-non-commercial"
MAX_TERMS_CHARS = 300  # of a gating prompt quoted in evidence and findings
# Hub ids that name an SPDX licence under another spelling (hub-docs repositories-licenses.md:
# "Open Data Commons License Attribution family", "Open Database License family", "Public
# Domain Dedication and License", "Lesser General Public License For Linguistic Resources",
# "Computational Use of Data Agreement"; each has a single SPDX version). Every other Hub id
# is an SPDX id itself or a `huggingface_ids` entry of a knowledge-base record (family ids
# such as `bsd`, `gpl`, `cc` map to the `LicenseRef-dllicense-unspecified-*` placeholders);
# tests/fixtures/hub-licenses.md lists them and tests/models/test_hub_licenses.py checks it.
_HUB_SPDX = {
    "odc-by": "ODC-By-1.0",
    "odbl": "ODbL-1.0",
    "pddl": "PDDL-1.0",
    "lgpl-lr": "LGPLLR",
    "c-uda": "C-UDA-1.0",
}


@frozen
class CardLicense:
    """The licence a model card states: the mapped expression, the raw fields and a note."""

    expression: str
    value: str
    note: str = ""


def front_matter(text: str) -> dict[str, Any]:
    """The YAML front matter of a model card ({} when there is none); raises ``YamlError``.

    Parsed with PyYAML's ``safe_load`` (no tags constructed), after bounding its size.
    """
    import yaml

    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            body = "\n".join(lines[1:number])
            if len(body) > MAX_FRONT_MATTER:
                raise YamlError(f"front matter larger than {MAX_FRONT_MATTER // 1024} KB", 1)
            try:
                data = yaml.safe_load(body)
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                line_no = (mark.line + 1) if mark is not None else 1
                problem = getattr(error, "problem", None) or type(error).__name__
                raise YamlError(str(problem), line_no) from error
            except RecursionError as error:
                raise YamlError("nested too deeply", 2) from error
            if data is None:
                return {}
            if not isinstance(data, dict):
                raise YamlError("the front matter is not a mapping", 2)
            return data
    raise YamlError("the front matter has no closing '---'", len(lines))


_LICENSE_LINE = re.compile(r"^(license|license_name|license_link)\s*:\s*(\S.*?)\s*$")


def license_lines(text: str) -> dict[str, Any]:
    """The top-level ``license*:`` lines of a front matter YAML cannot parse (a fallback)."""
    found: dict[str, Any] = {}
    for line in text.lstrip("\ufeff").splitlines()[1:]:
        if line.strip() in ("---", "..."):
            break
        match = _LICENSE_LINE.match(line)
        if match and match.group(1) not in found and match.group(2)[0] not in "*&!|>[{%@`":
            value = match.group(2).split(" #")[0].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            found[match.group(1)] = value
    return found


def _licenseref(name: str) -> str:
    text = name.strip().replace("+", "-plus")
    return "LicenseRef-hf-" + (re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.") or "unnamed")


def hub_license(hub_id: str, license_name: str = "") -> tuple[str, str]:
    """(expression, note) for one ``license:`` value of a card."""
    from dllicense.knowledge import huggingface_license_key
    from dllicense.licenses.spdx import normalize

    value = hub_id.strip()
    if value.lower() == "unknown":
        return "", "the card says license: unknown"
    if value.lower() == "other":
        if not license_name:
            return "", "license: other without license_name"
        known = huggingface_license_key(license_name)
        if known:
            return known, f"license: other, license_name {license_name!r} is {known}"
        return _licenseref(license_name), (
            f"license: other, license_name {license_name!r} is not in the dllicense knowledge "
            "base: read the licence (license_link) and record a review"
        )
    known = huggingface_license_key(_HUB_SPDX.get(value.lower(), value))
    if known:
        return known, ""
    normal = normalize(value)
    if normal.expression:
        return normal.expression, f"{value!r} is not a Hub licence id; read as {normal.expression}"
    return _licenseref(value), (
        f"Hub licence id {value!r} is not in the dllicense knowledge base: read the licence"
    )


def card_license(fields: Mapping[str, Any]) -> CardLicense | None:
    """The licence of a card's front matter; None when it has no ``license`` field.

    A list of licences means every one applies (AND). Raises ``ValueError``
    for a field that is neither a string nor a list of strings.
    """
    if "license" not in fields:
        return None
    raw = fields.get("license")
    name = fields.get("license_name") or ""
    link = fields.get("license_link") or fields.get("license_url") or ""
    if not isinstance(name, str) or not isinstance(link, str):
        raise ValueError("license_name and license_link must be strings")
    if raw is None:
        return CardLicense("", "license:", "the license field is empty")
    ids = [raw] if isinstance(raw, str) else raw
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ValueError("license must be a Hub licence id or a list of them")
    parts = [hub_license(i, name) for i in ids]
    expressions = [e for e, _ in parts if e]
    notes = [n for _, n in parts if n]
    if len(ids) > 1:
        notes.append("several licences are listed: all of them apply (read as AND)")
    if link:
        notes.append(f"license_link: {link}")
    value = "license: " + (raw if isinstance(raw, str) else "[" + ", ".join(ids) + "]")
    if name:
        value += f", license_name: {name}"
    wrapped = [f"({e})" if " " in e and len(expressions) > 1 else e for e in expressions]
    expression = " AND ".join(dict.fromkeys(wrapped)) if len(expressions) == len(ids) else ""
    return CardLicense(expression, value, "; ".join(notes))


def terms_evidence(fields: Mapping[str, Any], source: str, gated: str = "") -> list[Evidence]:
    """What a card adds to its licence: ``commercial: false`` and gated access terms.

    ``gated`` is the Hub's answer ("auto", "manual"); a card's ``extra_gated_*``
    fields alone also count (a copy of a gated card).
    """
    out = []
    commercial = fields.get("commercial")
    if commercial is False or (isinstance(commercial, str) and commercial.lower() == "false"):
        out.append(
            Evidence(
                "card-terms",
                source,
                "commercial: false",
                NON_COMMERCIAL,
                note="the card says the model may not be used commercially",
            )
        )
    prompt = fields.get("extra_gated_prompt")
    heading = fields.get("extra_gated_heading")
    words = " ".join(
        " ".join(x.split()) for x in (heading, prompt) if isinstance(x, str) and x.strip()
    )
    if gated or words:
        how = f"is gated on the Hub ({gated} approval)" if gated else "needs the card's terms"
        quoted = words[:MAX_TERMS_CHARS] + ("…" if len(words) > MAX_TERMS_CHARS else "")
        out.append(Evidence("access-terms", source, quoted or "(no prompt text)", note=how))
    return out
