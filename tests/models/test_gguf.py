"""Licences in GGUF files: ``general.license*`` keys of files written by the real gguf package.

Hostile files are real files written by ``GGUFWriter`` with bytes changed where the
spec puts the field (github.com/ggml-org/ggml docs/gguf.md): the key/value count at
byte 16, the first key's length at byte 24.
"""

from __future__ import annotations

import os
import struct
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from dllicense.classify.verdict import classify
from dllicense.collect import ggufheader
from dllicense.collect.ggufheader import gguf_metadata
from dllicense.collect.modelcards import folder_evidence
from dllicense.collect.weights import WeightsError
from tests.conftest import scan_dirs

gguf = pytest.importorskip("gguf")
np = pytest.importorskip("numpy")


def write(
    path: Path,
    licence: dict[str, str] | None = None,
    vocab: int = 300,
    floats: int = 16,
    big_endian: bool = False,
) -> None:
    """A real GGUF file (no real weights): a vocabulary and other arrays first, then the
    licence keys, then one tensor, written by gguf's GGUFWriter."""
    endian = gguf.GGUFEndian.BIG if big_endian else gguf.GGUFEndian.LITTLE
    writer = gguf.GGUFWriter(str(path), "llama", endianess=endian)
    writer.add_name("tiny test model")
    writer.add_context_length(128)
    writer.add_array("tokenizer.ggml.tokens", [f"tok{i}" for i in range(vocab)])
    writer.add_array("tokenizer.ggml.scores", [0.5] * vocab)
    writer.add_array("test.nested", [[1, 2], [3]])
    writer.add_bool("test.flag", True)
    for key, value in (licence or {}).items():
        writer.add_string(key, value)
    writer.add_float64("test.after", 1.5)
    writer.add_tensor("w", np.zeros(floats, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


LICENCE = {
    "general.license": "other",
    "general.license.name": "llama3",
    "general.license.link": "LICENSE",
}


def read_with_gguf(path: Path) -> dict[str, str]:
    """The oracle: the same keys read by gguf's own GGUFReader (which maps the whole file)."""
    reader = gguf.GGUFReader(str(path))
    names = {"general.license": "license", "general.license.name": "license_name"}
    names["general.license.link"] = "license_link"
    return {
        name: str(reader.fields[key].contents())
        for key, name in names.items()
        if key in reader.fields
    }


@pytest.mark.parametrize("big_endian", [False, True])
def test_licence_keys_are_read(tmp_path: Path, big_endian: bool) -> None:
    path = tmp_path / "model.gguf"
    write(path, LICENCE, big_endian=big_endian)
    assert (
        gguf_metadata(path)
        == read_with_gguf(path)
        == {
            "license": "other",
            "license_name": "llama3",
            "license_link": "LICENSE",
        }
    )
    write(path, None, big_endian=big_endian)
    assert gguf_metadata(path) == read_with_gguf(path) == {}


def test_keys_past_the_first_read(tmp_path: Path) -> None:
    """A vocabulary larger than the first read: the prefix grows until the key/values end."""
    path = tmp_path / "model.gguf"
    write(path, {"general.license": "mit"}, vocab=20_000)
    assert path.stat().st_size > ggufheader.FIRST_READ
    assert gguf_metadata(path) == read_with_gguf(path) == {"license": "mit"}


def test_key_values_past_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Key/values larger than the bound are a finding, not a larger read."""
    path = tmp_path / "model.gguf"
    write(path, {"general.license": "mit"}, vocab=20_000)
    monkeypatch.setattr(ggufheader, "MAX_KV_BYTES", ggufheader.FIRST_READ)
    with pytest.raises(WeightsError, match="key/values are larger than"):
        gguf_metadata(path)


def test_tensors_are_not_read(tmp_path: Path) -> None:
    """A 16 MB tensor: the read stays within the first prefix."""
    path = tmp_path / "model.gguf"
    write(path, {"general.license": "apache-2.0"}, floats=4 * 1024 * 1024)
    tracemalloc.start()
    try:
        assert gguf_metadata(path) == {"license": "apache-2.0"}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * ggufheader.FIRST_READ


def folder_with(tmp_path: Path, licence: dict[str, str], card: str = "") -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    write(folder / "model-q4.gguf", licence)
    if card:
        (folder / "README.md").write_text(card, "utf-8")
    return folder


def test_weights_licence_without_a_card(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {"general.license": "cc-by-nc-4.0"})
    evidence, problems, _ = folder_evidence(folder, "model", tmp_path)
    assert problems == []
    verdict = classify(evidence)
    assert verdict.expression == "CC-BY-NC-4.0"
    assert verdict.decided_by == ("model/model-q4.gguf general.license",)
    assert [e.note for e in evidence if e.kind == "weights-metadata"] == ["GGUF header"]


def test_a_list_of_licences_joined_by_gguf_py(tmp_path: Path) -> None:
    """gguf-py joins a card's licence list with "," (metadata.py): every one applies."""
    folder = folder_with(tmp_path, {"general.license": "apache-2.0,cc-by-nc-4.0"})
    evidence, _, _ = folder_evidence(folder, "model", tmp_path)
    assert classify(evidence).expression == "Apache-2.0 AND CC-BY-NC-4.0"


def test_licence_file_comes_before_the_weights(tmp_path: Path) -> None:
    """The folder's LICENSE (the Apache-2.0 text of this repository) decides; the GGUF
    key that says otherwise is recorded as a disagreement."""
    folder = folder_with(tmp_path, {"general.license": "mit"})
    licence = Path(__file__).parents[2] / "LICENSE"
    (folder / "LICENSE").write_bytes(licence.read_bytes())
    evidence, problems, _ = folder_evidence(folder, "model", tmp_path)
    assert problems == []
    verdict = classify(evidence)
    assert verdict.expression == "Apache-2.0"
    assert verdict.decided_by == ("model/LICENSE",)
    assert verdict.disagreements == ("model/model-q4.gguf general.license says MIT",)


def test_weights_and_card_disagree(tmp_path: Path) -> None:
    card = "---\nlicense: apache-2.0\n---\n# m\n"
    folder = folder_with(tmp_path, {"general.license": "cc-by-nc-4.0"}, card)
    evidence, _, _ = folder_evidence(folder, "model", tmp_path)
    verdict = classify(evidence)
    assert verdict.expression == "Apache-2.0"
    assert verdict.disagreements == ("model/model-q4.gguf general.license says CC-BY-NC-4.0",)


def test_weights_and_card_agree(tmp_path: Path) -> None:
    card = "---\nlicense: other\nlicense_name: llama3\nlicense_link: LICENSE\n---\n"
    folder = folder_with(tmp_path, LICENCE, card)
    evidence, _, _ = folder_evidence(folder, "model", tmp_path)
    assert classify(evidence).disagreements == ()


def real_file(tmp_path: Path) -> bytes:
    path = tmp_path / "real.gguf"
    write(path, LICENCE)
    return path.read_bytes()


def hostile(real: bytes, case: str) -> bytes:
    """A real file with one field changed (offsets from the spec's header layout)."""
    huge = struct.pack("<Q", 1 << 62)
    first_key = struct.unpack_from("<Q", real, 24)[0]
    first_type = 24 + 8 + first_key
    cases: dict[str, Any] = {
        "empty": b"",
        "three bytes": real[:3],
        "wrong magic": b"GGML" + real[4:],
        "safetensors": struct.pack("<Q", 2) + b"{}",
        "version 1": real[:4] + struct.pack("<I", 1) + real[8:],
        "version 99": real[:4] + struct.pack("<I", 99) + real[8:],
        "header only": real[:24],
        "truncated key/values": real[: len(real) // 3],
        "truncated in the last value": real[: real.index(b"test.after") + 10 + 4 + 3],
        "huge kv count": real[:16] + huge + real[24:],
        "huge string length": real[:24] + huge + real[32:],
        "unknown value type": real[:first_type] + struct.pack("<I", 77) + real[first_type + 4 :],
        "huge array count": real[:24]
        + struct.pack("<Q", 1)
        + b"a"
        + struct.pack("<II", 9, 0)
        + huge
        + real[24:],
        "deep arrays": real[:24]
        + struct.pack("<Q", 1)
        + b"a"
        + struct.pack("<I", 9)
        + struct.pack("<IQ", 9, 1) * 10
        + struct.pack("<IQ", 0, 0)
        + real[24:],
        "licence not a string": real[:24]
        + struct.pack("<Q", 15)
        + b"general.license"
        + struct.pack("<II", 4, 7)
        + real[24:],
        "bad UTF-8 licence": real[:24]
        + struct.pack("<Q", 15)
        + b"general.license"
        + struct.pack("<IQ", 8, 2)
        + b"\xff\xfe"
        + real[24:],
    }
    data: bytes = cases[case]
    return data


CASES = [
    "empty",
    "three bytes",
    "wrong magic",
    "safetensors",
    "version 1",
    "version 99",
    "header only",
    "truncated key/values",
    "truncated in the last value",
    "huge kv count",
    "huge string length",
    "unknown value type",
    "huge array count",
    "deep arrays",
    "licence not a string",
    "bad UTF-8 licence",
]


@pytest.mark.parametrize("case", CASES)
def test_hostile_files_are_a_finding_within_bounds(tmp_path: Path, case: str) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.gguf").write_bytes(hostile(real_file(tmp_path), case))
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(WeightsError):
            gguf_metadata(folder / "model.gguf")
        _evidence, problems, _ = folder_evidence(folder, "model", tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 2 * ggufheader.FIRST_READ
    assert [p.code for p in problems] == ["DL063"]
    assert problems[0].message.startswith("model/model.gguf: weights header not read: ")


def test_a_fifo_is_not_opened(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    os.mkfifo(folder / "model.gguf")
    _evidence, problems, _ = folder_evidence(folder, "model", tmp_path)
    assert [p.code for p in problems] == ["DL063"]
    assert "not a regular file" in problems[0].message


def test_scan_of_a_project_with_a_gguf_folder(
    tmp_path: Path, no_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole pipeline: a local model folder with only a GGUF file, under a commercial policy."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub-cache"))
    project = tmp_path / "app"
    (project / "weights" / "tiny").mkdir(parents=True)
    write(project / "weights" / "tiny" / "tiny-q8_0.gguf", {"general.license": "cc-by-nc-4.0"})
    code = 'from transformers import AutoModel\nAutoModel.from_pretrained("./weights/tiny")\n'
    (project / "app.py").write_text(code, "utf-8")
    result = scan_dirs(project, no_env, models=True, policy="commercial-distribution")
    [model] = [p for p in result.packages if p.node.name == "weights/tiny"]
    assert (model.verdict.expression, model.status) == ("CC-BY-NC-4.0", "error")
    assert model.verdict.decided_by == ("weights/tiny/tiny-q8_0.gguf general.license",)
    assert [f.code for f in result.findings if f.package == "weights/tiny"] == ["DL202"]
