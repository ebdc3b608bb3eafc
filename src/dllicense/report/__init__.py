"""Renderers: one module per format, each ``render(result) -> str``."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # FORMATS is read at start-up of a (cached) scan
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
}


def render(result: ScanResult, fmt: str, color: bool = False) -> str:
    """Render ``result`` in format ``fmt`` (a key of ``FORMATS``)."""
    module = import_module(f"dllicense.report.{FORMATS[fmt]}")
    renderer: Callable[..., str] = module.render
    return renderer(result, color=color) if fmt == "table" else renderer(result)
