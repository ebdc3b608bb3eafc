"""The HTML report in a real headless browser (Debian's chromium): it renders the
package rows and the SVG charts, runs no script from package metadata, and prints."""

from __future__ import annotations

import re
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dllicense.models import ScanResult
from dllicense.report import render
from tests.report.conftest import SCRIPT

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (Debian: apt-get install -y chromium)",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,2000",
)


def chromium(tmp_path: Path, page: Path, *args: str) -> str:
    done = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self.text: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title" and not self.title  # the document's, not an SVG's

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.title += data


def dump(tmp_path: Path, result: ScanResult) -> _Dom:
    page = tmp_path / "report.html"
    page.write_text(render(result, "html"), encoding="utf-8")
    dom = _Dom()
    dom.feed(chromium(tmp_path, page, "--dump-dom"))
    return dom


def test_report_renders_rows_and_charts(tmp_path: Path, project_result: ScanResult) -> None:
    dom = dump(tmp_path, project_result)
    assert dom.title == f"Licence review: {project_result.project}"
    rows = [a["data-package"] for t, a in dom.tags if t == "tr" and a.get("data-package")]
    assert rows == [p.node.name for p in project_result.packages]
    charts = {a.get("id") for t, a in dom.tags if t == "figure"}
    assert charts == {"chart-family", "chart-patent", "chart-commercial", "chart-severity"}
    assert sum(1 for t, _ in dom.tags if t == "svg") == 5
    assert sum(1 for t, a in dom.tags if t == "g" and "bar" in (a.get("class") or "")) >= 3
    assert any(t == "path" and "edge" in (a.get("class") or "") for t, a in dom.tags)


def test_metadata_never_runs(tmp_path: Path, hostile_result: ScanResult) -> None:
    dom = dump(tmp_path, hostile_result)
    assert dom.title == f"Licence review: {hostile_result.project}"  # not 'pwned'/'img'
    assert not [t for t, _ in dom.tags if t in ("script", "img", "iframe")]
    assert SCRIPT in "".join(dom.text)


def test_screenshot_and_print(tmp_path: Path, project_result: ScanResult) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(project_result, "html"), encoding="utf-8")
    png, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    chromium(tmp_path, page, f"--screenshot={png}")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 50_000  # a blank page compresses to a few kB
    chromium(tmp_path, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    document = pdf.read_bytes()
    assert document.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page[^s]", document)) >= 2  # pages, not one long strip
