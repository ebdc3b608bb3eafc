"""Conda and pixi environments and locks (issue 21), on real records and lock files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dllicense.discover.choice import choose_environment
from dllicense.discover.condameta import read_conda_meta
from dllicense.discover.locks import find_lock, read_lock
from dllicense.licenses.spdx import license_keys, normalize
from dllicense.models import PackageResult, ScanResult
from dllicense.pipeline import ScanOptions, scan

CONDA = Path(__file__).parents[1] / "fixtures" / "conda"
ENV = CONDA / "env"


def _scan(project: Path, **options: Any) -> ScanResult:
    return scan(ScanOptions(project=project, use_cache=False, texts="primary", **options))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("tqdm\n")
    return tmp_path


def _by_name(result: ScanResult) -> dict[str, PackageResult]:
    return {p.node.name: p for p in result.packages}


def test_conda_meta_records() -> None:
    records, problems = read_conda_meta(ENV, "env")
    assert problems == []
    by = {r.name: r for r in records}
    assert set(by) == {"cudatoolkit", "ffmpeg", "mkl", "python", "pytorch", "tbb", "tqdm"}
    assert by["tqdm"].python_dists == ("tqdm",)  # its files list the dist-info
    assert by["mkl"].depends == ("_openmp_mutex", "llvm-openmp", "tbb")
    assert by["pytorch"].channel == "pytorch" and by["pytorch"].requested
    assert by["tbb"].info.endswith("tbb-2021.13.0-hceb3a55_1/info")
    assert by["mkl"].info == ""  # its package folder is gone


def test_one_graph_with_both_kinds(project: Path) -> None:
    result = _scan(project, conda_prefix=str(ENV))
    packages = _by_name(result)
    kinds = {name: p.node.ecosystem for name, p in packages.items()}
    assert kinds == {
        "tqdm": "pypi",  # conda-installed dist-info: one node, not two
        "cudatoolkit": "conda",
        "ffmpeg": "conda",
        "mkl": "conda",
        "python": "conda",
        "pytorch": "conda",
        "tbb": "conda",
    }
    tqdm = packages["tqdm"]
    assert any(
        e.kind == "conda-package" and e.value.startswith("tqdm 4.67.1") for e in tqdm.evidence
    )
    mkl = packages["mkl"].node
    assert mkl.path == ("pytorch", "mkl") and mkl.requires == ("tbb",)
    tbb = packages["tbb"]
    files = [e for e in tbb.evidence if e.kind == "license-file"]
    assert [e.source for e in files] == ["licenses/LICENSE.txt"]
    assert tbb.verdict.expression == "Apache-2.0"
    family = [e for e in packages["mkl"].evidence if e.kind == "license-family"]
    assert family and family[0].vague and family[0].value == "Proprietary"


def test_pip_installed_is_one_node(project: Path) -> None:
    result = _scan(project, conda_prefix=str(ENV), include_all=True)
    nodes = [p.node for p in result.packages if "tb" in p.node.name]
    assert [(n.name, n.ecosystem) for n in nodes] == [
        ("torch-tb-profiler", "pypi"),
        ("tbb", "conda"),
    ]


def test_commercial_distribution_needs_review(project: Path) -> None:
    result = _scan(project, conda_prefix=str(ENV), policy="commercial-distribution")
    codes = {(f.package, f.code) for f in result.findings}
    assert ("cudatoolkit", "DL203") in codes and ("mkl", "DL203") in codes
    assert not {c for p, c in codes if p in ("cudatoolkit", "mkl") and c in ("DL101", "DL201")}
    cuda = _by_name(result)["cudatoolkit"]
    knowledge = [e for e in cuda.evidence if e.kind == "knowledge"]
    assert knowledge and "docs.nvidia.com/cuda/eula" in knowledge[0].note
    assert ("ffmpeg", "DL202") in codes  # the GPL build of ffmpeg


def test_project_conda_folders(tmp_path: Path) -> None:
    (tmp_path / ".pixi" / "envs" / "cuda" / "conda-meta").mkdir(parents=True)
    (tmp_path / ".pixi" / "envs" / "default" / "conda-meta").mkdir(parents=True)
    choice = choose_environment(tmp_path, environ={}).choice
    assert choice is not None and (choice.kind, choice.label) == ("conda", ".pixi/envs/default")
    given = choose_environment(tmp_path, conda_prefix=str(ENV), environ={}).choice
    assert given is not None and given.root == ENV


def _pixi_oracle(path: Path) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]], int]:
    """(conda, PyPI) (name, version) pairs of the default environment and its platform count,
    read with PyYAML (an independent parser) from the lock's own entries."""
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(path.read_text())
    entries = {e.get("conda") or e.get("pypi") or e.get("url"): e for e in data["packages"]}
    platforms = data["environments"]["default"]["packages"]
    conda: dict[tuple[str, str], str] = {}
    pypi = set()
    for items in platforms.values():
        for item in items:
            url = item.get("conda") or item.get("pypi")
            entry = entries[url]
            if "conda" in item:
                fn = url.rsplit("/", 1)[1].removesuffix(".conda").removesuffix(".tar.bz2")
                name, version, _ = fn.rsplit("-", 2)
                key = (entry.get("name", name).lower(), str(entry.get("version", version)))
                conda[key] = str(entry.get("license", ""))
            else:
                pypi.add((entry["name"].lower().replace("_", "-"), str(entry["version"])))
    return conda, pypi, len(platforms)


@pytest.mark.parametrize(
    "folder",
    ["pixi/deep_learning_course", "pixi/foundationpose_cpp", "pixi/ml-learning-project"],
)  # lock versions 5, 6 and 7
def test_pixi_lock(folder: str) -> None:
    root = CONDA / folder
    lock = read_lock(find_lock(root)[0], root)
    assert lock.problems == ()
    conda, pypi, platforms = _pixi_oracle(root / "pixi.lock")
    assert {
        (p.name, p.version): p.license for p in lock.packages if p.ecosystem == "conda"
    } == conda
    assert {(p.name, p.version) for p in lock.packages if p.ecosystem == "pypi"} == pypi
    single = {p.marker for p in lock.packages if " or " not in p.marker}
    assert len(single) == platforms


def test_pixi_lock_scan_per_platform() -> None:
    root = CONDA / "pixi/deep_learning_course"
    linux_scan = _scan(root, platform="linux")
    linux = _by_name(linux_scan)
    windows = _by_name(_scan(root, platform="win32"))
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load((root / "pixi.lock").read_text())
    listed = data["environments"]["default"]["packages"]["linux-64"]
    expected = set()
    for item in listed:  # the linux-64 install set, by file name (PyYAML as the oracle)
        url = item.get("conda") or item.get("pypi")
        stem = url.rsplit("/", 1)[1].removesuffix(".conda").removesuffix(".tar.bz2")
        expected.add(stem.rsplit("-", 2)[0].lower() if "conda" in item else "torch-tb-profiler")
    assert set(linux) == expected
    assert not [f for f in linux_scan.findings if f.code == "DL034"]  # no edge left dangling
    assert "_libgcc_mutex" in linux and "_libgcc_mutex" not in windows
    assert "intel-openmp" in windows and "intel-openmp" not in linux
    mkl = windows["intel-openmp"]
    assert mkl.verdict.expression == "LicenseRef-Intel-ISSL"
    assert linux["pytorch"].node.ecosystem == "conda"
    # conda-forge's LicenseRef-Public-Domain: public domain, which the default policy allows
    assert linux["tzdata"].verdict.expression == "LicenseRef-dllicense-public-domain"
    assert not [f for f in linux_scan.findings if f.package == "tzdata"]
    assert linux["torch-tb-profiler"].node.ecosystem == "pypi"
    # the PyPI package's requirement on pandas is the conda package pandas
    assert "torch-tb-profiler" in linux["pandas"].node.parents


def test_conda_lock_yml() -> None:
    root = CONDA / "conda-lock/clay"
    lock = read_lock(root / "conda-lock.yml", root)
    assert len(lock.packages) == 471 and {p.ecosystem for p in lock.packages} == {"conda"}
    result = _scan(root, platform="linux")
    packages = _by_name(result)
    torch = packages["pytorch"]
    assert torch.verdict.expression
    assert any(
        "conda pytorch is PyPI torch" in e.note or e.source == "knowledge:pytorch"
        for e in torch.evidence
    )
    assert packages["mkl"].verdict.expression == "LicenseRef-Intel-ISSL"
    assert not packages["affine"].verdict.expression


def test_explicit_file() -> None:
    root = CONDA / "explicit/xView2-deploy"
    assert [p.name for p in find_lock(root)] == ["conda-linux-64.lock"]
    packages = _by_name(_scan(root, platform="linux", policy="commercial-distribution"))
    assert packages["cudatoolkit"].verdict.expression == "LicenseRef-NVIDIA-Proprietary"
    assert packages["nccl"].verdict.expression
    assert packages["cudnn"].node.ecosystem == "conda"


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("BSD 3-Clause", "BSD-3-Clause"),
        ("BSD-3-Clause", "BSD-3-Clause"),
        ("GPL-2.0-or-later", "GPL-2.0-or-later"),
        ("LicenseRef-Proprietary", "LicenseRef-dllicense-unspecified-proprietary"),
        ("Intel Simplified Software License", "LicenseRef-Intel-ISSL"),
        ("NVIDIA End User License Agreement", "LicenseRef-NVIDIA-Proprietary"),
        ("Proprietary - NVIDIA", "LicenseRef-NVIDIA-Proprietary"),
        ("LicenseRef-NVIDIA-End-User-License-Agreement", "LicenseRef-NVIDIA-Proprietary"),
        ("LicenseRef-ProprietaryIntel", "LicenseRef-Intel-ISSL"),
        ("LicenseRef-Public-Domain", "LicenseRef-dllicense-public-domain"),  # tzdata
        ("LicenseRef-Ubuntu-Font-Licence-Version-1.0", "Ubuntu-font-1.0"),  # font-ttf-ubuntu
    ],
)
def test_recipe_licences(text: str, expression: str) -> None:
    assert normalize(text).expression == expression


def test_an_unnamed_exception_is_left_out_of_the_licence() -> None:
    """conda-forge's kernel-headers 4.18.0 says ``LGPL-2.0-or-later AND LGPL-2.0-or-later WITH
    exceptions AND GPL-2.0-or-later``: the exception is not named, and an exception only adds
    permissions, so the licences alone are read (was: no licence, a DL101 error)."""
    result = _scan(CONDA / "pixi/foundationpose_cpp", platform="linux")
    headers = _by_name(result)["kernel-headers_linux-64"]
    assert set(license_keys(headers.verdict.expression)) == {
        "LGPL-2.0-or-later",
        "GPL-2.0-or-later",
    }
    assert not [
        f for f in result.findings if f.package == "kernel-headers_linux-64" and f.code == "DL101"
    ]
