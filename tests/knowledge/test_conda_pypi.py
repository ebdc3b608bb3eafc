"""Conda -> PyPI names from prefix.dev's parselmouth mapping (knowledge/conda_pypi.json)."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest

from dllicense.knowledge.conda_pypi import mapping_source, pypi_name, pypi_names

from .conftest import KNOWLEDGE, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "conda-pypi" / "pytorch-compressed_mapping.json"


def _script() -> ModuleType:
    path = ROOT / "scripts" / "gen_conda_pypi.py"
    spec = importlib.util.spec_from_file_location("gen_conda_pypi", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("conda", "channel", "pypi"),
    [
        ("pytorch", None, "torch"),
        ("pytorch-cpu", None, "torch"),
        ("py-opencv", None, "opencv-python"),  # also installs opencv-python-headless
        ("libopencv", None, "opencv-python"),
        ("tensorflow", None, "tensorflow"),
        ("tensorflow-base", None, "tensorflow"),
        ("py-xgboost", None, "xgboost"),
        ("matplotlib-base", None, "matplotlib"),
        ("jaxlib", None, "jaxlib"),  # the name of its own among three distributions
        ("torchtriton", "pytorch", "triton"),
        ("ignite", "pytorch", "pytorch-ignite"),
        ("NumPy", None, "numpy"),
        ("cudatoolkit", None, None),  # installs no PyPI distribution
        ("mkl", None, None),
        ("nccl", None, None),
        ("no-such-conda-package", None, None),
    ],
)
def test_pypi_name(conda: str, channel: str | None, pypi: str | None) -> None:
    assert pypi_name(conda, channel) == pypi


def test_all_names_and_channel_order() -> None:
    assert pypi_names("py-opencv") == ("opencv-python", "opencv-python-headless")
    assert pypi_names("faiss-cpu", "pytorch") == ("faiss",)  # pytorch channel's build
    assert pypi_names("pytorch", "no-such-channel") == ("torch",)  # conda-forge, then the rest


def test_source_is_recorded() -> None:
    source = mapping_source()
    assert source["repository"] == "https://github.com/prefix-dev/parselmouth"
    assert len(source["commit"]) == 40 and source["date"] == "2026-08-19"
    assert (KNOWLEDGE / "conda_pypi.json").stat().st_size < 1024 * 1024


def test_generator_reproduces_the_pytorch_channel_from_the_real_file() -> None:
    table = _script().channel_table(json.loads(FIXTURE.read_text(encoding="utf-8")))
    stored = json.loads((KNOWLEDGE / "conda_pypi.json").read_text(encoding="utf-8"))
    assert table == stored["channels"]["pytorch"]
    assert table["renamed"]["pytorch"] == ["torch"]
    assert "cpuonly" not in table["same"] and "cpuonly" not in table["renamed"]  # null: dropped
