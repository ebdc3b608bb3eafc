"""Persistent cache of metadata fetched from a package index, as dist-info folders.

One entry per (index URL without credentials, canonical name, version, whether
the licence files were asked for): a released version's metadata never changes,
so an entry is used without any network access. What was asked is part of the
key, so a run without ``--fetch-files`` never sees the licence files an earlier
``--fetch-files`` run stored (the same inputs give the same report). An entry is
a tiny "site-packages"::

    <cache>/index/<name>-<version>-<key>/
        entry.json                      how it was fetched (path, wheel, problems)
        <name>-<version>.dist-info/     METADATA and the licence files fetched
        <pkg>/LICENSE                   package-folder licence files (listed in RECORD)

Entries are built in a staging folder and renamed into place, so readers
never see half an entry. When the cache cannot be written, entries go to a
temporary folder removed at exit: the scan goes on, only without a cache.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, field
from pathlib import Path, PurePosixPath

from dllicense.parsing import parse_json
from dllicense.paths import default_cache_dir
from dllicense.readfile import read_text
from dllicense.records import frozen

logger = logging.getLogger(__name__)

ENTRY_FILE = "entry.json"
ENTRY_FORMAT = 1
ENTRY_LIMIT = 4 * 1024 * 1024
_temp_roots: list[Path] = []


@frozen
class CacheEntry:
    """What ``entry.json`` records about one fetched distribution."""

    dist_info: str  # folder name of the dist-info inside the entry
    path: str  # "pep658", "range" or "json"
    index: str  # the index URL, credentials redacted
    wheel: str = ""  # filename of the wheel read, "" for the JSON path
    files_fetched: bool = False  # licence files were fetched (or there were none to fetch)
    downloaded: int = 0  # bytes of response bodies downloaded to build the entry
    problems: tuple[tuple[str, str], ...] = field(default=())  # (code, message)
    format: int = ENTRY_FORMAT


def index_root(cache_dir: Path | None) -> Path:
    """``<cache_dir>/index`` (default: the user's dllicense cache)."""
    return (cache_dir if cache_dir is not None else default_cache_dir()) / "index"


def entry_dir(root: Path, index_url: str, name: str, version: str, files: bool = False) -> Path:
    """The folder of the entry for ``(index_url, name, version)``; ``files``: the one made
    when the licence files were asked for (``--fetch-files``)."""
    asked = "\nfiles" if files else ""  # metadata-only entries keep their earlier key
    key = hashlib.sha256(f"{index_url}\n{name}\n{version}{asked}".encode()).hexdigest()[:12]
    return root / f"{name}-{version}-{key}"


def load_entry(folder: Path) -> CacheEntry | None:
    """The entry in ``folder``, or None when absent, unreadable or of another format."""
    try:
        data = parse_json(read_text(folder / ENTRY_FILE, ENTRY_LIMIT))
        entry = CacheEntry(
            dist_info=str(data["dist_info"]),
            path=str(data["path"]),
            index=str(data["index"]),
            wheel=str(data.get("wheel", "")),
            files_fetched=bool(data.get("files_fetched", False)),
            downloaded=int(data.get("downloaded", 0)),
            problems=tuple((str(c), str(m)) for c, m in data.get("problems", ())),
            format=int(data.get("format", 0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if entry.format != ENTRY_FORMAT or not safe_relpath(entry.dist_info):
        return None
    if not (folder / entry.dist_info / "METADATA").is_file():
        return None
    return entry


def safe_relpath(rel: str) -> bool:
    """True for a relative POSIX path that stays inside the folder it is joined to."""
    if not rel or "\\" in rel or "\x00" in rel or rel.startswith("/") or len(rel) > 400:
        return False
    parts = PurePosixPath(rel).parts
    return all(p not in ("", ".", "..") for p in parts) and ":" not in parts[0]


class Staging:
    """A folder to build one entry in, then ``commit`` into place."""

    def __init__(self, root: Path, persistent: bool, alone: str = "") -> None:
        """``alone``: the name of the dist-info folder when nothing is written beside it;
        an entry of the temporary folder is then made as that folder right in it."""
        self.root = root
        self.persistent = persistent
        self.alone = ""
        self.owned = root  # what ``discard`` removes: this entry's folder, never the root
        self.folder = self._make(alone)
        self.moved_to: Path | None = None  # where ``commit`` moved this folder, if it did

    def _make(self, alone: str) -> Path:
        if self.persistent:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                self.owned = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
                return self.owned
            except OSError as exc:
                logger.warning(
                    "cannot write the index cache in %s (%s); using a temporary folder",
                    self.root,
                    exc.strerror or exc,
                )
                self.persistent = False
        self.root = _temp_root()
        # The temporary folder's entries are never looked up, so they need no folder of
        # their own: the dist-info is made right in it, unless this run made one of that
        # name already (two sources). On this machine's ext4 a staging folder, the
        # dist-info in it and its METADATA cost ~1 ms of system time per package, made and
        # removed; the dist-info alone in the root about half (75 packages: ~50 ms).
        if alone and safe_relpath(alone) and "/" not in alone:
            try:
                (self.root / alone).mkdir()
            except FileExistsError:
                pass
            else:
                self.alone = alone
                self.owned = self.root / alone
                return self.root
        self.owned = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
        return self.owned

    def write(self, rel: str, data: bytes) -> None:
        """Write ``data`` at ``rel`` inside the staging folder (``rel`` must be safe; in
        a dist-info made alone, inside that dist-info)."""
        if not safe_relpath(rel) or (self.alone and not rel.startswith(self.alone + "/")):
            raise ValueError(f"unsafe path {rel!r}")
        target = self.folder / rel
        if not self.alone or rel.count("/") > 1:
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def commit(self, final: Path, entry: CacheEntry) -> Path:
        """Write ``entry.json`` and move the staging folder to ``final``.

        An entry in the temporary folder (no cache kept) is never looked up again: it
        stays where it was built, without ``entry.json`` (the caller holds the entry), so
        a ``--no-cache`` scan writes one file per package instead of two and renames
        nothing. Returns the folder holding the entry's dist-info."""
        if not self.persistent:
            self.moved_to = self.folder
            return self.folder
        payload = asdict(entry)
        payload["problems"] = [list(p) for p in entry.problems]
        (self.folder / ENTRY_FILE).write_text(json.dumps(payload, indent=1) + "\n", "utf-8")
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        try:
            if final.exists():
                final.rename(old)
            self.folder.rename(final)
            self.moved_to = final
        except OSError as exc:
            logger.warning("cannot store index cache entry %s: %s", final.name, exc)
            if final.is_dir() and load_entry(final) is not None:  # another process won
                shutil.rmtree(self.owned, ignore_errors=True)
                return final
            return self.folder
        finally:
            shutil.rmtree(old, ignore_errors=True)
        return final

    def discard(self) -> None:
        shutil.rmtree(self.owned, ignore_errors=True)


def _temp_root() -> Path:
    """A per-process temporary folder for entries, removed at exit."""
    if not _temp_roots:
        root = Path(tempfile.mkdtemp(prefix="dllicense-index-"))
        _temp_roots.append(root)
        atexit.register(_cleanup)
    return _temp_roots[0]


def _cleanup() -> None:
    for root in _temp_roots:
        with contextlib.suppress(OSError):
            shutil.rmtree(root)
