"""``--format notice``: a ``THIRD_PARTY_NOTICES`` file to ship with a distribution.

Every package with its licence; each distinct licence text once, with the
packages that ship it; every ``NOTICE`` file verbatim (Apache-2.0 section 4(d)).
Rendered from ``reports/notice/THIRD_PARTY_NOTICES.j2``.
"""

from __future__ import annotations

from pathlib import Path

from dllicense.models import LicenseText, LicenseTraits, ScanResult
from dllicense.records import frozen
from dllicense.report.common import holders

NOTICE_KINDS = ("notice-file",)
# Order of the text sections: the licence itself first, then what it bundles.
_KIND_ORDER = {"license-text": 0, "license-file": 0, "patents-file": 1, "third-party-file": 2}


@frozen
class _Text:
    number: int
    kind: str
    expression: str
    sources: tuple[str, ...]  # file names (or METADATA:License) this text was read from
    packages: tuple[str, ...]
    text: str
    holders: tuple[str, ...] = ()  # the copyright holders it names


def _sources(result: ScanResult) -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = {}
    for p in result.packages:
        for e in p.evidence:
            if e.sha256:
                out.setdefault(e.sha256, set()).add(e.source)
    return {sha: tuple(sorted(names)) for sha, names in out.items()}


def _numbered(
    texts: list[LicenseText], sources: dict[str, tuple[str, ...]], start: int
) -> list[_Text]:
    return [
        _Text(
            start + i,
            t.kind,
            t.expression,
            sources.get(t.sha256, ()),
            t.packages,
            t.text.strip("\r\n"),
            t.holders,
        )
        for i, t in enumerate(texts)
    ]


@frozen
class _Restriction:
    """Use restrictions a licence makes every recipient accept (OpenRAIL-M, Llama, Gemma)."""

    packages: tuple[str, ...]  # "name version"
    key: str
    name: str
    clauses: tuple[str, ...]  # knowledge-base clauses: obligations, conditional commercial use
    url: str = ""  # where the licence text is published


def _restrictions(result: ScanResult) -> list[_Restriction]:
    found: dict[str, tuple[list[str], LicenseTraits]] = {}
    for p in result.packages:
        for t in p.verdict.traits:
            if "use-restrictions" in t.obligations:
                label = f"{p.node.name} {p.node.version}".strip()
                found.setdefault(t.key, ([], t))[0].append(label)
    out = []
    for key, (packages, t) in sorted(found.items()):
        wanted = ["obligations:"] + (["commercial:"] if t.commercial == "restricted" else [])
        clauses = tuple(s for s in t.sources if s.startswith(tuple(wanted)))
        url = next((s for s in t.sources if s.startswith("https://")), "")
        out.append(_Restriction(tuple(sorted(set(packages))), key, t.name, clauses, url))
    return out


def render(result: ScanResult, templates: Path | None = None) -> str:
    """The notice file; ``templates``: a folder of templates to use before the built-in ones."""
    from dllicense.report.templating import render_template

    sources = _sources(result)
    licences = sorted(
        (t for t in result.texts if t.kind not in NOTICE_KINDS),
        key=lambda t: (_KIND_ORDER.get(t.kind, 3), t.packages, t.sha256),
    )
    notices = sorted(
        (t for t in result.texts if t.kind in NOTICE_KINDS), key=lambda t: (t.packages, t.sha256)
    )
    licence_texts = _numbered(licences, sources, 1)
    notice_texts = _numbered(notices, sources, len(licence_texts) + 1)
    refs: dict[str, list[int]] = {}
    for t in (*licence_texts, *notice_texts):
        for pkg in t.packages:
            refs.setdefault(pkg, []).append(t.number)
    text = render_template(
        "notice/THIRD_PARTY_NOTICES.j2",
        templates,
        result=result,
        licence_texts=licence_texts,
        notice_texts=notice_texts,
        refs={k: sorted(v) for k, v in refs.items()},
        holders={f"{p.node.name}=={p.node.version}": holders(p) for p in result.packages},
        restrictions=_restrictions(result),
        rule="=" * 78,
        thin="-" * 78,
    )
    return text.rstrip("\n") + "\n"
