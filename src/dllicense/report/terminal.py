"""The terminal table: package, version, licence, scope, status, then the findings."""

from __future__ import annotations

import shutil
import textwrap
from collections import Counter

from dllicense.models import Finding, ScanResult, scope_selected
from dllicense.sanitize import visible

_COLORS = {"ok": "\033[32m", "warning": "\033[33m", "error": "\033[31m", "info": "\033[36m"}
_RESET = "\033[0m"


def _paint(text: str, key: str, color: bool) -> str:
    return f"{_COLORS[key]}{text}{_RESET}" if color and key in _COLORS else text


def render(result: ScanResult, color: bool = False, width: int | None = None) -> str:
    """The table fitted to ``width`` columns (default: the terminal's, 80 when not a terminal):
    a long licence expression wraps inside its column (JSON keeps it whole); every cell and
    finding shows control characters visibly (one row each)."""
    rows: list[tuple[str, ...]] = [("PACKAGE", "VERSION", "LICENSE", "SCOPE", "STATUS")]
    shown_scopes: dict[tuple[str, ...], str] = {}  # a node's scopes as shown, once per tuple
    for p in result.packages:
        licence = p.verdict.expression or "UNKNOWN"
        if p.chosen:
            licence += f"  [chosen: {p.chosen}]"
        scopes = shown_scopes.get(p.node.scopes)
        if scopes is None:
            selected = [s for s in p.node.scopes if scope_selected(s, result.scopes)]
            scopes = shown_scopes[p.node.scopes] = ",".join(selected)
        version = p.node.version if len(p.node.version) <= 16 else p.node.version[:12] + "…"
        row = (p.node.name, version, licence, scopes, p.status)
        rows.append(tuple(map(visible, row)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    columns = width or shutil.get_terminal_size((80, 24)).columns
    status = max(len(r[4]) for r in rows)
    room = columns - widths[0] - widths[1] - widths[3] - status - 8
    widths[2] = max(min(widths[2], room), 24)
    lines = [
        visible(
            f"dllicense {result.tool_version}: {result.project} in {result.environment}, "
            f"policy {result.policy}"
        ),
        "",
    ]
    indent = " " * (widths[0] + widths[1] + 4)
    wrapped: dict[str, list[str]] = {}  # thousands of rows share a handful of licences
    for i, shown in enumerate(rows):
        parts = wrapped.get(shown[2])
        if parts is None:
            parts = textwrap.wrap(shown[2], widths[2], break_on_hyphens=False) or [""]
            parts = wrapped[shown[2]] = [parts[0].ljust(widths[2]), *parts[1:]]
        cells = [shown[0].ljust(widths[0]), shown[1].ljust(widths[1]), parts[0]]
        cells.append(shown[3].ljust(widths[3]))
        state = shown[4] if i == 0 else _paint(shown[4], shown[4], color)
        lines.append("  ".join([*cells, state]).rstrip())
        lines += [f"{indent}{part}" for part in parts[1:]]
    if result.findings:
        lines += ["", "Findings:"]
        for f, group in _grouped(result.findings):
            where = (
                f" [{f.location.file}:{f.location.line}]"
                if f.location and f.location.line
                else f" [{f.location.file}]"
                if f.location
                else ""
            )
            via = f" (via {' > '.join(f.path)})" if len(f.path) > 1 else ""
            who = f"{f.package} {f.version}: ".replace(" :", ":") if f.package else ""
            if len(group) > 1:  # the same finding for several packages: one line names them
                names = Counter(g.package for g in group)
                listed = [
                    f"{g.package} {g.version}" if names[g.package] > 1 else g.package for g in group
                ]
                who, via, where = "", f" ({len(group)} packages: {', '.join(listed)})", ""
            lines.append(
                f"  {_paint(f.severity.value.upper(), f.severity.value, color)} "
                + visible(f"{f.code} {f.slug}: {who}{f.message}{via}{where}")
            )
    counts = Counter(f.severity.value for f in result.findings)
    lines += [
        "",
        f"{len(result.packages)} packages; {counts['error']} errors, "
        f"{counts['warning']} warnings, {counts['info']} info",
    ]
    return "\n".join(lines) + "\n"


def _grouped(findings: tuple[Finding, ...]) -> list[tuple[Finding, list[Finding]]]:
    """Findings in order, those with one message for several packages (DL203 on every
    ``nvidia-*-cu12`` wheel) as one group at the first one's place; JSON and SARIF keep one
    finding per package."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    order: list[tuple[Finding, list[Finding]]] = []
    for f in findings:
        key = (f.code, f.severity.value, f.message)
        if f.package and key in groups:
            groups[key].append(f)
            continue
        group = [f]
        if f.package:
            groups[key] = group
        order.append((f, group))
    return order
