"""Every report format through ``dllicense scan``; heavy libraries stay out of start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dllicense.cli import main
from dllicense.report import FORMATS
from dllicense.report.pdf import find_browser
from tests.conftest import DISTS


def test_all_formats_into_a_directory(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    wanted = [f for f in FORMATS if f != "pdf" or find_browser()]  # pdf needs Chromium
    result = CliRunner().invoke(
        main,
        [
            "scan",
            str(tmp_path),
            "--path",
            str(DISTS / "onnx-1.23.2"),
            "--texts",
            "none",
            "--no-cache",
            "--format",
            ",".join(wanted),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "dllicense.txt",
            "dllicense.json",
            "dllicense.html",
            "dllicense.md",
            "dllicense.csv",
            "dllicense.THIRD_PARTY_NOTICES.txt",
            "dllicense.sarif",
            "dllicense.cdx.json",
            "dllicense.spdx.json",
            *(["dllicense.pdf"] if "pdf" in wanted else []),
        ]
    )
    if "pdf" in wanted:
        assert (out / "dllicense.pdf").read_bytes().startswith(b"%PDF-")
    assert json.loads((out / "dllicense.sarif").read_text("utf-8"))["version"] == "2.1.0"
    assert "NOTICE of onnx==1.23.2" in (out / "dllicense.THIRD_PARTY_NOTICES.txt").read_text(
        "utf-8"
    )


def test_pdf_without_chromium_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLLICENSE_CHROMIUM", str(tmp_path / "no-such-browser"))
    args = ["scan", str(tmp_path), "--path", str(DISTS / "onnx-1.23.2"), "--texts", "none"]
    result = CliRunner().invoke(main, [*args, "--no-cache", "--format", "pdf"])
    assert result.exit_code == 2
    assert "headless Chromium, which was not found" in result.output
    assert result.output.strip().count("\n") == 0


def test_help_lists_every_format() -> None:
    text = CliRunner().invoke(main, ["scan", "--help"]).output
    flat = " ".join(text.split())
    for fmt in FORMATS:
        assert fmt in flat


def test_renderer_libraries_are_not_imported_at_start_up() -> None:
    code = (
        "import sys, dllicense.cli, dllicense.report, dllicense.report.common; "
        "heavy = {'jinja2', 'cyclonedx', 'spdx_tools', 'jsonschema'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
