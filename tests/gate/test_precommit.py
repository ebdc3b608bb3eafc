"""The pre-commit hook, installed with the real ``pre-commit`` into a real git repository.

The hook repository is a git clone of this working tree (``pre-commit`` installs
a hook repository at a commit); ``pre-commit`` builds the hook's own virtualenv
by pip-installing it, which needs the package index for the dependencies.
The project's environment is a real venv built from the fixture wheels.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gate.conftest import git, make_venv, project, working_tree_clone

pytestmark = pytest.mark.slow

POLICY = 'allow = ["@permissive"]'


def _commit(app: Path, message: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    git(app, "add", "-A", env=env)
    return git(app, "commit", "-m", message, check=False, env=env)


def _commits(app: Path) -> int:
    return int(git(app, "rev-list", "--count", "HEAD").stdout)


def test_the_hook_refuses_a_gpl_dependency_and_accepts_a_clean_change(tmp_path: Path) -> None:
    hooks = tmp_path / "hook-repo"
    rev = working_tree_clone(hooks)
    app = project(tmp_path / "app", ["six"], POLICY)
    make_venv(app / ".venv", "six", "text-unidecode", "idna")
    (app / ".gitignore").write_text(".venv/\n", encoding="utf-8")
    (app / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: dllicense\n",
        encoding="utf-8",
    )
    env = {
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    git(app, "init", "-q", env=env)
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=app,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert installed.returncode == 0, installed.stderr

    first = _commit(app, "project with six (MIT)", env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "dllicense (dependency licences)" in first.stderr and "Passed" in first.stderr

    project(app, ["six", "text-unidecode"], POLICY)
    refused = _commit(app, "add text-unidecode (Artistic-1.0-Perl OR GPL-2.0-or-later)", env)
    assert refused.returncode != 0, refused.stdout
    output = refused.stdout + refused.stderr
    assert "Failed" in output and "DL201" in output and "GPL-2.0-or-later" in output
    assert _commits(app) == 1

    project(app, ["six", "idna"], POLICY)
    clean = _commit(app, "add idna (BSD-3-Clause)", env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert _commits(app) == 2

    (app / "README.md").write_text("no dependency file changed\n", encoding="utf-8")
    skipped = _commit(app, "docs", env)
    assert skipped.returncode == 0 and "Skipped" in skipped.stderr, skipped.stderr


def test_the_hook_with_nothing_installed_never_scans_its_own_environment(tmp_path: Path) -> None:
    """No .venv, no lock: the hook's own virtualenv (click, jinja2, packaging, ...) is not
    the project's. Offline the hook fails with DL006; with --online the resolver gives the
    complete set from the index (a recorded one on 127.0.0.1; pip's resolver, as the hook
    environment has no uv)."""
    from tests.index.server import Behaviour, RecordedIndex

    hooks = tmp_path / "hook-repo"
    rev = working_tree_clone(hooks)
    app = project(tmp_path / "app", ["six"], POLICY)
    config = f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: dllicense\n"
    (app / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    env = {
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    git(app, "init", "-q", env=env)
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=app,
        check=True,
        env={**os.environ, **env},
    )
    refused = _commit(app, "six, nothing installed", env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "DL006" in output, output
    rows = [line.split()[0] for line in output.splitlines() if line.endswith(("ok", "error"))]
    assert rows == ["six"], output  # the declared package alone
    for own in ("click", "jinja2", "markupsafe", "license-expression", "boolean-py", "packaging"):
        assert own not in output.replace("packaging.", ""), own

    server = RecordedIndex(Behaviour())
    try:
        args = f"        args: [--online, --index-url, '{server.index_url}']\n"
        (app / ".pre-commit-config.yaml").write_text(config + args, encoding="utf-8")
        passed = _commit(app, "six, resolved online", {**env, "PIP_CONFIG_FILE": os.devnull})
    finally:
        server.stop()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert server.paths("/simple/six/")
