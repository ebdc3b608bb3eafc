"""Policies end to end on real fixture distributions (metadata and licence files of real wheels)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dllicense.models import ScanResult
from tests.conftest import DISTS, scan_dirs

FRAMEWORKS = (
    "torch-2.13.0",
    "theano-1.0.5",
    "tensorflow-cpu-2.21.0",
    "mxnet-1.9.1",
    "paddlepaddle-3.3.1",
)


def _scan(tmp_path: Path, policy_text: str, *folders: str, **options: object) -> ScanResult:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "dllicense.toml").write_text(policy_text, encoding="utf-8")
    return scan_dirs(project, *(DISTS / f for f in folders), **options)


def _status(result: ScanResult) -> dict[str, str]:
    return {p.node.name: p.status for p in result.packages}


def test_patent_safe_bsd_frameworks_fail_apache_ones_pass(tmp_path: Path) -> None:
    result = _scan(tmp_path, 'extends = "patent-safe"\n', *FRAMEWORKS)
    status = _status(result)
    assert status["theano"] == "error"
    assert status["torch"] == "error"  # its BSD-3-Clause, BSD-2-Clause, MIT... terms
    for name in ("tensorflow-cpu", "mxnet", "paddlepaddle"):
        assert status[name] == "ok", name
    theano = [f for f in result.findings if f.package == "theano" and f.code == "DL201"]
    assert theano and "no express patent grant" in theano[0].message
    assert theano[0].term == "BSD-3-Clause"


def test_exception_for_torch_makes_the_run_pass(tmp_path: Path) -> None:
    policy = (
        'extends = "patent-safe"\n'
        "[[exceptions]]\n"
        'package = "torch"\nversions = ">=2.13,<3"\n'
        'allow = ["BSD-3-Clause", "BSD-2-Clause", "MIT", "BSL-1.0"]\n'
        'reason = "BSD/MIT parts are silent on patents; reviewed for on-premises shipping"\n'
        'approved-by = "legal@example.com"\nexpires = 2099-12-31\n'
    )
    result = _scan(tmp_path, policy, "torch-2.13.0", "tensorflow-cpu-2.21.0")
    assert _status(result) == {"torch": "ok", "tensorflow-cpu": "ok"}
    [accepted] = [f for f in result.findings if f.code == "DL204"]
    assert "legal@example.com" in accepted.message
    assert not [f for f in result.findings if f.severity.value == "error"]


def test_hygiene_expired_unused_and_stale(tmp_path: Path) -> None:
    licence = next((DISTS / "paramiko-5.1.0").glob("*.dist-info")) / "licenses" / "LICENSE"
    digest = hashlib.sha256(licence.read_bytes()).hexdigest()
    policy = (
        'extends = "default"\nallow = ["@permissive", "@weak-copyleft", "ISC"]\n'
        '[[exceptions]]\npackage = "keras"\nallow = ["MIT"]\nreason = "old"\nexpires = 2020-01-01\n'
        '[[exceptions]]\npackage = "left-pad"\nallow = ["MIT"]\nreason = "removed long ago"\n'
        '[[clarifications]]\npackage = "paramiko"\nversions = "==5.1.0"\n'
        'expression = "LGPL-2.1-or-later"\nreason = "source headers say 2.1 or later"\n'
        f'files = [{{path = "licenses/LICENSE", sha256 = "{digest}"}}]\n'
        '[[clarifications]]\npackage = "chardet"\nexpression = "LGPL-2.1-or-later"\n'
        'reason = "pinned to a file that changed"\n'
        f'files = [{{path = "LICENSE", sha256 = "{"0" * 64}"}}]\n'
        '[[clarifications]]\npackage = "gone"\nexpression = "MIT"\nreason = "x"\n'
    )
    result = _scan(tmp_path, policy, "paramiko-5.1.0", "chardet-5.2.0", "keras-2.4.3")
    packages = {p.node.name: p for p in result.packages}
    assert packages["paramiko"].verdict.expression == "LGPL-2.1-or-later"
    assert packages["paramiko"].verdict.decided_by == ("policy:dllicense.toml:13",)
    codes = {(f.code, f.package or f.term) for f in result.findings}
    assert ("DL302", "keras") in codes
    assert ("DL301", "left-pad") in codes
    assert ("DL303", "chardet") in codes
    assert ("DL305", "gone") in codes
    assert ("DL304", "ISC") in codes
    stale = next(f for f in result.findings if f.code == "DL303")
    assert "LICENSE changed" in stale.message
    assert stale.location is not None and stale.location.file == "dllicense.toml"


def test_severity_overrides_from_policy_and_cli(tmp_path: Path) -> None:
    policy = 'extends = "default"\n[severity]\nDL107 = "error"\n'
    result = _scan(tmp_path, policy, "opencv-python-4.4.0.46", texts="none")
    # opencv-python 4.4 wheels say MIT; OpenCV 4.4 itself was BSD-3-Clause
    assert {f.code: f.severity.value for f in result.findings}["DL107"] == "error"
    assert _status(result) == {"opencv-python": "error"}
    quiet = scan_dirs(
        tmp_path / "project",
        DISTS / "opencv-python-4.4.0.46",
        texts="none",
        severity=(("DL107", "off"),),
    )
    assert "DL107" not in {f.code for f in quiet.findings}
    assert _status(quiet) == {"opencv-python": "ok"}
