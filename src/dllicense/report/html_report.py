"""``--format html``: a self-contained legal review report.

Summary charts (licence family, patent stance, commercial use, findings by
severity), a drawing of the dependency paths to every package that needs
attention, the deep learning frameworks found, and per package its licence,
traits, evidence, path, findings and obligations. One file, no scripts, no
external assets: inline CSS and inline SVG. The template
(``reports/html/report.html.j2``) autoescapes, since package metadata is
untrusted; this module only computes the view (counts, geometry).
"""

from __future__ import annotations

import math
from pathlib import Path

from dllicense.models import Finding, PackageResult, ScanResult
from dllicense.records import frozen
from dllicense.report.common import (
    failing,
    finding_location,
    findings_by_package,
    holders,
    meaning,
    obligations,
    path_tree,
    severity_counts,
    trait,
    trait_counts,
)
from dllicense.report.review import (
    AXIS_TITLES,
    AxisValue,
    FrameworkCard,
    axis_values,
    framework_cards,
    glossary,
    glossary_anchor,
    origin_counts,
    origin_words,
    real_path,
    scope_split,
    sign_off,
)

COLORS = {
    "family": {
        "permissive": "#2e7d32",
        "public-domain": "#00897b",
        "weak-copyleft": "#f9a825",
        "strong-copyleft": "#ef6c00",
        "network-copyleft": "#c62828",
        "proprietary": "#6a1b9a",
        "non-commercial": "#ad1457",
        "source-available": "#795548",
        "unknown": "#757575",
    },
    "patent": {
        "express-grant": "#2e7d32",
        "grant-with-retaliation": "#00838f",
        "silent": "#f9a825",
        "excluded": "#c62828",
        "unknown": "#757575",
    },
    "commercial": {
        "allowed": "#2e7d32",
        "restricted": "#f9a825",
        "forbidden": "#c62828",
        "unknown": "#757575",
    },
    "severity": {"error": "#c62828", "warning": "#ef8f00", "info": "#1565c0"},
    "status": {
        "ok": "#2e7d32",
        "warning": "#ef8f00",
        "error": "#c62828",
        "missing": "#757575",
        "root": "#37474f",
    },
}
TITLES = {"family": "Licence family", "patent": "Patent stance", "commercial": "Commercial use"}
_CHAR = 7.2  # average width of a character of the SVG font, in px
_ROW = 30  # height of a tree row, in px


@frozen
class Bar:
    label: str
    value: int
    color: str
    meaning: str
    y: int
    width: float


@frozen
class BarChart:
    axis: str
    title: str
    bars: tuple[Bar, ...]
    height: int


@frozen
class Slice:
    label: str
    value: int
    color: str
    dash: str  # stroke-dasharray
    offset: float  # stroke-dashoffset


@frozen
class Donut:
    total: int
    slices: tuple[Slice, ...]
    circumference: float


@frozen
class DrawnNode:
    label: str
    status: str
    color: str
    x: float
    y: float
    width: float
    anchor: str  # package anchor id, "" for the roots


@frozen
class Drawing:
    nodes: tuple[DrawnNode, ...]
    edges: tuple[str, ...]  # SVG path data
    width: int
    height: int


@frozen
class PackageView:
    package: PackageResult
    anchor: str
    family: str
    patent: str
    commercial: str
    obligations: tuple[str, ...]
    findings: tuple[Finding, ...]
    axes: tuple[AxisValue, ...]  # one value per trait, the others as notes
    scopes: tuple[str, ...]  # the scopes the report is about
    other_scopes: tuple[str, ...]  # folded
    origin: tuple[tuple[str, str], ...]
    holders: tuple[str, ...] = ()  # from its licence and NOTICE texts


def _bars(result: ScanResult, axis: str) -> BarChart:
    counts = trait_counts(result, axis)
    most = max((n for _, n in counts), default=1)
    bars = tuple(
        Bar(
            label,
            n,
            COLORS[axis].get(label, "#757575"),
            meaning(result, axis, label),
            8 + 26 * i,
            round(110 * n / most, 1),
        )
        for i, (label, n) in enumerate(counts)
    )
    return BarChart(axis, TITLES[axis], bars, max(16 + 26 * len(bars), 40))


def _donut(result: ScanResult) -> Donut:
    counts = severity_counts(result.findings)
    total = sum(counts.values())
    circumference = round(2 * math.pi * 40, 3)
    slices, start = [], 0.0
    for label, n in counts.items():
        if not n:
            continue
        length = round(circumference * n / total, 3)
        slices.append(
            Slice(
                label,
                n,
                COLORS["severity"][label],
                f"{length} {round(circumference - length, 3)}",
                round(-start, 3) or 0.0,
            )
        )
        start += length
    return Donut(total, tuple(slices), circumference)


def _drawing(result: ScanResult, packages: list[PackageResult]) -> Drawing:
    tree = path_tree(result, packages, lambda p: real_path(result, p))
    widths = [0.0] * tree.depth
    for n in tree.nodes:
        widths[n.depth] = max(widths[n.depth], len(n.label) * _CHAR + 20)
    lefts = [10.0]
    for w in widths[:-1]:
        lefts.append(lefts[-1] + w + 40)
    drawn: dict[str, DrawnNode] = {}
    for n in tree.nodes:
        drawn[n.key] = DrawnNode(
            n.label,
            n.status,
            COLORS["status"].get(n.status, "#757575"),
            round(lefts[n.depth], 1),
            round(10 + n.row * _ROW, 1),
            round(widths[n.depth], 1),
            "" if n.status in ("root", "missing") else f"pkg-{n.label}",
        )
    edges = []
    for n in tree.nodes:
        if n.parent in drawn:
            a, b = drawn[n.parent], drawn[n.key]
            x1, y1, x2, y2 = a.x + a.width, a.y + 11, b.x, b.y + 11
            mid = round((x1 + x2) / 2, 1)
            edges.append(f"M{round(x1, 1)} {y1} C{mid} {y1} {mid} {y2} {x2} {y2}")
    width = int(lefts[-1] + widths[-1] + 20) if tree.depth else 0
    return Drawing(tuple(drawn.values()), tuple(edges), width, int(20 + tree.rows * _ROW))


def _views(result: ScanResult) -> list[PackageView]:
    by_package = findings_by_package(result)
    views = []
    for p in result.packages:
        shown, folded = scope_split(result, p)
        views.append(
            PackageView(
                p,
                f"pkg-{p.node.name}",
                trait(p, "family"),
                trait(p, "patent"),
                trait(p, "commercial"),
                obligations(p),
                tuple(by_package.get(p.node.name, ())),
                axis_values(p),
                tuple(shown),
                tuple(folded),
                origin_words(p),
                holders(p),
            )
        )
    return views


def render(
    result: ScanResult,
    templates: Path | None = None,
    page_numbers: dict[str, int] | None = None,
) -> str:
    """The report; ``templates``: a folder of templates to use before the built-in ones."""
    from dllicense.report.templating import render_template

    attention = failing(result)
    found: list[FrameworkCard] = framework_cards(result)
    locations = {id(f): finding_location(result, f) for f in result.findings}
    text = render_template(
        "html/report.html.j2",
        templates,
        result=result,
        counts=severity_counts(result.findings),
        statuses={
            s: sum(1 for p in result.packages if p.status == s) for s in ("ok", "warning", "error")
        },
        charts=[_bars(result, axis) for axis in ("family", "patent", "commercial")],
        donut=_donut(result),
        attention=attention,
        drawing=_drawing(result, attention),
        frameworks=found,
        packages=_views(result),
        known={p.node.name for p in result.packages},
        location=lambda f: locations.get(id(f)),
        meaning=lambda axis, value: meaning(result, axis, value),
        colors=COLORS,
        glossary=glossary(result),
        anchor=glossary_anchor,
        signoff=sign_off(result),
        origins=origin_counts(result),
        axis_titles=AXIS_TITLES,
        page_numbers=page_numbers or {},
    )
    return text.rstrip("\n") + "\n"
