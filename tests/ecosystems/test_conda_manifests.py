"""Real environment files (tests/fixtures/manifests/README.md): conda-only native packages get
the knowledge base's licences, conda names that are PyPI projects are mapped, and the
``pip:`` list's -e / VCS / -r entries are findings or read, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.collect.ecosystems import ecosystem_packages
from dllicense.discover.ecosystems import ecosystem_declarations
from dllicense.models import PackageResult, ScanResult
from tests.conftest import scan_dirs

FIXTURES = Path(__file__).parents[1] / "fixtures" / "manifests"


@pytest.fixture
def no_env(tmp_path: Path) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    return folder


def _packages(result: ScanResult) -> dict[str, PackageResult]:
    return {p.node.name: p for p in result.packages if p.node.ecosystem == "conda"}


NATIVE = {  # conda package -> (expression, family, patent, commercial) in RoseTTAFold-AA
    "cudatoolkit": ("LicenseRef-NVIDIA-Proprietary", "proprietary", "excluded", "restricted"),
    "cuda-cudart": ("LicenseRef-NVIDIA-Proprietary", "proprietary", "excluded", "restricted"),
    "cuda-nvrtc": ("LicenseRef-NVIDIA-Proprietary", "proprietary", "excluded", "restricted"),
    "cuda-runtime": ("LicenseRef-NVIDIA-Proprietary", "proprietary", "excluded", "restricted"),
    "cudnn": ("LicenseRef-NVIDIA-Proprietary", "proprietary", "excluded", "restricted"),
    "mkl": ("LicenseRef-Intel-ISSL", "proprietary", "excluded", "allowed"),
    "mkl-devel": ("LicenseRef-Intel-ISSL", "proprietary", "excluded", "allowed"),
    "mkl-include": ("LicenseRef-Intel-ISSL", "proprietary", "excluded", "allowed"),
    "nccl": ("BSD-3-Clause", "permissive", "silent", "allowed"),
}


def test_native_conda_packages_get_licences_and_traits(no_env: Path) -> None:
    result = scan_dirs(FIXTURES / "rosettafold-aa", no_env, policy="default", texts="none")
    packages = _packages(result)
    assert len(packages) == 295  # 297 conda match specs, minus python and pip
    got = {}
    for name in NATIVE:
        verdict = packages[name].verdict
        [traits] = verdict.traits
        got[name] = (verdict.expression, traits.family, traits.patent, traits.commercial)
    assert got == NATIVE
    assert packages["cudatoolkit"].node.version == "11.8.0"
    assert packages["cudnn"].verdict.decided_by == ("knowledge:nvidia-cudnn-conda",)
    assert packages["nccl"].verdict.decided_by == ("knowledge:nccl",)
    # cuda-nvtx, cuda-version and cuda-cupti are not claimed: no licence is guessed for them
    for name in ("cuda-nvtx", "cuda-version", "cuda-cupti", "pytorch-cuda"):
        assert packages[name].verdict.expression == "", name


def test_conda_names_mapped_to_pypi_projects(no_env: Path) -> None:
    result = scan_dirs(FIXTURES / "rosettafold-aa", no_env, policy="default", texts="none")
    packages = _packages(result)
    triton = packages["torchtriton"]  # pytorch channel name of OpenAI's triton
    assert (triton.verdict.expression, triton.verdict.decided_by) == ("MIT", ("knowledge:triton",))
    base = packages["tensorflow-base"]
    assert base.verdict.expression == "Apache-2.0"
    [knowledge] = [e for e in base.evidence if e.kind == "knowledge"]
    assert knowledge.note.startswith("conda tensorflow-base is PyPI tensorflow")
    assert packages["pytorch"].verdict.expression == "BSD-3-Clause"  # a conda name of its own


def test_vcs_pip_entry_is_a_finding_with_its_line(no_env: Path) -> None:
    result = scan_dirs(FIXTURES / "rosettafold-aa", no_env, policy="default", texts="none")
    [dl005] = [f for f in result.findings if f.code == "DL005"]
    assert dl005.location is not None
    assert (dl005.location.file, dl005.location.line) == ("environment.yaml", 312)
    assert "git+https://github.com/NVIDIA/dllogger.git@0540a43" in dl005.message
    assert "DL004" not in {f.code for f in result.findings}


def test_editable_pip_entries_of_stable_diffusion() -> None:
    declarations, problems, _ = ecosystem_declarations(FIXTURES / "stable-diffusion")
    assert [(p.code, p.location.line if p.location else None) for p in problems] == [
        ("DL005", 29),
        ("DL005", 30),
        ("DL005", 31),
    ]
    assert "taming-transformers" in problems[0].message and "'-e .'" in problems[2].message
    # pip: entries are runtime requirements (as the scan walks them), not a scope "conda"
    assert all("(runtime)" in p.message and "(conda)" not in p.message for p in problems)
    pypi = sorted(d.name for d in declarations if d.ecosystem == "pypi")
    assert len(pypi) == 16 and "transformers" in pypi
    conda = sorted(d.name for d in declarations if d.ecosystem == "conda")
    assert conda == ["cudatoolkit", "numpy", "pytorch", "torchvision"]


def test_pip_include_with_a_file_url_is_read() -> None:
    declarations, problems, _ = ecosystem_declarations(FIXTURES / "horovod-gpu")
    assert not problems
    included = {d.name: d for d in declarations if "-r requirements.txt" in d.note}
    assert sorted(included) == ["horovod", "jupyter-tensorboard", "jupyterlab-nvdashboard"]
    assert included["horovod"].location.file == "requirements.txt"
    assert included["horovod"].scope == "conda"
    by_name = {d.name: d for d in declarations}
    assert (by_name["nccl"].ecosystem, by_name["nccl"].version) == ("conda", "2.5")
    packages, _ = ecosystem_packages(FIXTURES / "horovod-gpu")
    nccl = next(p for p in packages if p.node.name == "nccl")
    assert next(e for e in nccl.evidence if e.kind == "knowledge").expression == "BSD-3-Clause"


def test_missing_pip_include_and_constraints(tmp_path: Path) -> None:
    (tmp_path / "environment.yml").write_text(
        "dependencies:\n  - pip:\n    - -r missing.txt\n    - -c constraints.txt\n"
        "    - https://example.invalid/pkg-1.0-py3-none-any.whl\n    - hg+ssh://hg@x/r#egg=r\n",
        encoding="utf-8",
    )
    declarations, problems, _ = ecosystem_declarations(tmp_path)
    assert not declarations
    assert [(p.code, p.package) for p in problems] == [("DL012", ""), ("DL005", ""), ("DL005", "r")]
