"""Helpers of the CI-gate tests: run the real CLI, build real environments and repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import DISTS, WHEELS

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def dllicense(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m dllicense`` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "dllicense", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
    )


def project(root: Path, deps: list[str], policy: str = "") -> Path:
    """A project folder with a ``pyproject.toml`` declaring ``deps`` and an optional policy."""
    root.mkdir(parents=True, exist_ok=True)
    quoted = ", ".join(f'"{d}"' for d in deps)
    text = f'[project]\nname = "{root.name}"\nversion = "0"\ndependencies = [{quoted}]\n'
    if policy:
        text += f"\n[tool.dllicense]\n{policy}\n"
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def make_venv(target: Path, *packages: str) -> Path:
    """A real virtual environment with ``packages`` installed from the fixture wheels only."""
    venv.EnvBuilder(with_pip=False).create(target)
    if packages:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(target / "bin" / "python"),
                "install",
                "-q",
                "--no-index",
                "--find-links",
                str(WHEELS),
                *packages,
            ],
            check=True,
            capture_output=True,
        )
    return target


def working_tree_clone(target: Path) -> str:
    """A git repository holding this repository's working tree (what pip needs), committed.

    ``pre-commit`` installs a hook repository at a commit; this one carries the
    files as they are now, committed or not. Returns the commit.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "action.yml"):
        shutil.copy2(REPO / name, target / name)
    for name in ("src", "policies", "reports"):
        shutil.copytree(REPO / name, target / name, ignore=ignore)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "working tree")
    return git(target, "rev-parse", "HEAD").stdout.strip()


GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(
    cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **GIT_ENV, "HOME": str(cwd), **(env or {})}
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=check,
        env=full,
    )


@pytest.fixture
def keras_old() -> Path:
    return DISTS / "keras-2.4.3"


@pytest.fixture
def keras_new() -> Path:
    return DISTS / "keras-3.15.1"
