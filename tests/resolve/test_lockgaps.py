"""A lock that records no edges (pipenv's Pipfile.lock): what its packages' metadata requires
for the target and the lock lacks is DL034, as for a lock with edges.

MrDote/GSOC24_DeepLense@8da858d4's real Pipfile.lock was made on macOS: it locks torch 2.2.1
but none of the nvidia-* and triton wheels torch 2.2.1 requires on Linux x86_64, so on Linux
13 packages (12 under NVIDIA's licences) were silently left out of the scan. torch's real
METADATA (tests/fixtures/tryout, README there) is the installed environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.pipeline import ScanOptions, scan
from tests.conftest import FIXTURES

TRYOUT = FIXTURES / "tryout"
TORCH_LINUX = {  # torch 2.2.1's Requires-Dist for Linux x86_64 (triton: Python < 3.12)
    "nvidia-cublas-cu12",
    "nvidia-cuda-cupti-cu12",
    "nvidia-cuda-nvrtc-cu12",
    "nvidia-cuda-runtime-cu12",
    "nvidia-cudnn-cu12",
    "nvidia-cufft-cu12",
    "nvidia-curand-cu12",
    "nvidia-cusolver-cu12",
    "nvidia-cusparse-cu12",
    "nvidia-nccl-cu12",
    "nvidia-nvtx-cu12",
    "triton",
}


def _gaps(tmp_path: Path, **options: object) -> dict[str, str]:
    result = scan(
        ScanOptions(
            project=TRYOUT / "deeplense-pipfile",
            paths=(str(TRYOUT / "torch-2.2.1"),),
            texts="none",
            cache_dir=tmp_path,
            use_cache=False,
            **options,  # type: ignore[arg-type]
        )
    )
    assert any(p.node.name == "torch" and p.node.version == "2.2.1" for p in result.packages)
    return {f.package: f.message for f in result.findings if f.code == "DL034"}


def test_a_gap_of_a_lock_without_edges_is_dl034(tmp_path: Path) -> None:
    gaps = _gaps(tmp_path, python_version="3.11", platform="linux")
    assert set(gaps) == TORCH_LINUX
    assert gaps["nvidia-cudnn-cu12"].startswith(
        "torch 2.2.1 requires nvidia-cudnn-cu12==8.9.2.26, which Pipfile.lock does not lock "
        "for Python 3.11"
    )


@pytest.mark.parametrize(
    ("python", "platform", "expected"),
    [
        ("3.12", "linux", TORCH_LINUX - {"triton"}),  # triton only below Python 3.12
        ("3.11", "darwin", set()),  # the platform the lock was made on: nothing lacks
    ],
)
def test_the_gaps_are_the_targets(
    tmp_path: Path, python: str, platform: str, expected: set[str]
) -> None:
    assert set(_gaps(tmp_path, python_version=python, platform=platform)) == expected
