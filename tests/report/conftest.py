"""Real scans of fixture folders shared by the report tests (no mocks).

``project_result``: a project declaring Keras, ONNX, PyTorch, CNTK and a
missing h5py, with a policy that rejects the unspecified BSD licence NumPy
and SciPy declare, so Keras brings in failing packages; ONNX 1.23.2 ships a
NOTICE file. ``hostile_result``: a distribution whose metadata is markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dllicense.models import ScanResult
from tests.conftest import DISTS, scan_dirs

EPOCH = "1700000000"
PROJECT_DISTS = (
    "keras-2.4.3",
    "numpy-1.26.4",
    "scipy-1.17.1",
    "onnx-1.23.2",
    "torch-2.14.1",
    "cntk-2.7",
    "opencv-python-4.4.0.46",
)
REQUIREMENTS = "# runtime\nkeras==2.4.3\nonnx\ntorch\ncntk\nopencv-python\nh5py\n"
POLICY = """name = "review"
description = "Explicit SPDX ids only: a licence named only by family needs a decision."
allow = ["MIT", "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-2-Clause", "BSD-3-Clause",
         "BSL-1.0"]
"""
SCRIPT = "<script>document.title='pwned'</script>"
HOSTILE_METADATA = f"""Metadata-Version: 2.1
Name: hostile-pkg
Version: 6.6.6
Summary: {SCRIPT} summary
License: {SCRIPT}<img src=x onerror="document.title='img'"> & friends | [x](javascript:alert(1))
License-Expression: MIT OR {SCRIPT}
Classifier: License :: OSI Approved :: MIT License
Requires-Dist: numpy
"""


def write_project(root: Path, requirements: str, policy: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text(requirements, encoding="utf-8")
    if policy:
        (root / "dllicense.toml").write_text(policy, encoding="utf-8")
    return root


def scan_project(root: Path, *folders: Path, epoch: str | None = EPOCH) -> ScanResult:
    """Scan with ``SOURCE_DATE_EPOCH`` set (or unset), without the user's text cache."""
    with pytest.MonkeyPatch.context() as mp:
        if epoch is None:
            mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            mp.setenv("SOURCE_DATE_EPOCH", epoch)
        return scan_dirs(root, *folders, texts="none", use_cache=False)


def hostile_dist(root: Path) -> Path:
    """A site-packages folder with one distribution whose metadata is HTML and Markdown."""
    info = root / "hostile_pkg-6.6.6.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(HOSTILE_METADATA, encoding="utf-8")
    (info / "LICENSE").write_text(
        f"{SCRIPT}\nAll rights reserved & <b>bold</b>.\n", encoding="utf-8"
    )
    return root


@pytest.fixture(scope="session")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("review-project"), REQUIREMENTS, POLICY)


@pytest.fixture(scope="session")
def project_result(project_dir: Path) -> ScanResult:
    return scan_project(project_dir, *(DISTS / d for d in PROJECT_DISTS))


@pytest.fixture(scope="session")
def hostile_result(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    base = tmp_path_factory.mktemp("hostile")
    project = write_project(base / "project", f"hostile-pkg\n{SCRIPT}\n")
    site = hostile_dist(base / "site")
    return scan_project(project, site, DISTS / "numpy-1.26.4")


@pytest.fixture(scope="session")
def results(project_result: ScanResult, hostile_result: ScanResult) -> Iterator[ScanResult]:
    yield project_result
    yield hostile_result


ALL_RESULTS = ("project_result", "hostile_result")
