"""One finding for many packages: the terminal says it once and names them; JSON and SARIF
keep one finding per package (issue 15: DL203 repeated for each of 13-16 CUDA wheels).

Real dist-info of NVIDIA wheels: nvidia-cuda-runtime-cu12 12.9.79 (tests/fixtures/dists),
nvidia-nvtx-cu12 12.4.127 and cuda-bindings 12.9.7 (tests/fixtures/tryout).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dllicense.models import ScanResult
from dllicense.report import render
from tests.conftest import FIXTURES, scan_dirs

WHEELS = (
    FIXTURES / "dists" / "nvidia-cuda-runtime-cu12-12.9.79",
    FIXTURES / "tryout" / "nvidia-nvtx-cu12-12.4.127",
    FIXTURES / "tryout" / "cuda-bindings-12.9.7",
)
EULA = "LicenseRef-NVIDIA-Proprietary"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    project: Path = tmp_path_factory.mktemp("empty-project")
    return scan_dirs(project, *WHEELS, texts="none")


def test_the_terminal_names_the_packages_of_one_finding_once(result: ScanResult) -> None:
    lines = [line for line in render(result, "table").splitlines() if "DL203" in line]
    eula = [line for line in lines if f"{EULA} needs review" in line]
    assert len(eula) == 1
    assert eula[0].endswith("(2 packages: nvidia-cuda-runtime-cu12, nvidia-nvtx-cu12)")
    # a different message (another licence) stays on its own line, with its package
    [other] = [line for line in lines if line not in eula]
    assert "cuda-bindings 12.9.7: LicenseRef-NVIDIA-Software-License needs review" in other


def test_json_and_sarif_keep_one_finding_per_package(result: ScanResult) -> None:
    findings = json.loads(render(result, "json"))["findings"]
    eula = sorted(f["package"] for f in findings if f["code"] == "DL203" and f["term"] == EULA)
    assert eula == ["nvidia-cuda-runtime-cu12", "nvidia-nvtx-cu12"]
    run = json.loads(render(result, "sarif"))["runs"][0]
    assert sum(r["ruleId"] == "DL203" for r in run["results"]) == 3
