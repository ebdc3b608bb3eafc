"""``--online`` on a conda environment file: the conda packages' PyPI twins (``pytorch`` ->
``torch``) are installed by conda before pip runs, so the ``pip:`` list is resolved with
them excluded (uv's ``--excludes``), as pip leaves a requirement they satisfy alone.

The environment file is IDM-VTON's (``tests/fixtures/conda-python/idm-vton``, see its
SOURCE.md); the oracle is ``uv pip compile --excludes`` on its ``pip:`` list with the conda
twins listed, for Python 3.10; the index the one recorded for it, served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dllicense.discover.ecosystems import ecosystem_declarations
from dllicense.discover.ecosystems.conda import read_conda
from dllicense.discover.project import discover_project
from dllicense.models import Declared, Location, ScanResult
from dllicense.pipeline import ScanOptions, scan
from dllicense.pipeline.graphs import conda_provided
from dllicense.resolve.condatwins import conda_twins, unmet
from tests.index.conftest import environment_checkout
from tests.index.server import RecordedIndex

FIXTURE = Path(__file__).parents[1] / "fixtures" / "conda-python" / "idm-vton"


@pytest.fixture(autouse=True)
def _nothing_active(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))


@pytest.fixture
def index(serve: Callable[..., RecordedIndex]) -> RecordedIndex:
    return serve(root=FIXTURE / "index")


def _checkout(tmp_path: Path, text: str | None = None) -> Path:
    return environment_checkout(FIXTURE, tmp_path / "idm", text)


def _lines(name: str) -> list[str]:
    return (FIXTURE / name).read_text("utf-8").split()


def _pins(name: str) -> set[tuple[str, str]]:
    return {(n, v) for n, _, v in (line.partition("==") for line in _lines(name))}


def _scan(root: Path, server: RecordedIndex, tmp_path: Path) -> ScanResult:
    return scan(
        ScanOptions(
            project=root,
            online=True,
            index_url=server.index_url,
            cache_dir=tmp_path / "cache",
            texts="none",
            platform="linux",
        )
    )


def _twins(text: str, *pip: tuple[str, str]) -> tuple[str, ...]:
    declarations, _ = read_conda(text, "environment.yaml")
    conda = [d for d in declarations if d.ecosystem == "conda"]
    where = Location("environment.yaml", 1)
    declared = [Declared(f"{n}{s}", n, "runtime", where, s) for n, s in pip]
    return tuple(conda_twins(conda, declared))


def test_the_twins_are_the_oracles(tmp_path: Path) -> None:
    """The knowledge base maps the file's conda packages to the twins the oracle excluded
    (pytorch -> torch, torchtriton -> triton; pytorch-cuda installs no PyPI package)."""
    root = _checkout(tmp_path)
    conda = [d for d in ecosystem_declarations(root)[0] if d.ecosystem == "conda"]
    assert tuple(conda_twins(conda, [])) == tuple(_lines("conda-twins-py310.txt"))


def test_online_leaves_conda_twins_to_conda(index: RecordedIndex, tmp_path: Path) -> None:
    """uv's answer with the twins excluded (the oracle): no PyPI torch, no second
    torchvision, no CUDA 13 ``nvidia-*`` wheels and no DL203 on them."""
    result = _scan(_checkout(tmp_path), index, tmp_path)
    expected = _pins("expected-py310.txt") | _pins("excluded-py310.txt")
    assert {
        (p.node.name, p.node.version) for p in result.packages if p.node.ecosystem == "pypi"
    } == (expected)
    conda = {(p.node.name, p.node.version) for p in result.packages if p.node.ecosystem == "conda"}
    assert ("pytorch", "2.0.1") in conda and ("torchvision", "0.15.2") in conda
    assert not [f for f in result.findings if f.code == "DL203"]
    assert {f.package for f in result.findings if f.code == "DL007"} == {"fvcore"}
    assert not [f for f in result.findings if "does not lock" in f.message]  # torch: conda's


CONDA = "dependencies:\n  - pytorch::pytorch=2.0.1=py3.10_cuda11.8_cudnn8.7.0_0\n  - numpy\n"


@pytest.mark.parametrize(
    ("pip", "twins"),
    [
        ((), ("numpy", "torch")),
        ((("torch", ""),), ("numpy", "torch")),  # satisfied by conda's: pip leaves it
        ((("torch", ">=2.0"),), ("numpy", "torch")),
        ((("torch", "==2.1.0"),), ("numpy",)),  # pip replaces conda's: pip's to resolve
        ((("numpy", "==1.26.4"),), ("torch",)),  # conda's numpy is unpinned: unknown
    ],
)
def test_a_pip_entry_conda_does_not_satisfy_keeps_its_package(
    pip: tuple[tuple[str, str], ...], twins: tuple[str, ...]
) -> None:
    assert _twins(CONDA, *pip) == twins


def test_requirements_declared_elsewhere_are_resolved_as_pip_alone(tmp_path: Path) -> None:
    """Only a project whose PyPI requirements are all the environment file's ``pip:``
    entries leaves the twins to conda; one that also has requirements.txt (or a
    pyproject.toml: outlines) is resolved as pip installs it without conda."""
    root = _checkout(tmp_path)
    declared = list(discover_project(root).declared)
    assert {d.location.file for d in declared} == {"environment.yaml"}
    assert tuple(conda_provided(root, declared)) == tuple(_lines("conda-twins-py310.txt"))
    (root / "requirements.txt").write_text("torchmetrics==1.2.1\n", "utf-8")
    assert conda_provided(root, list(discover_project(root).declared)) == {}


PANDAS = [  # pandas 2.0.3's numpy lines (stable-diffusion's index)
    'numpy (>=1.20.3) ; python_version < "3.10"',
    'numpy (>=1.21.0) ; python_version >= "3.10"',
    'numpy (>=1.23.2) ; python_version >= "3.11"',
    'pytest (>=7.3.2) ; extra == "test"',
]


@pytest.mark.parametrize(
    ("provided", "python", "replaced"),
    [
        ({"numpy": "1.19.2"}, "3.8", {"numpy"}),  # pip upgrades conda's numpy
        ({"numpy": "1.22.4"}, "3.8", set()),
        ({"numpy": "1.22.4"}, "3.11", {"numpy"}),  # the marker is the target's
        ({"numpy": "1.22.4"}, None, {"numpy"}),  # every target: any line may apply
        ({"numpy": ""}, "3.8", set()),  # unpinned conda numpy: unknown, left to conda
        ({"pytest": "6.0"}, "3.8", set()),  # an extra's requirement is not installed
    ],
)
def test_a_resolved_requirement_conda_does_not_meet_replaces_it(
    provided: dict[str, str], python: str | None, replaced: set[str]
) -> None:
    target = None if python is None else {"python_version": python, "sys_platform": "linux"}
    assert unmet([tuple(PANDAS)], provided, target) == replaced
