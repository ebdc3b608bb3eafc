"""``scan --baseline``: only findings the earlier report does not have set the exit code."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from dllicense.baseline import fingerprint, new_findings, report_of
from dllicense.models import Finding, Severity
from tests.conftest import DISTS, scan_dirs
from tests.gate.conftest import dllicense, project

STRICT = 'allow = ["MIT"]'


def _report(tmp_path: Path, name: str, dists: Path, policy: str = STRICT) -> Path:
    proj = project(tmp_path / "proj", [], policy)
    out = tmp_path / name
    done = dllicense(
        "scan", proj, "--path", dists, "--format", "json", "-o", out, "--texts", "none"
    )
    assert done.returncode in (0, 1), done.stderr
    return out


def test_an_upgrade_to_a_disallowed_licence_is_new(tmp_path: Path) -> None:
    old = _report(tmp_path, "old.json", DISTS / "keras-2.4.3")
    args = ["scan", tmp_path / "proj", "--path", DISTS / "keras-3.15.1", "--texts", "none"]
    done = dllicense(*args, "--baseline", old)
    assert done.returncode == 1, done.stderr
    assert "new: DL201 error keras: Apache-2.0 is not allowed" in done.stderr
    # the same scan as its own baseline: nothing is new, the gate passes
    new = _report(tmp_path, "new.json", DISTS / "keras-3.15.1")
    again = dllicense(*args, "--baseline", new)
    assert again.returncode == 0, again.stderr
    assert "0 new" in again.stderr
    assert "DL201" in again.stdout  # the report itself stays complete


def test_a_version_bump_with_the_same_licence_keeps_old_findings_known(tmp_path: Path) -> None:
    # opencv-python declares MIT in both; both scans warn (DL002, DL107)
    old = _report(tmp_path, "old.json", DISTS / "opencv-python-4.4.0.46", policy="")
    args = ["scan", tmp_path / "proj", "--path", DISTS / "opencv-python-4.5.5.64"]
    args += ["--texts", "none", "--fail-on", "warning"]
    assert dllicense(*args).returncode == 1
    done = dllicense(*args, "--baseline", old)
    assert done.returncode == 0, done.stderr
    assert "new" in done.stderr and "0 new" in done.stderr


def test_fingerprints_ignore_version_and_message_but_not_the_licence() -> None:
    f = Finding("DL201", "license-not-allowed", Severity.ERROR, "GPL 1.0", "pkg", "1.0", "GPL-3.0")
    bumped = Finding(
        "DL201", "license-not-allowed", Severity.ERROR, "GPL 2.0", "pkg", "2.0", "GPL-3.0"
    )
    old, new = {("pkg", "1.0"): "GPL-3.0"}, {("pkg", "2.0"): "GPL-3.0"}
    assert fingerprint(f, old) == fingerprint(bumped, new)
    assert fingerprint(f, old) != fingerprint(bumped, {("pkg", "2.0"): "GPL-3.0 OR MIT"})
    # two versions of a name (--all-targets): each finding takes its own version's licence
    both = {("pkg", "1.0"): "GPL-3.0", ("pkg", "2.0"): "MIT"}
    assert fingerprint(f, both) == fingerprint(f, old)
    assert fingerprint(bumped, both) != fingerprint(bumped, new)
    general = Finding("DL105", "text-not-identified", Severity.WARNING, "3 texts", "", "", "")
    more = Finding("DL105", "text-not-identified", Severity.WARNING, "12 texts", "", "", "")
    assert fingerprint(general, {}) == fingerprint(more, {})


def test_repeated_findings_are_counted(tmp_path: Path) -> None:
    result = scan_dirs(tmp_path, DISTS / "keras-3.15.1", texts="none")
    current = report_of(result)
    assert new_findings(current, current) == []
    fewer = report_of(replace(result, findings=result.findings[1:]))
    assert new_findings(current, fewer) == [result.findings[0]]


def test_a_bad_baseline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proj = project(tmp_path / "proj", [])
    cases = {
        "missing.json": ("", "cannot read it"),
        "text.json": ("not json", "not JSON (line 1"),
        "sarif.json": (json.dumps({"version": "2.1.0", "runs": []}), "not a dllicense JSON report"),
        "broken.json": (
            json.dumps({"schema_version": "1.0", "packages": [{"name": 3}], "findings": []}),
            "packages[0].name",
        ),
    }
    for name, (text, needle) in cases.items():
        path = tmp_path / name
        if text:
            path.write_text(text, encoding="utf-8")
        done = dllicense("scan", proj, "--path", DISTS / "keras-3.15.1", "--baseline", path)
        assert done.returncode == 2, (name, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        assert needle in done.stderr and "--baseline" in done.stderr, done.stderr
        assert done.stdout == ""  # checked before the scan: no half-written reports
