"""Licence evidence of one model: from the Hub's answer, or from a folder (the project's,
or a snapshot in the Hugging Face cache): card, licence files, weights headers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dllicense.collect.cardfields import (
    CardLicense,
    card_license,
    front_matter,
    license_lines,
    terms_evidence,
)
from dllicense.collect.hubcache import Unreadable, read_inside
from dllicense.discover.yamlsubset import YamlError
from dllicense.models import Evidence, EvidenceKind, Location, Problem

if TYPE_CHECKING:
    from dllicense.collect.hub import HubAnswer

MAX_CARD_BYTES = 1024 * 1024
MAX_LICENSE_BYTES = 1024 * 1024
_LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING)([._-].*)?$", re.IGNORECASE)


# Weights published outside the Hub (or timm's, when no card is found): their documented
# terms, which always need review (knowledge/licenserefs.toml), never the code's licence.
_WEIGHTS_TERMS = {
    "torchvision": "LicenseRef-dllicense-torchvision-weights",
    "torch-hub": "LicenseRef-dllicense-torch-hub-weights",
    "timm": "LicenseRef-dllicense-timm-weights",
}


def weights_terms(origin: str) -> Evidence:
    """The knowledge base's record for weights of ``origin`` (no card says more)."""
    key = _WEIGHTS_TERMS[origin]
    return Evidence(
        "knowledge",
        f"knowledge:{key}",
        f"{origin} pretrained weights",
        key,
        note="documented terms of the weights and their training data: needs review",
    )


def hub_evidence(answer: HubAnswer) -> tuple[list[Evidence], list[Problem]]:
    """Evidence of one Hub answer: card metadata, ``license:`` tags, licence file, terms."""
    label = f"Hub {answer.repo}@{answer.sha[:12] or answer.revision or 'main'}"
    how = answer.how
    evidence: list[Evidence] = []
    problems: list[Problem] = []
    try:
        card = card_license(answer.card)
    except ValueError as error:
        card = None
        problems.append(Problem("DL063", f"{label} cardData: {error}", answer.repo, answer.sha))
    tagged = sorted(t.split(":", 1)[1] for t in answer.tags if t.startswith("license:"))
    if card is not None:
        note = "; ".join(x for x in (card.note, how) if x)
        evidence.append(
            Evidence("model-card", f"{label} cardData", card.value, card.expression, note=note)
        )
    if tagged and (card is None or not card.expression):
        try:
            from_tags = card_license({"license": tagged})
        except ValueError:
            from_tags = None
        if from_tags is not None:
            note = "; ".join(
                x for x in (from_tags.note, "from the repository's license: tags", how) if x
            )
            kind: EvidenceKind = "model-card" if card is None else "license"
            evidence.append(
                Evidence(kind, f"{label} tags", from_tags.value, from_tags.expression, note=note)
            )
    found = answer.license_file
    if found is not None:
        data = found.text.encode("utf-8")
        expression, note = _identified(data)
        first = next((line.strip() for line in found.text.splitlines() if line.strip()), "")
        evidence.append(
            Evidence(
                "license-file",
                f"{label}/{found.name}",
                first[:120],
                expression,
                sha256=found.sha256,
                note=f"{note}; downloaded from the Hub ({found.size} bytes)",
            )
        )
    evidence += terms_evidence(answer.card, f"{label} cardData", answer.gated)
    if not evidence:
        evidence.append(
            Evidence(
                "model-card", f"{label} cardData", "", "", note=f"the card names no licence; {how}"
            )
        )
    for note in answer.notes:
        problems.append(Problem("DL063", f"{label}: {note}", answer.repo, answer.sha))
    return evidence, problems


def _identified(data: bytes) -> tuple[str, str]:
    """(expression, note) of a licence text from the shipped table of known texts (no engine)."""
    from dllicense.licenses.ownlicence import own_licence
    from dllicense.licenses.textid import record_to_identification, shipped_table, text_key

    record = shipped_table()["texts"].get(text_key(data))
    if not isinstance(record, dict):
        return "", "text not in the table of known licence texts: read it"
    ident = record_to_identification(record, hashlib.sha256(data).hexdigest(), "table", "table")
    own, _ = own_licence(ident.matches)
    return own, "identified from the table of known licence texts" if own else "no licence found"


def folder_evidence(
    folder: Path, label: str, boundary: Path, in_project: bool = True
) -> tuple[list[Evidence], list[Problem], CardLicense | None]:
    """Evidence of one model folder: the card's front matter and its licence files.

    ``label`` names the folder in reports; problems carry a location only for
    folders of the project (``in_project``).
    """
    evidence: list[Evidence] = []
    problems: list[Problem] = []
    card: CardLicense | None = None
    link = ""
    fields: dict[str, Any] = {}
    readme = folder / "README.md"
    if readme.exists() or readme.is_symlink():
        try:
            text = read_inside(readme, boundary, MAX_CARD_BYTES).decode("utf-8", "replace")
            try:
                fields = front_matter(text)
            except YamlError as error:
                fields = license_lines(text)
                if not fields:
                    raise
                problems.append(
                    Problem(
                        "DL063",
                        f"{label}/README.md: model card front matter is not valid YAML "
                        f"({error}); only its license lines were read",
                        location=Location(f"{label}/README.md", error.line + 1)
                        if in_project
                        else None,
                    )
                )
            card = card_license(fields)
            raw_link = fields.get("license_link")
            link = raw_link if isinstance(raw_link, str) else ""
        except (Unreadable, YamlError, ValueError) as error:
            line = error.line + 1 if isinstance(error, YamlError) else None
            problems.append(
                Problem(
                    "DL063",
                    f"{label}/README.md: model card not readable: {error}",
                    location=Location(f"{label}/README.md", line) if in_project else None,
                )
            )
        if card is not None:
            evidence.append(
                Evidence(
                    "model-card",
                    f"{label}/README.md front matter",
                    card.value,
                    card.expression,
                    note=card.note,
                )
            )
        evidence += terms_evidence(fields, f"{label}/README.md front matter")
    evidence += _weights_evidence(folder, label, problems)
    names = _license_files(folder, link)
    for name in names:
        try:
            data = read_inside(folder / name, boundary, MAX_LICENSE_BYTES)
        except Unreadable as error:
            problems.append(Problem("DL063", f"{label}/{name}: {error}"))
            continue
        expression, note = _identified(data)
        lines = (line.strip() for line in data.decode("utf-8", "replace").splitlines())
        first = next((line for line in lines if line), "")
        evidence.append(
            Evidence(
                "license-file",
                f"{label}/{name}",
                first[:120],
                expression,
                sha256=hashlib.sha256(data).hexdigest(),
                note=note,
            )
        )
    if card is None and not names:
        where = "no README.md model card" if not readme.exists() else "no license in the card"
        evidence.append(
            Evidence(
                "model-card", f"{label}/README.md", "", "", note=f"{where} and no LICENSE file"
            )
        )
    return evidence, problems, card


def _weights_evidence(folder: Path, label: str, problems: list[Problem]) -> list[Evidence]:
    """Licences written in the safetensors and GGUF headers of a model folder (bounded reads)."""
    from dllicense.collect import ggufheader, weights

    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith(weights.SUFFIXES))
    except OSError:
        return []
    out = []
    for name in names[: weights.MAX_FILES]:
        gguf = name.endswith(".gguf")
        try:
            if gguf:
                fields: Mapping[str, Any] = ggufheader.license_fields(
                    ggufheader.gguf_metadata(folder / name)
                )
            else:
                fields = weights.license_fields(weights.safetensors_metadata(folder / name))
            card = card_license(fields) if fields else None
        except (OSError, weights.WeightsError, ValueError) as error:
            problems.append(Problem("DL063", f"{label}/{name}: weights header not read: {error}"))
            continue
        if card is not None:
            where = "general.license" if gguf else "__metadata__"
            kind = "GGUF header" if gguf else "safetensors header"
            out.append(
                Evidence(
                    "weights-metadata",
                    f"{label}/{name} {where}",
                    card.value,
                    card.expression,
                    note="; ".join(x for x in (card.note, kind) if x),
                )
            )
    return out


def _license_files(folder: Path, link: str) -> list[str]:
    try:
        entries = sorted(p.name for p in folder.iterdir())
    except OSError:
        return []
    names = [n for n in entries if _LICENSE_FILE.match(n)]
    if link and "/" not in link and ":" not in link and link in entries and link not in names:
        names.append(link)
    return names
