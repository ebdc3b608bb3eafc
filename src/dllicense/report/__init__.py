"""Renderers: one module per format, each ``render(result) -> str``."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # FORMATS is read at start-up of a (cached) scan
    from pathlib import Path

    from dllicense.models import ScanResult

# format name -> module in this package; imported only when the format is asked for.
FORMATS = {
    "table": "terminal",
    "json": "json_report",
    "html": "html_report",
    "markdown": "markdown",
    "csv": "csv_report",
    "notice": "notice",
    "sarif": "sarif",
    "cyclonedx": "cyclonedx",
    "spdx": "spdx",
    "pdf": "pdf",  # the HTML report printed by headless Chromium (bytes as latin-1 text)
}

# formats that show the copyright holders of licence texts (detecting them costs about 0.1 s
# of CPU per distinct text in a cold cache: a gate that prints a table or SARIF skips it)
HOLDER_FORMATS = frozenset({"json", "html", "pdf", "notice"})

# formats that show the scanned commit (the result cache keys them on it)
REVISION_FORMATS = frozenset({"json", "html", "pdf", "markdown"})

# format -> the template (under reports/) that ``--templates DIR`` can replace
TEMPLATES = {
    "html": "html/report.html.j2",
    "markdown": "markdown/report.md.j2",
    "notice": "notice/THIRD_PARTY_NOTICES.j2",
    "pdf": "html/report.html.j2",
}


def render(result: ScanResult, fmt: str, color: bool = False, templates: Path | None = None) -> str:
    """Render ``result`` in format ``fmt`` (a key of ``FORMATS``).

    ``templates``: a folder whose templates replace the built-in ones of the same
    name (``TEMPLATES``); the formats without a template ignore it.
    """
    module = import_module(f"dllicense.report.{FORMATS[fmt]}")
    renderer: Callable[..., str] = module.render
    if fmt == "table":
        return renderer(result, color=color)
    if fmt in TEMPLATES and templates is not None:
        return renderer(result, templates=templates)
    return renderer(result)


def check_templates(formats: list[str], templates: Path) -> None:
    """Parse the templates ``formats`` use, ``templates`` first (``ConfigError`` if bad)."""
    from dllicense.report.templating import check_templates as check

    check([TEMPLATES[f] for f in formats if f in TEMPLATES], templates)
