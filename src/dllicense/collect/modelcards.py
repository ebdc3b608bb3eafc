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
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dllicense.discover.models import (
    ModelReference,
    SourceScan,
    file_scope,
    group_references,
    scan_sources,
)
from dllicense.discover.yamlsubset import YamlError
from dllicense.models import Evidence, EvidenceKind, ExternalPackage, Location, Node, Problem
from dllicense.paths import reason
from dllicense.readfile import read_bounded

if TYPE_CHECKING:
    from dllicense.collect.hub import HubAnswer, HubClient

MAX_CARD_BYTES = 1024 * 1024
MAX_FRONT_MATTER = 256 * 1024  # characters of YAML handed to the parser
MAX_LICENSE_BYTES = 1024 * 1024
NON_COMMERCIAL = "LicenseRef-dllicense-card-non-commercial"
MAX_TERMS_CHARS = 300  # of a gating prompt quoted in evidence and findings
_LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING)([._-].*)?$", re.IGNORECASE)
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
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


# Weights published outside the Hub (or timm's, when no card is found): their documented
# terms, which always need review (knowledge/licenserefs.toml), never the code's licence.
_WEIGHTS_TERMS = {
    "torchvision": "LicenseRef-dllicense-torchvision-weights",
    "torch-hub": "LicenseRef-dllicense-torch-hub-weights",
    "timm": "LicenseRef-dllicense-timm-weights",
}


def _weights_terms(origin: str) -> Evidence:
    """The knowledge base's record for weights of ``origin`` (no card says more)."""
    key = _WEIGHTS_TERMS[origin]
    return Evidence(
        "knowledge",
        f"knowledge:{key}",
        f"{origin} pretrained weights",
        key,
        note="documented terms of the weights and their training data: needs review",
    )


@dataclass(frozen=True)
class CardLicense:
    """The licence a model card states: the mapped expression, the raw fields and a note."""

    expression: str
    value: str
    note: str = ""


class _Unreadable(Exception):
    pass


def hf_cache_root(environ: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The Hugging Face hub cache folder and a label for reports (never an absolute path)."""
    env = os.environ if environ is None else environ
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if env.get(variable):
            return Path(env[variable]).expanduser(), f"${variable}"
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub", "$HF_HOME/hub"
    if env.get("XDG_CACHE_HOME"):
        return (
            Path(env["XDG_CACHE_HOME"]).expanduser() / "huggingface" / "hub",
            "$XDG_CACHE_HOME/huggingface/hub",
        )
    return Path.home() / ".cache" / "huggingface" / "hub", "~/.cache/huggingface/hub"


# -- model cards --------------------------------------------------------------------


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


def _read_inside(path: Path, boundary: Path, limit: int) -> bytes:
    """Read ``path`` (following symlinks) only if it stays inside ``boundary``."""
    try:
        resolved = path.resolve(strict=True)
        if not resolved.is_relative_to(boundary.resolve()):
            raise _Unreadable(f"{path.name} points outside {boundary.name}")
        if not resolved.is_file():
            raise _Unreadable(f"{path.name} is not a file")
        data, size = read_bounded(resolved, limit)
    except FileNotFoundError as error:
        raise _Unreadable(f"{path.name} is missing or a broken link") from error
    except RuntimeError as error:  # Path.resolve on Python < 3.13
        raise _Unreadable(f"{path.name} cannot be read (symbolic link loop)") from error
    except OSError as error:
        raise _Unreadable(f"{path.name} cannot be read ({reason(error)})") from error
    if size > limit:
        raise _Unreadable(f"{path.name} is larger than {limit // 1024} KB")
    return data


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
            text = _read_inside(readme, boundary, MAX_CARD_BYTES).decode("utf-8", "replace")
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
        except (_Unreadable, YamlError, ValueError) as error:
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
            data = _read_inside(folder / name, boundary, MAX_LICENSE_BYTES)
        except _Unreadable as error:
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


# -- the Hugging Face cache ------------------------------------------------------------


@dataclass(frozen=True)
class CachedRepo:
    folder: Path  # models--ORG--NAME
    snapshot: Path | None
    revision: str
    note: str = ""


class HubCache:
    """Read-only lookups in one Hugging Face hub cache folder."""

    def __init__(self, root: Path, label: str) -> None:
        self.root = root
        self.label = label
        self._entries: dict[str, str] | None = None

    def entries(self) -> dict[str, str]:
        """Lower-cased folder name -> folder name (the hub's ids are case-insensitive)."""
        if self._entries is None:
            try:
                names = sorted(p.name for p in self.root.iterdir() if "--" in p.name)
            except OSError:
                names = []
            self._entries = {}
            for name in names:
                self._entries.setdefault(name.lower(), name)
        return self._entries

    def find(
        self, kind: str, repo_id: str, revision: str = "", prefix_match: bool = False
    ) -> CachedRepo | None:
        """The cached repository of ``repo_id`` and the snapshot for ``revision`` (default main)."""
        base = f"{kind}s--" + repo_id.replace("/", "--")
        entries = self.entries()
        name = entries.get(base.lower())
        note = ""
        if name is None and prefix_match:
            tagged = sorted(v for k, v in entries.items() if k.startswith(base.lower() + "."))
            if tagged:
                name = tagged[0]
                note = f"no tag given: used the cached {name.split('--')[-1]}"
        if name is None:
            return None
        folder = self.root / name
        commit, why = self._revision(folder, revision or "main")
        snapshot = folder / "snapshots" / commit if commit else None
        if snapshot is not None and not snapshot.is_dir():
            snapshot, why = None, f"snapshot {commit[:12]} is not in the cache"
        return CachedRepo(folder, snapshot, commit, "; ".join(n for n in (note, why) if n))

    def _revision(self, folder: Path, revision: str) -> tuple[str, str]:
        if _COMMIT.match(revision):
            return revision, ""
        ref = folder / "refs" / revision
        try:
            data = _read_inside(ref, folder, 1024).decode("ascii", "replace").strip()
            if _COMMIT.match(data):
                return data, ""
            return "", f"refs/{revision} does not hold a commit hash"
        except _Unreadable:
            pass
        try:
            snapshots = sorted(p.name for p in (folder / "snapshots").iterdir() if p.is_dir())
        except OSError:
            snapshots = []
        if len(snapshots) == 1:
            return snapshots[0], f"no refs/{revision}: used the only snapshot"
        if snapshots:
            return snapshots[
                0
            ], f"no refs/{revision}: used snapshot {snapshots[0][:12]} of {len(snapshots)}"
        return "", "no snapshot is cached"


# -- references to packages ------------------------------------------------------------


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
        return "", [missing, _weights_terms(first.origin), *references], []
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
        return "", [missing, _weights_terms("timm"), *references], []
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
