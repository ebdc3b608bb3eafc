"""``dllicense diff OLD NEW``: two real scans that differ by an upgrade across a licence change."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from dllicense.baseline import Report, ReportPackage, diff_reports
from dllicense.models import Node
from tests.conftest import DISTS
from tests.gate.conftest import dllicense, project


def _scan(tmp_path: Path, name: str, *dists: str) -> Path:
    proj = project(tmp_path / "proj", [])
    out = tmp_path / name
    paths = [a for d in dists for a in ("--path", str(DISTS / d))]
    done = dllicense("scan", proj, *paths, "--format", "json", "-o", out, "--texts", "none")
    assert done.returncode in (0, 1), done.stderr
    return out


def test_keras_upgrade_across_mit_to_apache_is_a_licence_change(tmp_path: Path) -> None:
    old = _scan(tmp_path, "old.json", "keras-2.4.3", "chardet-5.2.0", "numpy-1.26.4")
    new = _scan(tmp_path, "new.json", "keras-3.15.1", "chardet-7.7.0", "onnx-1.23.2")
    done = dllicense("diff", old, new)
    assert done.returncode == 1, done.stderr
    text = done.stdout
    assert "DL210 warning keras: licence changed from MIT to Apache-2.0 (2.4.3 -> 3.15.1)" in text
    assert "known relicense: MIT -> Apache-2.0" in text
    assert "PyPI keras 2.4.3 (MIT) and 2.6.0 (Apache 2.0)" in text  # the knowledge base's source
    assert "DL210 warning chardet: licence changed from LGPL-2.0-or-later to 0BSD" in text
    assert "+ onnx 1.23.2 (Apache-2.0)" in text
    assert "- numpy 1.26.4" in text
    assert "^ keras 2.4.3 -> 3.15.1" in text

    as_json = dllicense("diff", old, new, "--format", "json")
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 1
    assert data["summary"]["license_changes"] == 2
    assert [c["name"] for c in data["license_changes"]] == ["chardet", "keras"]
    keras = data["license_changes"][1]
    assert (keras["old_license"], keras["new_license"]) == ("MIT", "Apache-2.0")
    assert keras["known"][0]["sources"] == ["PyPI keras 2.4.3 (MIT) and 2.6.0 (Apache 2.0) [M]"]
    assert {f["code"] for f in data["findings"]} == {"DL210"}
    schema = json.loads(
        (
            Path(__file__).parents[2] / "src/dllicense/report/schema/scan-result.schema.json"
        ).read_text("utf-8")
    )
    finding_schema = {"$defs": schema["$defs"], **schema["$defs"]["finding"]}
    for f in data["findings"]:
        jsonschema.validate(f, finding_schema)
    assert [p["name"] for p in data["added"]] == ["onnx"]
    assert [p["name"] for p in data["removed"]] == ["numpy"]

    md = dllicense("diff", old, new, "--format", "markdown")
    assert md.returncode == 1
    assert "| keras | 2.4.3 → 3.15.1 | MIT | Apache-2.0 | relicense: MIT → Apache-2.0" in md.stdout
    # deterministic
    assert dllicense("diff", old, new, "--format", "json").stdout == as_json.stdout


def test_a_known_change_is_reported_even_when_the_metadata_did_not_change(tmp_path: Path) -> None:
    # opencv-python's wheel says MIT in both; OpenCV itself moved to Apache-2.0 at 4.5.0
    old = _scan(tmp_path, "old.json", "opencv-python-4.4.0.46")
    new = _scan(tmp_path, "new.json", "opencv-python-4.5.5.64")
    done = dllicense("diff", old, new)
    assert done.returncode == 1
    assert "crosses a known licence change; both scans say MIT" in done.stdout
    assert "BSD-3-Clause -> Apache-2.0 at 4.5.0" in done.stdout
    assert dllicense("diff", old, new, "--exit-zero").returncode == 0


def test_no_change_exits_0(tmp_path: Path) -> None:
    old = _scan(tmp_path, "old.json", "keras-3.15.1")
    done = dllicense("diff", old, old)
    assert done.returncode == 0, done.stdout
    assert "0 licence change(s)" in done.stdout


def test_downgrade_and_unknown_versions() -> None:
    def report(version: str, lic: str) -> Report:
        node = Node("pkg", version, ("runtime",), ("pkg",), (), (), True)
        return Report("r", "p", (ReportPackage(node, lic),), ())

    diff = diff_reports(report("2.0", "MIT"), report("1.0", "MIT"))
    assert [c.new_version for c in diff.downgraded] == ["1.0"] and not diff.upgraded
    odd = diff_reports(report("weird-1", "MIT"), report("weird-2", ""))
    assert [c.new_version for c in odd.upgraded] == ["weird-2"]
    assert "from MIT to unknown" in odd.license_changes[0].finding.message


def test_a_licence_read_more_exactly_at_one_version_is_no_change() -> None:
    """unspecified-BSD in one scan and BSD-3-Clause in the other, at one version: the licence
    file was read in one of them, the licence did not change."""

    def report(version: str, lic: str) -> Report:
        node = Node("pkg", version, ("runtime",), ("pkg",), (), (), True)
        return Report("r", "p", (ReportPackage(node, lic),), ())

    vague = "LicenseRef-dllicense-unspecified-BSD AND MIT"
    for old, new in ((vague, "BSD-3-Clause AND MIT"), ("BSD-3-Clause AND MIT", vague)):
        assert not diff_reports(report("1.0", old), report("1.0", new)).license_changes
    for old, new, version in (
        (vague, "Apache-2.0 AND MIT", "1.0"),  # not of the family: a change
        (vague, "BSD-3-Clause AND Apache-2.0", "1.0"),  # the rest changed too
        (vague, "BSD-3-Clause AND MIT", "2.0"),  # another version: reported as before
        ("MIT", "Apache-2.0", "1.0"),
    ):
        changes = diff_reports(report("1.0", old), report(version, new)).license_changes
        assert [c.finding.code for c in changes] == ["DL210"], (old, new, version)


def test_unreadable_reports_exit_2(tmp_path: Path) -> None:
    good = _scan(tmp_path, "good.json", "keras-3.15.1")
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    for args in ((good, tmp_path / "none.json"), (tmp_path / "bad.json", good)):
        done = dllicense("diff", *args)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr
