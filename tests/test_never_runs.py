"""The scanned project's code is never run or imported, and its tree is never written to."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DISTS

TRAP = """import pathlib
pathlib.Path({marker!r}).write_text("executed: " + __file__)
"""


def _snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    out = {}
    for base, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files) + sorted(dirs):
            path = Path(base) / name
            stat = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
            out[str(path.relative_to(root))] = (stat.st_mtime_ns, stat.st_size, digest)
    return out


@pytest.fixture
def trapped(tmp_path: Path) -> tuple[Path, Path]:
    """A project whose every Python file would leave a marker if it ran."""
    marker = tmp_path / "MARKER"
    project = tmp_path / "project"
    (project / "trapped").mkdir(parents=True)
    for name in (
        "setup.py",
        "conftest.py",
        "trapped/__init__.py",
        "sitecustomize.py",
        "usercustomize.py",
        "noxfile.py",
    ):
        (project / name).write_text(TRAP.format(marker=str(marker)), encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "trapped"\ndynamic = ["version", "dependencies"]\n',
        encoding="utf-8",
    )
    (project / "requirements.txt").write_text("keras==2.4.3\n-e .\n./trapped\n", encoding="utf-8")
    (project / "dllicense.toml").write_text('extends = "default"\n', encoding="utf-8")
    return project, marker


MODES = [
    ["--path", str(DISTS / "keras-2.4.3")],
    ["--path", str(DISTS / "keras-2.4.3"), "--all", "--scope", "all"],
    ["--python", sys.executable, "--texts", "none"],
    ["--texts", "none"],  # the running interpreter's environment
    [
        "--path",
        str(DISTS / "keras-2.4.3"),
        "--format",
        "json,html,markdown,csv,notice,sarif,cyclonedx,spdx",
        "-o",
        "{out}",
    ],
]


@pytest.mark.parametrize("mode", MODES, ids=["path", "all", "python", "current", "formats"])
def test_scan_never_runs_or_writes_the_project(
    trapped: tuple[Path, Path], mode: list[str], tmp_path: Path
) -> None:
    project, marker = trapped
    before = _snapshot(project)
    args = [a.replace("{out}", str(tmp_path / "out")) for a in mode]
    done = subprocess.run(
        [sys.executable, "-m", "dllicense", "scan", str(project), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=project,
    )
    assert done.returncode in (0, 1), done.stderr
    assert not marker.exists(), marker.read_text()
    assert _snapshot(project) == before
    assert "DL005" in done.stdout or "-o" in args  # the editable and path lines are reported
