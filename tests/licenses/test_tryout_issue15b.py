"""Wheels that new-user tryouts (issue 15) read wrongly, scanned from their real dist-info.

python-dateutil 2.9.0.post0, aiohappyeyeballs 2.4.0 and litellm-enterprise 0.1.83 are in
tests/fixtures/tryout (their PyPI files and sha256 in the README there).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dllicense.knowledge import license_traits
from dllicense.models import PackageResult, ScanResult
from tests.conftest import FIXTURES, run_cli, scan_dirs

DATEUTIL = FIXTURES / "tryout" / "python-dateutil-2.9.0.post0"
AIOHAPPYEYEBALLS = FIXTURES / "tryout" / "aiohappyeyeballs-2.4.0"
LITELLM_ENTERPRISE = FIXTURES / "tryout" / "litellm-enterprise-0.1.83"
AIO_WHEEL = AIOHAPPYEYEBALLS / "aiohappyeyeballs-2.4.0.dist-info" / "WHEEL"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    project: Path = tmp_path_factory.mktemp("empty-project")
    return scan_dirs(project, DATEUTIL, AIOHAPPYEYEBALLS)


def _package(result: ScanResult, name: str) -> PackageResult:
    return next(p for p in result.packages if p.node.name == name)


def test_dateutil_licence_quoting_the_bsd_text_keeps_the_bsd_classifier(
    result: ScanResult,
) -> None:
    """``License: Dual License``, classifiers BSD and Apache; LICENSE is the Apache notice for
    contributions after 2017-12-01, then the BSD-3-Clause text "applies to all code": both."""
    package = _package(result, "python-dateutil")
    assert package.verdict.expression in (
        "Apache-2.0 AND BSD-3-Clause",
        "BSD-3-Clause AND Apache-2.0",
    )
    assert any("LICENSE also quotes BSD-3-Clause" in n for n in package.verdict.notes)
    assert not any("not confirmed" in n for n in package.verdict.notes)
    assert not package.verdict.disagreements


def test_poetry_core_generated_classifier_does_not_contradict_the_licence(
    result: ScanResult,
) -> None:
    """``License: Python-2.0.1`` with ``License :: Other/Proprietary License``, which
    poetry-core adds itself for ids that are not OSI-approved (WHEEL: poetry-core 1.9.0)."""
    package = _package(result, "aiohappyeyeballs")
    assert package.verdict.expression == "Python-2.0.1"
    assert not package.verdict.disagreements
    assert not [f for f in result.findings if f.package == "aiohappyeyeballs" and f.code == "DL103"]
    [generated] = [e for e in package.evidence if e.value == "License :: Other/Proprietary License"]
    assert not generated.expression and "poetry-core 1.9.0" in generated.note


def test_the_same_classifier_from_another_build_backend_still_disagrees(tmp_path: Path) -> None:
    """Without poetry's Generator line the classifier is the authors' word: DL103 stays."""
    site = tmp_path / "site"
    shutil.copytree(AIOHAPPYEYEBALLS, site)
    wheel = site / AIO_WHEEL.relative_to(AIOHAPPYEYEBALLS)
    assert "Generator: poetry-core 1.9.0" in wheel.read_text("utf-8")
    wheel.write_text(wheel.read_text("utf-8").replace("poetry-core 1.9.0", "hatchling 1.25.0"))
    (tmp_path / "project").mkdir()
    result = scan_dirs(tmp_path / "project", site, texts="none")
    assert [f.code for f in result.findings if f.code == "DL103"] == ["DL103"]


def test_licenseref_proprietary_is_proprietary_to_the_policy(tmp_path: Path) -> None:
    """litellm-enterprise 0.1.83 (tests/fixtures/tryout): ``License-Expression:
    LicenseRef-Proprietary``, the id the alias table reads as proprietary in ``License``. It
    failed DL201 as "unknown" under a policy that allows @proprietary with review."""
    (tmp_path / "project").mkdir()
    result = scan_dirs(tmp_path / "project", LITELLM_ENTERPRISE, texts="none")
    [package] = result.packages
    assert package.verdict.expression == "LicenseRef-Proprietary"
    codes = {f.code: f.message for f in result.findings}
    assert "DL201" not in codes
    assert "LicenseRef-Proprietary needs review (proprietary" in codes["DL203"]
    explained = run_cli("explain", "LicenseRef-Proprietary")
    assert explained.returncode == 0 and "family: proprietary" in explained.stdout
    assert license_traits("LicenseRef-Acme-EULA").family == "unknown"  # no alias: unknown
