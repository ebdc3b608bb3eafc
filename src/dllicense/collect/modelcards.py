"""Licences of the models and datasets the code loads: model cards and licence files.

Read from a local folder inside the project, or from the Hugging Face cache
(``HF_HUB_CACHE``, else ``$HF_HOME/hub``, else ``$XDG_CACHE_HOME/huggingface/hub``,
else ``~/.cache/huggingface/hub``), laid out as ``models--ORG--NAME/`` (or
``datasets--…``) with ``refs/main`` and ``snapshots/REV/`` whose files are
symlinks into ``blobs/``. Nothing is downloaded and nothing outside the
project or the repository's cache folder is read. With ``--online`` the Hub's
answer (``collect/hub.py``) comes first, the cache is the fallback.

Besides ``license:``, a card's ``commercial: false`` becomes the term
``LicenseRef-dllicense-card-non-commercial`` (evidence ``card-terms``, joined
with AND by classify) and its gating (``extra_gated_prompt``, the Hub's
``gated``) becomes ``access-terms`` evidence and a DL064 to pass on.

A card's ``license:`` Hub id maps to an SPDX id or ``LicenseRef-…`` through
the knowledge base; ``other`` uses ``license_name`` (``LicenseRef-hf-NAME``
when the knowledge base does not know it); ``unknown`` names no licence.

The module, by job: ``cardfields`` (a card's licence fields), ``cardevidence`` (the
evidence of one model, from the Hub or a folder), ``hubcache`` (the local cache);
here, the references of the code made packages.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dllicense.collect.cardevidence import folder_evidence, hub_evidence, weights_terms
from dllicense.collect.cardfields import (
    NON_COMMERCIAL,
    CardLicense,
    card_license,
    front_matter,
    hub_license,
    license_lines,
    terms_evidence,
)
from dllicense.collect.hubcache import CachedRepo, HubCache, hf_cache_root
from dllicense.discover.modelrefs import (
    ModelReference,
    SourceScan,
    file_scope,
    group_references,
    scan_sources,
)
from dllicense.models import Evidence, ExternalPackage, Node, Problem

if TYPE_CHECKING:
    from dllicense.collect.hub import HubClient

__all__ = [
    "NON_COMMERCIAL",
    "CachedRepo",
    "CardLicense",
    "HubCache",
    "card_license",
    "folder_evidence",
    "front_matter",
    "hf_cache_root",
    "hub_evidence",
    "hub_license",
    "license_lines",
    "model_packages",
    "terms_evidence",
]
_NOT_ON_HUB = {
    "torchvision": (
        "torchvision weights carry no licence metadata; torchvision's documentation warns "
        "that pretrained weights may have their own licences (for example from their "
        "training data): read the weights' documentation and clarify the licence in the policy"
    ),
    "torch-hub": (
        "torch.hub models carry no licence metadata that can be read offline: read the "
        "repository's licence and clarify it in the policy"
    ),
}


def model_packages(
    root: Path,
    scan: SourceScan | None = None,
    cache: HubCache | None = None,
    scopes: tuple[str, ...] | None = None,
    hub: HubClient | None = None,
) -> tuple[list[ExternalPackage], list[Problem]]:
    """Every model and dataset the project's code loads, with its licence evidence.

    Problems: references that could not be resolved, files that could not be
    parsed, unreadable model cards, and licence conditions to pass on.
    References only in tests, examples, docs or benchmarks have the scope
    ``group:tests`` (...) after their kind; with ``scopes`` (the ``--scope``
    choices) those of unselected groups are left out, with their problems.
    With ``hub`` (``--online``) Hub repositories are read from the Hub first.
    """
    from dllicense.models import scope_selected

    scan = scan if scan is not None else scan_sources(root)
    if cache is None:
        cache = HubCache(*hf_cache_root())
    packages: list[ExternalPackage] = []

    def wanted(groups: tuple[str, ...]) -> bool:
        return scopes is None or not groups or any(scope_selected(g, scopes) for g in groups)

    problems = [
        p
        for p in scan.problems
        if p.location is None or wanted(_groups([file_scope(p.location.file)]))
    ]
    for first, refs in group_references(scan.references):
        groups = _groups([r.scope for r in refs])
        if not wanted(groups):
            continue
        version, evidence, own = _evidence(root, first, refs, cache, hub)
        node = Node(
            name=first.name,
            version=version,
            scopes=(first.kind, *groups),
            path=(first.name,),
            parents=(),
            requires=(),
            direct=True,
        )
        own += _conditions(first, version, evidence)
        ecosystem = "huggingface" if first.origin in ("huggingface", "timm") else first.origin
        packages.append(
            ExternalPackage(node, ecosystem, tuple(evidence), tuple(own), first.location)
        )
    return packages, problems


def _groups(scopes: list[str]) -> tuple[str, ...]:
    """The group scopes of references from files of these scopes ("" is the product)."""
    if not scopes or "" in scopes:
        return ()
    return tuple(sorted({f"group:{s}" for s in scopes}))


def _evidence(
    root: Path,
    first: ModelReference,
    refs: tuple[ModelReference, ...],
    cache: HubCache,
    hub: HubClient | None = None,
) -> tuple[str, list[Evidence], list[Problem]]:
    references = [
        Evidence(
            "reference",
            f"{r.location.file}:{r.location.line}",
            r.call,
            note="; ".join(x for x in (f"weights {r.variant}" if r.variant else "", r.note) if x),
        )
        for r in refs
    ]
    if first.origin in _NOT_ON_HUB:
        missing = Evidence("model-card", first.origin, "", "", note=_NOT_ON_HUB[first.origin])
        return "", [missing, weights_terms(first.origin), *references], []
    if first.origin == "local":
        path = root / first.name
        found, problems, _ = folder_evidence(
            path if path.is_dir() else path.parent, first.name, root
        )
        return "", [*found, *references], problems
    revision = next((r.revision for r in refs if r.revision), "")
    online_note = ""
    if hub is not None:
        from dllicense.collect.hub import HubAnswer

        answer = hub.info(first.kind, first.name, revision)
        if isinstance(answer, HubAnswer):
            found, problems = hub_evidence(answer)
            problems = [replace(p, package=first.name, location=first.location) for p in problems]
            return answer.sha, [*found, *references], problems
        online_note = f"not read from the Hub: {answer.message}"
    cached = cache.find(first.kind, first.name, revision, prefix_match=first.origin == "timm")
    if (cached is None or cached.snapshot is None) and first.origin == "timm":
        online_note = "; ".join(x for x in (online_note, "no card found") if x)
        missing = Evidence("model-card", "timm", "", "", note=online_note)
        return "", [missing, weights_terms("timm"), *references], []
    if cached is None or cached.snapshot is None:
        repo = f"{first.kind}s--" + first.name.replace("/", "--")
        note = (
            f"{repo} not found in {cache.label}; download the "
            f"{first.kind} or clarify its licence in the policy"
            if cached is None
            else f"{cached.folder.name}: {cached.note}"
        )
        note = "; ".join(x for x in (online_note, note) if x)
        missing = Evidence("model-card", "Hugging Face cache", "", "", note=note)
        return "", [missing, *references], []
    label = f"{cached.folder.name}/snapshots/{cached.revision[:12]}"
    found, problems, card = folder_evidence(cached.snapshot, label, cached.folder, False)
    if card is None and not any(e.kind == "license-file" for e in found):
        partial = "in the cached snapshot (a partial download holds only the files fetched)"
        found = [replace(e, note=f"{e.note} {partial}") for e in found]
    if cached.note or online_note:
        extra = "; ".join(x for x in (cached.note, online_note) if x)
        found = [replace(e, note="; ".join(x for x in (e.note, extra) if x)) for e in found]
    return cached.revision, [*found, *references], problems


def _conditions(ref: ModelReference, version: str, evidence: list[Evidence]) -> list[Problem]:
    """Conditions of the card's licence that travel with the model (DL064)."""
    from dllicense.knowledge import license_record
    from dllicense.licenses.spdx import license_keys

    out: list[Problem] = []
    cards = [e for e in evidence if e.kind == "model-card" and e.expression]
    keys = license_keys(cards[0].expression) if cards else ()
    for key in keys:
        record = license_record(key)
        if record is None:
            continue
        facts = dict(record.facts)
        parts = []
        if record.commercial == "restricted":
            parts.append(f"commercial use is conditional: {facts.get('commercial', '')}")
        if "use-restrictions" in record.obligations:
            parts.append(
                "use restrictions must be passed on to everyone who receives the "
                f"{ref.kind} or its outputs: {facts.get('obligations', '')}"
            )
        if parts:
            out.append(
                Problem(
                    "DL064",
                    f"{key} ({record.name}): " + " ".join(parts),
                    ref.name,
                    version,
                    location=ref.location,
                )
            )
    access = next((e for e in evidence if e.kind == "access-terms"), None)
    if access is not None:  # one DL064 per model: the access terms join the licence's
        text = (
            f"access {access.note}: the terms accepted to download the {ref.kind} must be "
            f"met and passed on to everyone who receives it: {access.value}"
        )
        if out:
            out[0] = replace(out[0], message=f"{out[0].message} Also, {text}")
        else:
            out.append(
                Problem(
                    "DL064", text[0].upper() + text[1:], ref.name, version, location=ref.location
                )
            )
    return out
