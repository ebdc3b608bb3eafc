"""``--format markdown``: a summary fit for a pull-request comment.

Counts, a table of the failing packages with their findings and the direct
dependency that brings each in, the findings on no package, and every package
in a collapsible ``<details>``. Rendered from ``reports/markdown/report.md.j2``;
every value from package metadata goes through the ``md`` escaping filter.
"""

from __future__ import annotations

from pathlib import Path

from dllicense.models import ScanResult
from dllicense.report.common import failing, findings_by_package, severity_counts, trait

# GitHub rejects comments over 65,536 characters: long lists are cut, with a pointer
# to the complete reports.
MAX_ROWS = 250


def render(result: ScanResult, templates: Path | None = None) -> str:
    """The comment; ``templates``: a folder of templates to use before the built-in ones."""
    from dllicense.report.templating import render_template

    names = {p.node.name for p in result.packages}
    attention = failing(result)
    general = [f for f in result.findings if f.package not in names]
    rows = [
        {
            "package": p,
            "family": trait(p, "family"),
            "patent": trait(p, "patent"),
            "commercial": trait(p, "commercial"),
        }
        for p in result.packages[:MAX_ROWS]
    ]
    text = render_template(
        "markdown/report.md.j2",
        templates,
        result=result,
        counts=severity_counts(result.findings),
        failing=attention[:MAX_ROWS],
        omitted_failing=max(0, len(attention) - MAX_ROWS),
        omitted=max(0, len(result.packages) - MAX_ROWS),
        by_package=findings_by_package(result),
        general=general[:MAX_ROWS],
        omitted_general=max(0, len(general) - MAX_ROWS),
        rows=rows,
    )
    return text.rstrip("\n") + "\n"
