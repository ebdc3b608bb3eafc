"""End to end: a real virtual environment built from real wheels, scanned through the CLI.

pip-licenses runs on the same environment as an independent oracle.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name

from dllicense.licenses.spdx import normalize
from tests.conftest import WHEELS

pytestmark = pytest.mark.slow


def _wheel_names() -> list[str]:
    return sorted({canonicalize_name(w.name.split("-")[0]) for w in WHEELS.glob("*.whl")})


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with every fixture wheel installed from local files only."""
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(root)
    python = root / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--find-links",
            str(WHEELS),
            *_wheel_names(),
        ],
        check=True,
    )
    return python


def _project(tmp_path: Path, deps: list[str]) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    quoted = ", ".join(f'"{d}"' for d in deps)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "0"\ndependencies = [{quoted}]\n', encoding="utf-8"
    )
    return project


def _scan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dllicense", "scan", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode in (0, 1), done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_scan_declared_roots_in_a_real_venv(env: Path, tmp_path: Path) -> None:
    project = _project(tmp_path, ["requests", "text-unidecode", "not-installed-pkg>=1"])
    data = _json(_scan(str(project), "--python", str(env), "--format", "json"))
    packages = {p["name"]: p for p in data["packages"]}
    assert data["schema_version"] == "1.0"
    # requests brings its own dependencies in; each keeps the path from its root
    assert {"requests", "idna", "urllib3", "certifi", "charset-normalizer"} <= set(packages)
    assert packages["idna"]["path"] == ["requests", "idna"]
    assert packages["idna"]["direct"] is False
    assert packages["requests"]["direct"] is True
    assert packages["text-unidecode"]["license"] == "Artistic-1.0-Perl OR GPL-2.0-or-later"
    assert packages["requests"]["license"] == "Apache-2.0"
    assert packages["certifi"]["license"] == "MPL-2.0"
    # packages installed but not declared stay out unless --all
    assert "six" not in packages and "pip" not in packages
    codes = [(f["code"], f["package"]) for f in data["findings"]]
    assert ("DL001", "not-installed-pkg") in codes
    missing = next(f for f in data["findings"] if f["code"] == "DL001")
    assert missing["location"] == {"file": "pyproject.toml", "line": 4}
    # no absolute path of this machine in the report
    assert str(tmp_path) not in json.dumps(data)


def test_all_mode_agrees_with_pip_licenses(env: Path, tmp_path: Path) -> None:
    project = tmp_path / "empty"
    project.mkdir()
    data = _json(_scan(str(project), "--python", str(env), "--format", "json", "--all"))
    ours = {p["name"]: p for p in data["packages"]}
    oracle = subprocess.run(
        [
            sys.executable,
            "-m",
            "piplicenses",
            "--python",
            str(env),
            "--from=mixed",
            "--format=json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = {canonicalize_name(p["Name"]): p for p in json.loads(oracle.stdout)}
    assert theirs, "pip-licenses listed nothing"
    # every package pip-licenses lists, dllicense lists (pip-licenses hides pip/setuptools itself)
    assert set(theirs) <= set(ours)
    explained = []
    for name, row in theirs.items():
        expected = normalize(row["License"]).expression
        if not expected or "unspecified" in expected:
            continue  # pip-licenses gave no SPDX-mappable answer
        got = ours[name]["license"]
        if got != expected:
            # a disagreement must be explained by more specific evidence on our side
            assert ours[name]["decided_by"], name
            explained.append((name, expected, got))
    for name, expected, got in explained:
        assert ours[name]["confidence"] in ("high", "medium"), (name, expected, got)


def test_exit_codes(env: Path, tmp_path: Path) -> None:
    project = _project(tmp_path, ["six"])
    assert _scan(str(project), "--python", str(env)).returncode == 0
    strict = tmp_path / "strict"
    strict.mkdir()
    (strict / "pyproject.toml").write_text(
        '[project]\nname = "s"\nversion = "0"\ndependencies = ["chardet"]\n'
        '[tool.dllicense]\nallow = ["MIT"]\n',
        encoding="utf-8",
    )
    failing = _scan(str(strict), "--python", str(env))
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "DL201" in failing.stdout
    assert _scan(str(strict), "--python", str(env), "--exit-zero").returncode == 0
    assert _scan(str(strict), "--python", str(env), "--fail-on", "never").returncode == 0
    bad = _scan(str(strict), "--python", str(tmp_path / "no-such-python"))
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
