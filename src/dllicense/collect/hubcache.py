"""The Hugging Face hub cache on this machine, read-only: where it is, which snapshot a
repository's revision names; files read only inside the repository's own folder."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from dllicense.paths import reason
from dllicense.readfile import read_bounded
from dllicense.records import frozen

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


class Unreadable(Exception):
    pass


def hf_cache_root(environ: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The Hugging Face hub cache folder and a label for reports (never an absolute path)."""
    env = os.environ if environ is None else environ
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if env.get(variable):
            return Path(env[variable]).expanduser(), f"${variable}"
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub", "$HF_HOME/hub"
    if env.get("XDG_CACHE_HOME"):
        return (
            Path(env["XDG_CACHE_HOME"]).expanduser() / "huggingface" / "hub",
            "$XDG_CACHE_HOME/huggingface/hub",
        )
    return Path.home() / ".cache" / "huggingface" / "hub", "~/.cache/huggingface/hub"


def read_inside(path: Path, boundary: Path, limit: int) -> bytes:
    """Read ``path`` (following symlinks) only if it stays inside ``boundary``."""
    try:
        resolved = path.resolve(strict=True)
        if not resolved.is_relative_to(boundary.resolve()):
            raise Unreadable(f"{path.name} points outside {boundary.name}")
        if not resolved.is_file():
            raise Unreadable(f"{path.name} is not a file")
        data, size = read_bounded(resolved, limit)
    except FileNotFoundError as error:
        raise Unreadable(f"{path.name} is missing or a broken link") from error
    except RuntimeError as error:  # Path.resolve on Python < 3.13
        raise Unreadable(f"{path.name} cannot be read (symbolic link loop)") from error
    except OSError as error:
        raise Unreadable(f"{path.name} cannot be read ({reason(error)})") from error
    if size > limit:
        raise Unreadable(f"{path.name} is larger than {limit // 1024} KB")
    return data


@frozen
class CachedRepo:
    folder: Path  # models--ORG--NAME
    snapshot: Path | None
    revision: str
    note: str = ""


class HubCache:
    """Read-only lookups in one Hugging Face hub cache folder."""

    def __init__(self, root: Path, label: str) -> None:
        self.root = root
        self.label = label
        self._entries: dict[str, str] | None = None

    def entries(self) -> dict[str, str]:
        """Lower-cased folder name -> folder name (the hub's ids are case-insensitive)."""
        if self._entries is None:
            try:
                names = sorted(p.name for p in self.root.iterdir() if "--" in p.name)
            except OSError:
                names = []
            self._entries = {}
            for name in names:
                self._entries.setdefault(name.lower(), name)
        return self._entries

    def find(
        self, kind: str, repo_id: str, revision: str = "", prefix_match: bool = False
    ) -> CachedRepo | None:
        """The cached repository of ``repo_id`` and the snapshot for ``revision`` (default main)."""
        base = f"{kind}s--" + repo_id.replace("/", "--")
        entries = self.entries()
        name = entries.get(base.lower())
        note = ""
        if name is None and prefix_match:
            tagged = sorted(v for k, v in entries.items() if k.startswith(base.lower() + "."))
            if tagged:
                name = tagged[0]
                note = f"no tag given: used the cached {name.split('--')[-1]}"
        if name is None:
            return None
        folder = self.root / name
        commit, why = self._revision(folder, revision or "main")
        snapshot = folder / "snapshots" / commit if commit else None
        if snapshot is not None and not snapshot.is_dir():
            snapshot, why = None, f"snapshot {commit[:12]} is not in the cache"
        return CachedRepo(folder, snapshot, commit, "; ".join(n for n in (note, why) if n))

    def _revision(self, folder: Path, revision: str) -> tuple[str, str]:
        if _COMMIT.match(revision):
            return revision, ""
        ref = folder / "refs" / revision
        try:
            data = read_inside(ref, folder, 1024).decode("ascii", "replace").strip()
            if _COMMIT.match(data):
                return data, ""
            return "", f"refs/{revision} does not hold a commit hash"
        except Unreadable:
            pass
        try:
            snapshots = sorted(p.name for p in (folder / "snapshots").iterdir() if p.is_dir())
        except OSError:
            snapshots = []
        if len(snapshots) == 1:
            return snapshots[0], f"no refs/{revision}: used the only snapshot"
        if snapshots:
            return snapshots[
                0
            ], f"no refs/{revision}: used snapshot {snapshots[0][:12]} of {len(snapshots)}"
        return "", "no snapshot is cached"
