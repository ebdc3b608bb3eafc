"""Licences in weight files: safetensors ``__metadata__`` written with the real library."""

from __future__ import annotations

import ctypes
import struct
from pathlib import Path

import pytest

from dllicense.classify.verdict import classify
from dllicense.collect.modelcards import folder_evidence
from dllicense.collect.weights import WeightsError, safetensors_metadata

safetensors = pytest.importorskip("safetensors")


def write(path: Path, metadata: dict[str, str] | None, floats: int = 4) -> None:
    """A real safetensors file (no real weights) written by the safetensors library."""
    data = bytes(4 * floats)
    try:  # safetensors < 0.8: tensors as dicts with their bytes
        safetensors.serialize_file(
            {"w": {"dtype": "F32", "shape": [floats], "data": data}}, str(path), metadata
        )
    except Exception:  # safetensors >= 0.8: TensorSpec pointing at the bytes
        buffer = ctypes.create_string_buffer(data, len(data))
        spec = safetensors.TensorSpec(
            dtype="float32", shape=[floats], data_ptr=ctypes.addressof(buffer), data_len=len(data)
        )
        safetensors.serialize_file({"w": spec}, str(path), metadata)


def test_header_metadata_is_read(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    write(path, {"license": "cc-by-nc-4.0", "format": "pt"}, floats=1024)
    assert safetensors_metadata(path) == {"license": "cc-by-nc-4.0", "format": "pt"}
    write(path, None)
    assert safetensors_metadata(path) == {}


def test_weights_licence_without_a_card(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    write(folder / "model.safetensors", {"modelspec.license": "creativeml-openrail-m"})
    evidence, problems, _ = folder_evidence(folder, "model", tmp_path)
    assert problems == []
    verdict = classify(evidence)
    assert verdict.expression == "LicenseRef-CreativeML-OpenRAIL-M"
    assert verdict.decided_by == ("model/model.safetensors __metadata__",)


def test_weights_and_card_disagree(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n# m\n", "utf-8")
    write(folder / "model.safetensors", {"license": "cc-by-nc-4.0"})
    evidence, _, _ = folder_evidence(folder, "model", tmp_path)
    verdict = classify(evidence)
    assert verdict.expression == "Apache-2.0"
    assert verdict.disagreements == ("model/model.safetensors __metadata__ says CC-BY-NC-4.0",)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x01\x02",
        struct.pack("<Q", 1 << 40) + b"{}",
        struct.pack("<Q", 4) + b"[1] ",
        struct.pack("<Q", 3) + b"{x}",
    ],
)
def test_broken_headers_are_a_finding(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(content)
    with pytest.raises(WeightsError):
        safetensors_metadata(folder / "model.safetensors")
    _evidence, problems, _ = folder_evidence(folder, "model", tmp_path)
    assert [p.code for p in problems] == ["DL063"]
    assert "weights header not read" in problems[0].message
