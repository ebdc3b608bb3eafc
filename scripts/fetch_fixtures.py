#!/usr/bin/env python3
"""Regenerate the real-world test fixtures under ``tests/fixtures/`` from PyPI.

The tests never run this script: its output is committed.  It exists so that
anyone can check where every fixture file came from and rebuild them.

What it makes:

``tests/fixtures/dists/<name>-<version>/``
    A tiny "site-packages" per distribution holding the real ``*.dist-info``
    directory copied out of the real wheel (only the needed zip members are
    read, so multi-GB wheels are never unpacked).  ``RECORD`` is kept whole
    when it is smaller than 200 KB, otherwise it is trimmed to the lines that
    name licence-like files (plus the dist-info's own files).  When the
    dist-info carries no licence file, top-level licence files that RECORD
    lists inside the package directory (e.g. ``tensorflow/LICENSE``) are
    copied too, if each is smaller than 600 KB.  Projects that only publish
    an sdist are installed with ``pip install --no-deps
    --no-build-isolation --target`` into a throwaway directory with a pinned
    setuptools, and the resulting dist-info is copied.

``tests/fixtures/wheels/``
    A few small pure-Python wheels (a little dependency tree) for the
    end-to-end test that builds a venv with ``pip install --no-index
    --find-links tests/fixtures/wheels``.

``tests/fixtures/expected.toml`` and ``tests/fixtures/README.md`` are written
by hand and are not touched here.

Usage::

    python scripts/fetch_fixtures.py                  # everything
    python scripts/fetch_fixtures.py --only torch-2.14.1 --only keras-2.4.3
    python scripts/fetch_fixtures.py --wheels-only
    python scripts/fetch_fixtures.py --check          # compare, write nothing

Needs Python >= 3.10 with pip, and access to PyPI.  Downloads are cached in
``--cache`` (default: a temporary directory, removed at the end); large
files are deleted right after extraction unless ``--keep-downloads``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import filecmp
import io
import re
import shutil
import subprocess
import sys
import tempfile
import venv
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Literal

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
DISTS_DIR = FIXTURES / "dists"
WHEELS_DIR = FIXTURES / "wheels"

RECORD_MAX_BYTES = 200 * 1024
PACKAGE_LICENCE_MAX_BYTES = 600 * 1024
LARGE_DOWNLOAD_BYTES = 50 * 1024 * 1024

# setuptools used to turn sdist-only projects into a dist-info.
BUILD_REQUIREMENTS = ("setuptools==80.9.0", "wheel==0.45.1")

LICENCE_WORDS = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "PATENTS", "AUTHORS", "THIRD_PARTY")
_LICENCE_PATH_RE = re.compile("|".join(LICENCE_WORDS), re.IGNORECASE)
# A licence *file* (not code that happens to be called license.py).
_LICENCE_NAME_RE = re.compile(
    r"^(?:LICEN[CS]E|COPYING|NOTICE|PATENTS|AUTHORS|THIRD[_-]?PARTY)[\w.+-]*$", re.IGNORECASE
)
_TEXT_SUFFIXES = {"", ".txt", ".md", ".rst", ".bsd", ".apache", ".mit", ".gpl", ".lgpl", ".psf"}

# Target used for "current" binary wheels: CPython 3.11 on x86-64 Linux.
# pip (23.x) does not widen --platform to older manylinux tags itself.
LINUX_X86_64 = tuple(
    [f"manylinux_2_{minor}_x86_64" for minor in range(36, 4, -1)]
    + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64"]
)


def target(python_version: str, abi: str | None, platforms: Sequence[str]) -> tuple[str, ...]:
    """pip options that pick wheels for another interpreter/platform."""
    args: list[str] = ["--python-version", python_version, "--implementation", "cp"]
    if abi:
        args += ["--abi", abi]
    for plat in platforms:
        args += ["--platform", plat]
    return tuple(args)


CP311 = target("3.11", "cp311", LINUX_X86_64)


@dataclasses.dataclass(frozen=True)
class Dist:
    """One fixture folder under tests/fixtures/dists/."""

    folder: str
    requirement: str
    filename: str
    source: Literal["wheel", "sdist"] = "wheel"
    pip_args: tuple[str, ...] = CP311


# Exact pins used for the committed fixtures.  ``filename`` is what pip
# downloaded; a different file is reported as a mismatch.
DISTS: tuple[Dist, ...] = (
    # torch 2.13.0: the CPU build (local version +cpu) as published on the
    # PyTorch index; PyPI's own 2.13.0 wheel is the CUDA build with different
    # Requires-Dist.  pip picks +cpu if the PyTorch CPU index or a
    # --find-links holding it is configured (see README).
    Dist("torch-2.13.0", "torch==2.13.0", "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"),
    Dist("torch-2.14.1", "torch==2.14.1", "torch-2.14.1-cp311-cp311-manylinux_2_28_x86_64.whl"),
    Dist(
        "tensorflow-cpu-2.21.0",
        "tensorflow-cpu==2.21.0",
        "tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl",
    ),
    Dist("keras-2.4.3", "keras==2.4.3", "Keras-2.4.3-py2.py3-none-any.whl"),
    Dist("keras-3.15.1", "keras==3.15.1", "keras-3.15.1-py3-none-any.whl"),
    Dist("theano-1.0.5", "Theano==1.0.5", "Theano-1.0.5.tar.gz", source="sdist", pip_args=()),
    Dist("chainer-7.8.1", "chainer==7.8.1", "chainer-7.8.1.tar.gz", source="sdist", pip_args=()),
    Dist(
        "paddlepaddle-3.3.1",
        "paddlepaddle==3.3.1",
        "paddlepaddle-3.3.1-cp311-cp311-manylinux1_x86_64.whl",
    ),
    Dist(
        "cntk-2.7",
        "cntk==2.7",
        "cntk-2.7-cp36-cp36m-manylinux1_x86_64.whl",
        pip_args=target("3.6", "cp36m", ("manylinux1_x86_64",)),
    ),
    Dist(
        "pyqt5-5.15.11",
        "PyQt5==5.15.11",
        "PyQt5-5.15.11-cp38-abi3-manylinux_2_17_x86_64.whl",
    ),
    Dist("chardet-5.2.0", "chardet==5.2.0", "chardet-5.2.0-py3-none-any.whl"),
    Dist(
        "chardet-7.7.0",
        "chardet==7.7.0",
        "chardet-7.7.0-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl",
    ),
    Dist("paramiko-5.1.0", "paramiko==5.1.0", "paramiko-5.1.0-py3-none-any.whl"),
    Dist("unidecode-1.4.0", "Unidecode==1.4.0", "Unidecode-1.4.0-py3-none-any.whl"),
    Dist("text-unidecode-1.3", "text-unidecode==1.3", "text_unidecode-1.3-py2.py3-none-any.whl"),
    Dist(
        "numpy-1.26.4",
        "numpy==1.26.4",
        "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ),
    Dist(
        "numpy-2.4.6",
        "numpy==2.4.6",
        "numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    ),
    Dist(
        "scipy-1.17.1",
        "scipy==1.17.1",
        "scipy-1.17.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    ),
    # A real wheel whose METADATA says "License: UNKNOWN" (old setuptools).
    Dist("torchsummary-1.5.1", "torchsummary==1.5.1", "torchsummary-1.5.1-py3-none-any.whl"),
    Dist(
        "opencv-python-4.4.0.46",
        "opencv-python==4.4.0.46",
        "opencv_python-4.4.0.46-cp38-cp38-manylinux2014_x86_64.whl",
        pip_args=target("3.8", "cp38", LINUX_X86_64),
    ),
    Dist(
        "opencv-python-4.5.5.64",
        "opencv-python==4.5.5.64",
        "opencv_python-4.5.5.64-cp36-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ),
    Dist(
        "onnx-1.7.0",
        "onnx==1.7.0",
        "onnx-1.7.0-cp38-cp38-manylinux1_x86_64.whl",
        pip_args=target("3.8", "cp38", LINUX_X86_64),
    ),
    Dist(
        "onnx-1.23.2",
        "onnx==1.23.2",
        "onnx-1.23.2-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    ),
    Dist("mxnet-1.9.1", "mxnet==1.9.1", "mxnet-1.9.1-py3-none-manylinux2014_x86_64.whl"),
    Dist("jax-0.10.2", "jax==0.10.2", "jax-0.10.2-py3-none-any.whl"),
    Dist("jaxlib-0.10.2", "jaxlib==0.10.2", "jaxlib-0.10.2-cp311-cp311-manylinux_2_27_x86_64.whl"),
    Dist("flax-0.12.8", "flax==0.12.8", "flax-0.12.8-py3-none-any.whl"),
    Dist(
        "scikit-learn-1.9.1",
        "scikit-learn==1.9.1",
        "scikit_learn-1.9.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    ),
    Dist("transformers-5.24.0", "transformers==5.24.0", "transformers-5.24.0-py3-none-any.whl"),
    Dist(
        "nvidia-cuda-runtime-cu12-12.9.79",
        "nvidia-cuda-runtime-cu12==12.9.79",
        "nvidia_cuda_runtime_cu12-12.9.79-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
    ),
    Dist(
        "nvidia-nvtx-13.0.85",
        "nvidia-nvtx==13.0.85",
        "nvidia_nvtx-13.0.85-py3-none-manylinux1_x86_64.manylinux_2_5_x86_64.whl",
    ),
    Dist(
        "mkl-2026.2.0",
        "mkl==2026.2.0",
        "mkl-2026.2.0-py2.py3-none-manylinux_2_28_x86_64.whl",
    ),
    Dist(
        "onnxruntime-1.32.0",
        "onnxruntime==1.32.0",
        "onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl",
    ),
    Dist(
        "triton-3.9.0",
        "triton==3.9.0",
        "triton-3.9.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    ),
    Dist(
        "cupy-cuda12x-14.2.0",
        "cupy-cuda12x==14.2.0",
        "cupy_cuda12x-14.2.0-cp311-cp311-manylinux2014_x86_64.whl",
    ),
    Dist(
        "lightgbm-4.7.0",
        "lightgbm==4.7.0",
        "lightgbm-4.7.0-py3-none-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    ),
    Dist("xgboost-3.2.0", "xgboost==3.2.0", "xgboost-3.2.0-py3-none-manylinux_2_28_x86_64.whl"),
    Dist("tf-keras-2.21.0", "tf-keras==2.21.0", "tf_keras-2.21.0-py3-none-any.whl"),
    Dist(
        "pillow-13.0.0",
        "pillow==13.0.0",
        "pillow-13.0.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    ),
    Dist(
        "certifi-2026.10.19.post1",
        "certifi==2026.10.19.post1",
        "certifi-2026.10.19.post1-py3-none-any.whl",
    ),
    Dist(
        "psycopg2-binary-2.9.13",
        "psycopg2-binary==2.9.13",
        "psycopg2_binary-2.9.13-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
    ),
)

# Small pure-Python wheels for the end-to-end venv test.  Dependency tree:
#   requests -> idna, urllib3, certifi, charset-normalizer
#   requests[use-chardet-on-py3] -> chardet (<6)
#   text-unidecode, six: leaves
WHEELS: tuple[tuple[str, str], ...] = (
    ("requests==2.34.2", "requests-2.34.2-py3-none-any.whl"),
    ("idna==3.20", "idna-3.20-py3-none-any.whl"),
    ("urllib3==2.8.0", "urllib3-2.8.0-py3-none-any.whl"),
    ("certifi==2026.10.19.post1", "certifi-2026.10.19.post1-py3-none-any.whl"),
    ("charset-normalizer==3.5.3", "charset_normalizer-3.5.3-py3-none-any.whl"),
    ("chardet==5.2.0", "chardet-5.2.0-py3-none-any.whl"),
    ("text-unidecode==1.3", "text_unidecode-1.3-py2.py3-none-any.whl"),
    ("six==1.17.0", "six-1.17.0-py2.py3-none-any.whl"),
)
WHEEL_MAX_BYTES = 300 * 1024


ReadOther = Callable[[str], "bytes | None"]


class FixtureError(RuntimeError):
    pass


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cmd: Sequence[str]) -> None:
    log("$ " + " ".join(cmd))
    subprocess.run(list(cmd), check=True)


# --------------------------------------------------------------------------- download


def pip_download(
    requirements: Sequence[str],
    dest: Path,
    source: Literal["wheel", "sdist"],
    extra: Sequence[str],
    python: Path | None = None,
) -> list[Path]:
    """Run ``pip download --no-deps``; return the files pip saved or found in ``dest``.

    sdists are downloaded with the pinned build venv's python and
    ``--no-build-isolation``: pip prepares their metadata even for a download,
    and old setup.py files need ``pkg_resources`` from an older setuptools.
    """
    dest.mkdir(parents=True, exist_ok=True)
    if source == "wheel":
        binary = ["--only-binary", ":all:"]
    else:
        binary = ["--no-binary", ":all:", "--no-build-isolation"]
    cmd = [
        str(python or sys.executable),
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "-d",
        str(dest),
        *binary,
        *extra,
        *requirements,
    ]
    log("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout)
        raise FixtureError(f"pip download {' '.join(requirements)} failed")
    files: list[Path] = []
    for line in proc.stdout.splitlines():
        m = re.match(r"\s*(?:Saved|File was already downloaded)\s+(.+?)\s*$", line)
        if m:
            files.append(dest / Path(m.group(1)).name)
    return files


def find_download(dest: Path, dist: Dist) -> Path:
    expected = dest / dist.filename
    if expected.exists():
        return expected
    python = build_env(dest) if dist.source == "sdist" else None
    got = pip_download([dist.requirement], dest, dist.source, dist.pip_args, python)
    if len(got) != 1:
        raise FixtureError(f"{dist.folder}: expected one file, pip gave {[p.name for p in got]}")
    if got[0].name != dist.filename:
        log(f"WARNING {dist.folder}: pip gave {got[0].name}, the fixture came from {dist.filename}")
    return got[0]


# --------------------------------------------------------------------------- extraction


def is_licence_path(path: str) -> bool:
    return bool(_LICENCE_PATH_RE.search(path))


def is_licence_file_name(name: str) -> bool:
    if not _LICENCE_NAME_RE.match(name):
        return False
    return PurePosixPath(name).suffix.lower() in _TEXT_SUFFIXES or "." not in name


def trim_record(record: bytes, dist_info: str) -> bytes:
    """Keep RECORD lines naming licence-like paths, plus the dist-info's own files."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(record.decode("utf-8"))):
        if not row:
            continue
        path = row[0]
        if is_licence_path(path) or path.startswith(dist_info + "/"):
            writer.writerow(row)
    return out.getvalue().encode("utf-8")


def record_paths(record: bytes) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(record.decode("utf-8"))) if row]


def looks_binary(data: bytes) -> bool:
    return b"\0" in data[:8192]


@dataclasses.dataclass
class Extracted:
    files: dict[str, bytes]
    notes: list[str]


def package_licence_candidates(record: bytes, dist_info: str) -> list[str]:
    """Licence files near the top of package directories, from RECORD.

    At most three path components (``pkg/LICENSE``, ``pkg/include/LICENSE``),
    never below a vendored ``external``/``third_party`` directory.
    """
    found: list[str] = []
    for path in record_paths(record):
        if path.startswith(dist_info + "/") or path.startswith("../"):
            continue
        parts = PurePosixPath(path).parts
        if len(parts) > 3 or ".data" in parts[0]:
            continue
        if any(p.lower() in {"external", "third_party", "3rdparty"} for p in parts[:-1]):
            continue
        if is_licence_file_name(parts[-1]):
            found.append(path)
    return found


def dist_info_has_licence(names: Iterable[str], dist_info: str) -> bool:
    for name in names:
        rel = name[len(dist_info) + 1 :]
        if rel.startswith(("licenses/", "license_files/")) and not rel.endswith("/"):
            return True
        if "/" not in rel and is_licence_file_name(rel):
            return True
    return False


def extract_wheel(wheel: Path) -> Extracted:
    with zipfile.ZipFile(wheel) as zf:
        infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
        dist_infos = sorted(
            {n.split("/", 1)[0] for n in infos if n.split("/", 1)[0].endswith(".dist-info")}
        )
        if len(dist_infos) != 1:
            raise FixtureError(f"{wheel.name}: dist-info dirs {dist_infos}")
        dist_info = dist_infos[0]
        members = {n: zf.read(n) for n in infos if n.startswith(dist_info + "/")}

        def read_other(path: str) -> bytes | None:
            info = infos.get(path)
            return zf.read(info) if info is not None else None

        return collect(dist_info, members, read_other)


def extract_dir(site: Path) -> Extracted:
    dist_infos = sorted(p.name for p in site.iterdir() if p.name.endswith(".dist-info"))
    if len(dist_infos) != 1:
        raise FixtureError(f"{site}: dist-info dirs {dist_infos}")
    dist_info = dist_infos[0]
    members = {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted((site / dist_info).rglob("*"))
        if p.is_file()
    }
    # pip's install-time markers (direct_url.json names a temporary path) are
    # dropped, with their RECORD lines.  RECORD is made reproducible too: its
    # line order varies from build to build, and the console-script wrappers
    # pip writes outside the target ("../../bin/x") embed the build venv's
    # path in their shebang, so those lines are dropped as well.
    markers = {f"{dist_info}/{m}" for m in ("direct_url.json", "INSTALLER", "REQUESTED")}
    for marker in markers:
        members.pop(marker, None)
    record_name = f"{dist_info}/RECORD"
    if record_name in members:
        lines = members[record_name].decode("utf-8").splitlines(keepends=True)
        kept = sorted(
            line
            for line in lines
            if not line.startswith("../") and line.split(",", 1)[0] not in markers
        )
        members[record_name] = "".join(kept).encode("utf-8")

    def read_other(path: str) -> bytes | None:
        p = site / path
        return p.read_bytes() if p.is_file() else None

    return collect(dist_info, members, read_other)


def collect(
    dist_info: str,
    members: dict[str, bytes],
    read_other: ReadOther,
) -> Extracted:
    files: dict[str, bytes] = {}
    notes: list[str] = []
    record_name = f"{dist_info}/RECORD"
    record = members.get(record_name, b"")
    for name, data in sorted(members.items()):
        if name.endswith(".pyc") or looks_binary(data):
            notes.append(f"skipped binary {name} ({len(data)} bytes)")
            continue
        if name == record_name and len(data) >= RECORD_MAX_BYTES:
            trimmed = trim_record(data, dist_info)
            notes.append(f"RECORD trimmed: {len(data)} -> {len(trimmed)} bytes")
            files[name] = trimmed
            continue
        files[name] = data
    if not dist_info_has_licence(members, dist_info):
        for path in package_licence_candidates(record, dist_info):
            text = read_other(path)
            if text is None:
                notes.append(f"RECORD lists {path} but it is missing")
                continue
            if len(text) >= PACKAGE_LICENCE_MAX_BYTES:
                notes.append(f"not copied (>= 600 KB): {path} ({len(text)} bytes)")
                continue
            if looks_binary(text):
                notes.append(f"not copied (binary): {path}")
                continue
            files[path] = text
            notes.append(f"copied package-dir licence file {path} ({len(text)} bytes)")
    return Extracted(files, notes)


# --------------------------------------------------------------------------- sdists


def build_env(work: Path) -> Path:
    env_dir = work / "build-venv"
    python = env_dir / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
        run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                *BUILD_REQUIREMENTS,
            ]
        )
    return python


def install_sdist(sdist: Path, work: Path) -> Path:
    python = build_env(work)
    site = work / "sdist-target" / sdist.name
    if site.exists():
        shutil.rmtree(site)
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--no-compile",
            "--target",
            str(site),
            str(sdist),
        ]
    )
    return site


# --------------------------------------------------------------------------- main steps


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    if root.exists():
        shutil.rmtree(root)
    for rel, data in files.items():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)


def compare_tree(root: Path, files: dict[str, bytes]) -> list[str]:
    problems: list[str] = []
    have = (
        {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )
    for rel in sorted(set(files) | have):
        if rel not in have:
            problems.append(f"missing {root.name}/{rel}")
        elif rel not in files:
            problems.append(f"extra {root.name}/{rel}")
        elif (root / rel).read_bytes() != files[rel]:
            problems.append(f"differs {root.name}/{rel}")
    return problems


def make_dist(dist: Dist, cache: Path, keep: bool, check: bool) -> list[str]:
    download = find_download(cache, dist)
    if dist.source == "sdist":
        extracted = extract_dir(install_sdist(download, cache))
    else:
        extracted = extract_wheel(download)
    for note in extracted.notes:
        log(f"  {dist.folder}: {note}")
    if not keep and download.stat().st_size > LARGE_DOWNLOAD_BYTES:
        download.unlink()
    root = DISTS_DIR / dist.folder
    if check:
        return compare_tree(root, extracted.files)
    write_tree(root, extracted.files)
    return []


def make_wheels(cache: Path, check: bool) -> list[str]:
    dest = cache / "wheels"
    if dest.exists():
        shutil.rmtree(dest)
    # --platform any: only pure-Python wheels (charset-normalizer also has
    # compiled ones).
    pip_download([req for req, _ in WHEELS], dest, "wheel", ("--platform", "any"))
    problems: list[str] = []
    for _, filename in WHEELS:
        path = dest / filename
        if not path.exists():
            problems.append(f"wheel not downloaded: {filename}")
            continue
        if path.stat().st_size >= WHEEL_MAX_BYTES:
            problems.append(f"wheel too big: {filename}")
        if not filename.endswith("-none-any.whl"):
            problems.append(f"not pure Python: {filename}")
    if problems or check:
        if check:
            for _, filename in WHEELS:
                if not (WHEELS_DIR / filename).exists() or not filecmp.cmp(
                    dest / filename, WHEELS_DIR / filename, shallow=False
                ):
                    problems.append(f"differs or missing: wheels/{filename}")
        return problems
    WHEELS_DIR.mkdir(parents=True, exist_ok=True)
    for old in WHEELS_DIR.glob("*.whl"):
        old.unlink()
    for _, filename in WHEELS:
        shutil.copy2(dest / filename, WHEELS_DIR / filename)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="FOLDER",
        help="only this dists/ folder (repeatable)",
    )
    parser.add_argument("--dists-only", action="store_true")
    parser.add_argument("--wheels-only", action="store_true")
    parser.add_argument("--cache", type=Path, help="download/work directory to reuse")
    parser.add_argument(
        "--keep-downloads",
        action="store_true",
        help="keep files > 50 MB in the cache after extraction",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with the committed fixtures instead of writing",
    )
    parser.add_argument("--list", action="store_true", help="print the pinned distributions")
    args = parser.parse_args(argv)

    if args.list:
        for d in DISTS:
            print(f"{d.folder:40} {d.requirement:35} {d.filename}")
        for req, filename in WHEELS:
            print(f"{'wheels/':40} {req:35} {filename}")
        return 0

    selected = [d for d in DISTS if not args.only or d.folder in args.only]
    unknown = set(args.only) - {d.folder for d in DISTS}
    if unknown:
        parser.error(f"unknown folder(s): {sorted(unknown)}")

    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.cache is None:
        tmp = tempfile.TemporaryDirectory(prefix="dllicense-fixtures-")
        cache = Path(tmp.name)
    else:
        cache = args.cache
        cache.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    failed: list[str] = []
    try:
        if not args.wheels_only:
            for dist in selected:
                log(f"== {dist.folder}")
                try:
                    problems += make_dist(dist, cache, args.keep_downloads, args.check)
                except (FixtureError, subprocess.CalledProcessError, zipfile.BadZipFile) as exc:
                    failed.append(f"{dist.folder}: {exc}")
        if not args.dists_only and not args.only:
            log("== wheels/")
            problems += make_wheels(cache, args.check)
    finally:
        if tmp is not None:
            tmp.cleanup()
    for line in failed:
        log(f"FAILED {line}")
    for line in problems:
        log(f"PROBLEM {line}")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
