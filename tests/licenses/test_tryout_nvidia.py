"""NVIDIA wheels that real projects lock, scanned from their real dist-info.

cuda-bindings 12.9.7 (tests/fixtures/tryout, found on huggingface/lerobot's uv.lock) spells
its LicenseRef in upper case; nvidia-nvtx-cu12 12.4.127 (tests/fixtures/tryout, found on
DS4SD/docling's poetry.lock, via torch 2.5.1) ships the CUDA EULA, not Apache-2.0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.collect.metadata import known_spelling
from dllicense.licenses.spdx import Normalized
from dllicense.models import Problem, ScanResult
from tests.conftest import FIXTURES, scan_dirs

CUDA_BINDINGS = FIXTURES / "tryout" / "cuda-bindings-12.9.7"
NVTX_12_4 = FIXTURES / "tryout" / "nvidia-nvtx-cu12-12.4.127"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    project: Path = tmp_path_factory.mktemp("empty-project")
    return scan_dirs(project, CUDA_BINDINGS, NVTX_12_4, texts="none")


def _codes(result: ScanResult, name: str) -> set[str]:
    return {f.code for f in result.findings if f.package == name}


def test_licenseref_is_spelled_as_the_knowledge_base_spells_it(result: ScanResult) -> None:
    package = next(p for p in result.packages if p.node.name == "cuda-bindings")
    assert package.verdict.expression == "LicenseRef-NVIDIA-Software-License"
    assert "DL107" not in _codes(result, "cuda-bindings")


def test_nvtx_before_12_6_77_is_the_cuda_eula(result: ScanResult) -> None:
    package = next(p for p in result.packages if p.node.name == "nvidia-nvtx-cu12")
    assert package.verdict.expression == "LicenseRef-NVIDIA-Proprietary"
    assert "DL107" not in _codes(result, "nvidia-nvtx-cu12")


def test_known_spelling_keeps_unknown_refs_and_expressions() -> None:
    unknown = Normalized("LicenseRef-Acme-EULA")
    assert known_spelling(unknown) is unknown
    mixed = Normalized("MIT AND LicenseRef-nvidia-proprietary")
    assert known_spelling(mixed).expression == "MIT AND LicenseRef-NVIDIA-Proprietary"


def test_dl102_from_the_index_says_the_licence_files_were_not_read() -> None:
    """jinja2 3.1.6 names only the BSD family in its metadata (its LICENSE.txt is
    BSD-3-Clause): read from the index without --fetch-files, DL102 says how to learn more."""
    from dataclasses import replace

    from dllicense.classify.verdict import classify
    from dllicense.collect.metadata import metadata_evidence
    from dllicense.discover.distributions import read_distribution
    from dllicense.models import Node
    from dllicense.pipeline.findings import evidence_findings as _evidence_findings

    folder = FIXTURES / "corpus" / "dists" / "jinja2-3.1.6" / "jinja2-3.1.6.dist-info"
    dist = read_distribution(folder, "test")
    assert not isinstance(dist, Problem)
    evidence = tuple(metadata_evidence(replace(dist, license_files=())))
    verdict = classify(evidence)
    node = Node("jinja2", "3.1.6", ("runtime",), ("jinja2",), (), (), direct=True)
    [vague] = _evidence_findings(node, verdict, evidence, False, True)
    assert vague.code == "DL102" and "--fetch-files" in vague.message
    [local] = _evidence_findings(node, verdict, evidence, False, False)
    assert "--fetch-files" not in local.message


NCCL_2_21 = FIXTURES / "tryout" / "nvidia-nccl-cu12-2.21.5"
NCCL_2_26 = FIXTURES / "tryout" / "nvidia-nccl-cu12-2.26.2"


def test_nccl_is_the_bsd_licence_its_wheel_ships(tmp_path: Path) -> None:
    """Every nvidia-nccl wheel ships NCCL's BSD-3-Clause License.txt. 2.26.2 (found on
    datalab-to/marker's poetry.lock via torch 2.7.0) says `License: BSD-3-Clause`: the CUDA
    EULA record made it a false DL203 (and, read from the index, a false DL107)."""
    result = scan_dirs(tmp_path, NCCL_2_26, texts="none")
    [package] = result.packages
    assert package.verdict.expression == "BSD-3-Clause"
    assert not [f for f in result.findings if f.package == "nvidia-nccl-cu12"]


def test_nccl_metadata_that_says_proprietary_is_shown_against_its_file(tmp_path: Path) -> None:
    """2.21.5 declares `License: NVIDIA Proprietary Software` beside the same BSD-3-Clause
    License.txt: the declared licence stands, and DL107 says the record disagrees."""
    result = scan_dirs(tmp_path, NCCL_2_21, texts="none")
    [package] = result.packages
    assert package.verdict.expression == "LicenseRef-NVIDIA-Proprietary"
    [dl107] = [f for f in result.findings if f.code == "DL107"]
    assert "knowledge:nccl says BSD-3-Clause" in dl107.message


RIVA_CLIENT = FIXTURES / "tryout" / "nvidia-riva-client-2.16.0"


def test_the_riva_client_is_the_mit_licence_its_wheel_ships(tmp_path: Path) -> None:
    """nvidia-riva-client 2.16.0 (livekit/agents' uv.lock, via livekit-plugins-nvidia) says
    `License: MIT` and ships an MIT LICENSE: the CUDA EULA record made it a false DL203."""
    result = scan_dirs(tmp_path, RIVA_CLIENT, texts="none")
    [package] = result.packages
    assert package.verdict.expression == "MIT"
    assert not [f for f in result.findings if f.package == "nvidia-riva-client"]
