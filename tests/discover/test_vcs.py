"""The revision and dirty flag read from .git without git, checked against real git
repositories made by the git command line (the scanner itself never runs git)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dllicense.discover.vcs import read_revision

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "HOME": str(cwd), "PATH": "/usr/bin:/bin",
    }  # fmt: skip
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "requirements.txt").write_text("numpy\n", encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "a.py").write_text("x = 1\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one")
    return root


def test_clean_then_dirty_then_staged(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    clean = read_revision(repo / "sub")  # a project folder inside the repository
    assert (clean.vcs, clean.commit, clean.branch, clean.dirty) == ("git", head, "main", "no")
    (repo / "sub" / "a.py").write_text("x = 2\n", encoding="utf-8")  # same size, new content
    assert read_revision(repo).dirty == "yes"
    git(repo, "add", ".")  # staged, not committed
    staged = read_revision(repo)
    # git add invalidates the index's cache-tree: unknown (never "no")
    assert staged.dirty in ("yes", "unknown") and staged.dirty != "no"
    git(repo, "commit", "-q", "-m", "two")
    assert read_revision(repo).dirty == "no"
    (repo / "requirements.txt").unlink()
    assert read_revision(repo).dirty == "yes"


def test_packed_refs_packed_objects_detached_and_worktree(repo: Path, tmp_path: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "gc", "-q", "--prune=now")  # refs into packed-refs, the commit into a pack
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert read_revision(repo).dirty == "no" and read_revision(repo).commit == head
    git(repo, "checkout", "-q", "--detach")
    detached = read_revision(repo)
    assert (detached.commit, detached.branch) == (head, "")
    other = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "side", str(other))
    assert (other / ".git").is_file()
    side = read_revision(other)
    assert (side.commit, side.branch, side.dirty) == (head, "side", "no")


def test_outside_a_repository_and_no_commit(tmp_path: Path) -> None:
    assert read_revision(tmp_path).vcs == ""
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    found = read_revision(empty)
    assert (found.vcs, found.commit) == ("git", "")
