"""``--format pdf``: the HTML report printed by headless Chromium, for legal files.

Printed twice: the first print says on which page each section and package
card starts (Chromium writes a named destination per link target; pdfminer.six
reads them), the second carries those numbers in the table of contents. Page
numbers are printed in the page margins (``@page`` margin boxes); the print
CSS keeps each package card on one page where it fits.

The renderer returns the PDF's bytes as a latin-1 string (every byte one
character) so that it travels with the text formats; ``PDF_ENCODING`` turns it
back into bytes when written. The creation and modification dates Chromium
stamps are replaced by the scan time, so the same scan prints the same dates.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path

from dllicense.errors import UsageError
from dllicense.models import ScanResult

PDF_ENCODING = "latin-1"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
)
_PASSES = 3  # until the page numbers in the contents stop moving


def find_browser() -> str | None:
    """``$DLLICENSE_CHROMIUM``, else the first Chromium on ``PATH``."""
    chosen = os.environ.get("DLLICENSE_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def render(result: ScanResult, templates: Path | None = None) -> str:
    """The PDF (as latin-1 text); a one-line ``UsageError`` when it cannot be printed."""
    from dllicense.report import html_report

    browser = find_browser()
    if browser is None:
        raise UsageError(
            "--format pdf prints the HTML report with headless Chromium, which was not found: "
            "install it (Debian/Ubuntu: apt-get install chromium) or set DLLICENSE_CHROMIUM; "
            "--format html gives the same report to print from a browser"
        )
    if find_spec("pdfminer") is None:
        raise UsageError(
            "--format pdf reads the page numbers of its contents with pdfminer.six: "
            "pip install 'dllicense[pdf]'"
        )
    numbers: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="dllicense-pdf-") as work:
        for _ in range(_PASSES):
            page = html_report.render(result, templates, page_numbers=numbers)
            document = _print(browser, page, Path(work))
            found = destinations(document)
            if found == numbers:
                break
            numbers = found
    return _dated(document, result.generated).decode(PDF_ENCODING)


def _print(browser: str, html: str, work: Path) -> bytes:
    source, target = work / "report.html", work / "report.pdf"
    source.write_text(html, encoding="utf-8")
    target.unlink(missing_ok=True)
    try:
        done = subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={work / 'profile'}",
                f"--print-to-pdf={target}",
                source.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--format pdf: {browser} could not print: {exc}") from exc
    if done.returncode != 0 or not target.is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"--format pdf: {browser} exited with {done.returncode}: {last}")
    return target.read_bytes()


def destinations(document: bytes) -> dict[str, int]:
    """Named destination -> 1-based page number, read with pdfminer.six."""
    from io import BytesIO

    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    doc = PDFDocument(PDFParser(BytesIO(document)))
    pages = {page.pageid: n for n, page in enumerate(PDFPage.create_pages(doc), 1)}
    dests = resolve1(doc.catalog.get("Dests")) or {}
    out = {}
    for name, value in dests.items():
        target = resolve1(value)
        if isinstance(target, dict):
            target = resolve1(target.get("D"))
        ref = target[0] if isinstance(target, list) and target else None
        number = pages.get(getattr(ref, "objid", None))
        if number is not None:
            out[name.decode("latin-1") if isinstance(name, bytes) else str(name)] = number
    return dict(sorted(out.items()))


_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def _dated(document: bytes, generated: str) -> bytes:
    """Chromium's clock replaced by the scan time (same length: the offsets stay valid)."""
    try:
        stamp = datetime.fromisoformat(generated).strftime("%Y%m%d%H%M%S").encode("ascii")
    except ValueError:
        return document

    def swap(match: re.Match[bytes]) -> bytes:  # Chromium stamps UTC ("+00'00'"), as we do
        return b"/" + match.group(1) + b" (D:" + stamp + match.group(3) + b")"

    return _DATE.sub(swap, document)
