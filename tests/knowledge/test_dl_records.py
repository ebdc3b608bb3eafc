"""Records of issues 15, 16 and 21: DL companions, NVIDIA/Intel families, weights, ffmpeg."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dllicense.config.policy import load_policy
from dllicense.knowledge import framework_license, license_record
from dllicense.knowledge.traits import license_traits
from dllicense.models import Node, Verdict
from dllicense.policy.evaluate import evaluate_package


@pytest.mark.parametrize(
    ("name", "version", "ecosystem", "expression"),
    [
        ("torchvision", "0.29.2", "pypi", "BSD-3-Clause"),
        ("torchaudio", "2.11.1", "pypi", "BSD-2-Clause"),
        ("xformers", "0.0.35", "pypi", "BSD-3-Clause"),
        ("flash-attn", "2.8.3", "pypi", "BSD-3-Clause"),
        ("triton", "3.9.0", "pypi", "MIT"),
        ("cuda-toolkit", "13.5.0", "pypi", "LicenseRef-NVIDIA-Proprietary"),
        ("cuda-bindings", "12.9.7", "pypi", "LicenseRef-NVIDIA-Software-License"),
        ("cuda-bindings", "12.9.8", "pypi", "Apache-2.0"),
        ("cuda-python", "13.3.1", "pypi", "LicenseRef-NVIDIA-Software-License"),
        ("cuda-python", "13.4.1", "pypi", "Apache-2.0"),
        ("tbb", "2023.2.0", "pypi", "LicenseRef-Intel-ISSL"),
        ("tbb", "2021.13.0", "conda", "Apache-2.0"),
        ("mkl", "2026.2.0", "pypi", "LicenseRef-Intel-ISSL"),
        ("cudatoolkit", "11.1.1", "conda", "LicenseRef-NVIDIA-Proprietary"),
        ("ffmpeg", "8.0.1", "conda", "LGPL-2.1-or-later"),
        *[
            (rock, "scm-1", "luarocks", "BSD-3-Clause")
            for rock in (
                "torch",
                "nn",
                "cutorch",
                "cunn",
                "optim",
                "image",
                "paths",
                "xlua",
                "trepl",
            )
        ],
    ],
)
def test_licence_per_version(name: str, version: str, ecosystem: str, expression: str) -> None:
    period = framework_license(name, version, ecosystem)
    assert period is not None and period.expression == expression
    assert period.sources


def test_nvidia_software_license_id_as_declared_is_known_and_proprietary() -> None:
    traits = license_traits("LicenseRef-NVIDIA-SOFTWARE-LICENSE")
    assert (traits.family, traits.patent) == ("proprietary", "excluded")


@pytest.mark.parametrize(
    "key",
    [
        "LicenseRef-dllicense-torchvision-weights",
        "LicenseRef-dllicense-timm-weights",
        "LicenseRef-dllicense-torch-hub-weights",
    ],
)
def test_weights_records_need_review_never_bsd(key: str) -> None:
    record = license_record(key)
    assert record is not None and record.family == "proprietary"
    assert record.commercial == "unknown" and record.sources


def _outcome(expression: str, policy: str) -> list[str]:
    node = Node(
        name="pkg",
        version="1",
        scopes=("runtime",),
        path=("pkg",),
        parents=(),
        requires=(),
        direct=True,
    )
    verdict = Verdict(expression=expression, confidence="high", decided_by=("knowledge",))
    out = evaluate_package(
        node,
        verdict,
        load_policy(Path("."), policy),
        license_traits,
        dt.date(2026, 1, 1),
    )
    return [f"{f.code} {f.message}" for f in out.findings]


def test_dl203_is_one_line_that_points_to_the_clauses() -> None:
    """The redistribution and patent clauses are long and the same for every CUDA wheel (13-16
    per scan): the finding names the review traits and where to read them, ``explain`` shows
    them."""
    from click.testing import CliRunner

    from dllicense.cli import main

    nvidia = _outcome("LicenseRef-NVIDIA-Proprietary", "commercial-distribution")
    assert len(nvidia) == 1 and nvidia[0].startswith("DL203")
    assert "\n" not in nvidia[0] and len(nvidia[0]) < 240
    assert "proprietary, commercial-restricted" in nvidia[0]
    assert "policy 'commercial-distribution'" in nvidia[0] and "exception" in nvidia[0]
    assert "dllicense explain LicenseRef-NVIDIA-Proprietary" in nvidia[0]
    explained = CliRunner().invoke(main, ["explain", "LicenseRef-NVIDIA-Proprietary"]).output
    explained = " ".join(explained.split())  # the text wraps
    assert "material additional functionality" in explained and "patent" in explained
    intel = _outcome("LicenseRef-Intel-ISSL", "commercial-distribution")
    assert intel[0].startswith("DL203") and "Intel grants no licenses" not in intel[0]
    explained = CliRunner().invoke(main, ["explain", "LicenseRef-Intel-ISSL"]).output
    assert "Intel grants no licenses" in " ".join(explained.split())
    weights = _outcome("LicenseRef-dllicense-torchvision-weights", "default")
    assert weights and weights[0].startswith("DL203")


def test_gpl_ffmpeg_build_fails_commercial_distribution() -> None:
    findings = _outcome("GPL-2.0-or-later", "commercial-distribution")
    assert findings and findings[0].startswith("DL202")
    assert not _outcome("LGPL-2.1-or-later", "commercial-distribution")
