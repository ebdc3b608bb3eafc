"""Nothing installed, no ``--python-version``: the Python a conda environment file pins
(``python=3.8.5``) is the target of ``--online`` and of the markers, as conda installs it.

The environment file is stable-diffusion's (``tests/fixtures/conda-python``, see its
SOURCE.md); the oracle is ``uv pip compile --python-version 3.8`` on its ``pip:`` list
(the PyPI twins of its conda packages excluded, ``test_conda_twins``),
the index the one recorded for it, served on 127.0.0.1."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dllicense.discover.ecosystems import conda_python
from dllicense.discover.ecosystems.conda import python_pin
from dllicense.models import ScanResult
from dllicense.pipeline import ScanOptions, scan
from tests.index.conftest import environment_checkout
from tests.index.server import RecordedIndex

FIXTURE = Path(__file__).parents[1] / "fixtures" / "conda-python" / "stable-diffusion"
DIT = Path(__file__).parents[1] / "fixtures" / "checkouts" / "dit-conda" / "environment.yml"


@pytest.fixture(autouse=True)
def _nothing_active(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))


@pytest.fixture
def index(serve: Callable[..., RecordedIndex]) -> RecordedIndex:
    return serve(root=FIXTURE / "index")


def _checkout(tmp_path: Path, text: str | None = None) -> Path:
    return environment_checkout(FIXTURE, tmp_path / "sd", text)


def _pins(name: str) -> set[tuple[str, str]]:
    lines = (FIXTURE / name).read_text("utf-8").split()
    return {(n, v) for n, _, v in (line.partition("==") for line in lines)}


def _scan(root: Path, server: RecordedIndex, tmp_path: Path, **more: object) -> ScanResult:
    return scan(
        ScanOptions(
            project=root,
            online=True,
            index_url=server.index_url,
            cache_dir=tmp_path / "cache",
            texts="none",
            **({"platform": "linux"} | more),  # type: ignore[arg-type]
        )
    )


def _pypi_set(result: ScanResult) -> set[tuple[str, str]]:
    return {(p.node.name, p.node.version) for p in result.packages if p.node.ecosystem == "pypi"}


def test_the_real_file_pins_python_3_8_5() -> None:
    text = (FIXTURE / "environment.yaml").read_text("utf-8")
    assert python_pin(text) == ("3.8.5", "python=3.8.5")
    assert python_pin(DIT.read_text("utf-8")) is None  # DiT's python >= 3.8: a range


@pytest.mark.parametrize(
    ("entry", "version"),
    [
        ("python=3.8.5", "3.8.5"),  # conda: 3.8.5*
        ("python=3.8", "3.8"),  # 3.8.*
        ("python==3.10.*", "3.10"),
        ("python 3.9.*", "3.9"),
        ("conda-forge::python=3.9.7=h1234_0", "3.9.7"),  # channel and build string
        ("python>=3.8", None),  # a range: the running Python, as before
        ("python >=3.8,<3.9", None),
        ("python=3", None),  # a major version alone: a range too
        ("python=3.8|3.9", None),
        ("python", None),
        ("pythonnet=3.0", None),
    ],
)
def test_which_specs_pin_one_python(entry: str, version: str | None) -> None:
    found = python_pin(f"dependencies:\n  - {entry}\n  - pip\n")
    assert (found[0] if found else None) == version


def test_pins_that_differ_pin_nothing(tmp_path: Path) -> None:
    assert python_pin("dependencies:\n  - python=3.8\n  - python=3.9\n") is None
    root = _checkout(tmp_path)
    assert conda_python(root) == ("3.8.5", "environment.yaml: python=3.8.5")
    (root / "environment.yml").write_text("dependencies:\n  - python=3.10\n", "utf-8")
    assert conda_python(root) is None  # environment.yml and .yaml disagree


def test_online_resolves_for_the_pinned_python(index: RecordedIndex, tmp_path: Path) -> None:
    """No --python-version: uv's answer for Python 3.8 (the oracle), said once."""
    result = _scan(_checkout(tmp_path), index, tmp_path)
    expected = _pins("expected-py38.txt") | _pins("excluded-py38.txt")
    assert _pypi_set(result) == expected
    assert result.python_version == "3.8.5"
    assert "resolution for Python 3.8 (environment.yaml: python=3.8.5) on linux" in (
        result.environment
    )
    left_out = {f.package for f in result.findings if f.code == "DL007"}
    assert left_out == {name for name, _ in _pins("excluded-py38.txt")}


def test_an_explicit_python_version_wins(index: RecordedIndex, tmp_path: Path) -> None:
    """--python-version 3.11: the pin is not used (opencv-python 4.1.2.30 has wheels up to
    cp38 only: for 3.11 it has none, and the resolution is not the 3.8 one)."""
    result = _scan(_checkout(tmp_path), index, tmp_path, python_version="3.11")
    assert "environment.yaml" not in result.environment
    assert "Python 3.11 on linux" in result.environment
    assert result.python_version == "3.11.0"
    assert _pypi_set(result) != _pins("expected-py38.txt") | _pins("excluded-py38.txt")


def test_a_range_keeps_the_running_python(index: RecordedIndex, tmp_path: Path) -> None:
    text = (FIXTURE / "environment.yaml").read_text("utf-8").replace("python=3.8.5", "python>=3.8")
    result = _scan(_checkout(tmp_path, text), index, tmp_path, python_version=None)
    assert "environment.yaml" not in result.environment
    assert f"Python {sys.version_info[0]}.{sys.version_info[1]} on linux" in result.environment


def test_a_lock_keeps_its_target(tmp_path: Path) -> None:
    """Nothing installed, a fully pinned requirements file (uv's answer, as the lock): the
    lock's markers are evaluated as before, for the running Python (a lock is made by its
    own tool for the Pythons it supports; outlines has a uv.lock and an environment.yml
    pinning python==3.10.0 for conda users)."""
    root = _checkout(tmp_path)
    shutil.copy(FIXTURE / "expected-py38.txt", root / "requirements.txt")
    result = scan(ScanOptions(project=root, cache_dir=tmp_path / "cache", texts="none"))
    assert result.environment == "lock file requirements.txt (nothing installed)"
    assert result.python_version == "{}.{}.{}".format(*sys.version_info[:3])


def test_all_targets_start_at_the_pinned_python(index: RecordedIndex, tmp_path: Path) -> None:
    """--all-targets: uv's --universal from the pinned Python up, as from --python-version."""
    result = _scan(_checkout(tmp_path), index, tmp_path, all_targets=True, platform=None)
    assert "resolution for every target, Python 3.8 (environment.yaml: python=3.8.5) and up" in (
        result.environment
    )
