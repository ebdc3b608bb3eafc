"""Build a Hugging Face hub cache the way huggingface_hub lays it out, for tests.

``models--ORG--NAME/blobs/<sha256>`` hold the files, ``snapshots/<commit>/NAME``
are relative symlinks to ``../../blobs/<sha256>``, ``refs/main`` holds the commit.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def commit_of(repo_id: str) -> str:
    """A stable 40-hex commit id per repository (like the Hub's git commit hashes)."""
    return hashlib.sha1(repo_id.encode("utf-8")).hexdigest()


def add_repo(
    cache: Path,
    repo_id: str,
    files: dict[str, str],
    kind: str = "model",
    commit: str | None = None,
    ref: str | None = "main",
) -> Path:
    """Add one cached snapshot of ``repo_id``; returns the snapshot folder."""
    commit = commit or commit_of(repo_id)
    folder = cache / (f"{kind}s--" + repo_id.replace("/", "--"))
    blobs = folder / "blobs"
    snapshot = folder / "snapshots" / commit
    blobs.mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(blobs / digest, link.parent), link)
    if ref is not None:
        (folder / "refs").mkdir(exist_ok=True)
        (folder / "refs" / ref).write_text(commit, encoding="ascii")
    return snapshot
