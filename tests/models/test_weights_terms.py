"""torchvision, timm (no card found) and torch.hub weights get their documented terms from
the knowledge base: "needs review", never unknown and never the code's BSD licence."""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.pipeline import ScanOptions, scan

CODE = """import torch, timm, torchvision
m = torchvision.models.resnet50(weights="IMAGENET1K_V2")
t = timm.create_model("vit_base_patch16_224", pretrained=True)
h = torch.hub.load("facebookresearch/dino:main", "dino_vits16")
"""


def test_weights_outside_the_hub_need_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub-cache"))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    root = tmp_path / "proj"
    root.mkdir()
    (root / "train.py").write_text(CODE, encoding="utf-8")
    (root / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n', "utf-8")
    result = scan(
        ScanOptions(
            project=root,
            models=True,
            texts="none",
            use_cache=False,
            policy="commercial-distribution",
        )
    )
    verdicts = {p.node.name: p.verdict.expression for p in result.packages}
    assert verdicts == {
        "torchvision/resnet50": "LicenseRef-dllicense-torchvision-weights",
        "timm/vit_base_patch16_224": "LicenseRef-dllicense-timm-weights",
        "facebookresearch/dino/dino_vits16": "LicenseRef-dllicense-torch-hub-weights",
    }
    codes = {(f.package, f.code) for f in result.findings}
    assert all((name, "DL203") in codes for name in verdicts)
    assert not {code for _, code in codes} & {"DL101", "DL201"}
