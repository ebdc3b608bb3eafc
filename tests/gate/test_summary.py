"""``scan -o``: the reports go to files, and stderr says where, what was found and the verdict.

A new user ran ``scan --format json,sarif -o reports/``, saw nothing on the terminal and got
exit code 1 (issue 15).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DISTS
from tests.gate.conftest import dllicense, project

STRICT = 'allow = ["MIT"]'  # keras 3.15.1 is Apache-2.0: an error


def _scan(tmp_path: Path, *extra: str | Path) -> tuple[list[str | Path], Path]:
    """The scan's arguments without ``-o``, and the folder to give it."""
    proj = project(tmp_path / "proj", [], STRICT)
    args: list[str | Path] = ["scan", proj, "--path", DISTS / "keras-3.15.1", "--texts", "none"]
    return [*args, "--format", "json,sarif", *extra], tmp_path / "reports"


def test_reports_in_a_folder_are_summarised_on_stderr(tmp_path: Path) -> None:
    args, out = _scan(tmp_path, "--no-cache")
    done = dllicense(*args, "-o", out)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""  # the reports are in the files
    report = json.loads((out / "dllicense.json").read_text("utf-8"))
    counts = report["summary"]["findings"]
    wrote, summary = done.stderr.splitlines()
    assert wrote == f"dllicense: wrote {out / 'dllicense.json'}, {out / 'dllicense.sarif'}"
    assert summary == (
        f"dllicense: {report['summary']['packages']} package; {counts['error']} error, "
        f"{counts['warning']} warnings, {counts['info']} info; "
        "FAIL: exit 1 (a finding at --fail-on error or above)"
    )
    assert counts["error"] == 1


def test_the_verdict_follows_fail_on(tmp_path: Path) -> None:
    args, out = _scan(tmp_path, "--no-cache", "--fail-on", "never")
    done = dllicense(*args, "-o", out)
    assert done.returncode == 0
    assert done.stderr.splitlines()[-1].endswith("; exit 0 (--fail-on never)")


def test_quiet_stays_quiet(tmp_path: Path) -> None:
    args, out = _scan(tmp_path, "--no-cache", "--quiet")
    done = dllicense(*args, "-o", out)
    assert done.returncode == 1 and done.stdout == "" and done.stderr == ""
    assert (out / "dllicense.sarif").is_file()


def test_a_replayed_run_says_the_same_about_its_new_files(tmp_path: Path) -> None:
    args, out = _scan(tmp_path, "--cache-dir", tmp_path / "cache")
    first = dllicense(*args, "-o", out)
    elsewhere = tmp_path / "elsewhere"
    again = dllicense(*args, "-o", elsewhere)
    assert again.returncode == first.returncode == 1
    assert again.stderr == first.stderr.replace(str(out), str(elsewhere))
    assert (elsewhere / "dllicense.json").is_file()


def test_reports_on_stdout_need_no_summary(tmp_path: Path) -> None:
    args, _ = _scan(tmp_path, "--no-cache")
    done = dllicense(*args)
    assert done.returncode == 1
    assert done.stderr == "" and '"version": "2.1.0"' in done.stdout
