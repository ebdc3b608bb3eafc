"""``--format notice``: a ``THIRD_PARTY_NOTICES`` file to ship with a distribution.

Every package with its licence; each distinct licence text once, with the
packages that ship it; every ``NOTICE`` file verbatim (Apache-2.0 section 4(d)).
Rendered from ``reports/notice/THIRD_PARTY_NOTICES.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass

from dllicense.models import LicenseText, ScanResult

NOTICE_KINDS = ("notice-file",)
# Order of the text sections: the licence itself first, then what it bundles.
_KIND_ORDER = {"license-text": 0, "license-file": 0, "patents-file": 1, "third-party-file": 2}


@dataclass(frozen=True)
class _Text:
    number: int
    kind: str
    expression: str
    sources: tuple[str, ...]  # file names (or METADATA:License) this text was read from
    packages: tuple[str, ...]
    text: str


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
        )
        for i, t in enumerate(texts)
    ]


def render(result: ScanResult) -> str:
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
        result=result,
        licence_texts=licence_texts,
        notice_texts=notice_texts,
        refs={k: sorted(v) for k, v in refs.items()},
        rule="=" * 78,
        thin="-" * 78,
    )
    return text.rstrip("\n") + "\n"
