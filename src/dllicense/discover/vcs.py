"""The scanned project's git revision and whether its tree had uncommitted changes.

Read from ``.git`` without running git (the scanner never runs tools on the
scanned tree): ``HEAD``, loose refs, ``packed-refs``, the ``gitdir:`` file of
worktrees and submodules (``commondir`` for the shared refs and objects).

Uncommitted changes (``dirty``) are decided as git decides them, as far as
plain files allow, and are "unknown" whenever a step cannot be checked:

1. the working tree against the index: every tracked file is stat'ed; a
   missing file or one whose size differs from the index entry is a change;
   one whose mtime differs is hashed as a git blob and compared with the
   index's object id (racily clean files are hashed too);
2. the index against the commit: the index's cache-tree extension records
   the tree the index would commit; it must be valid and equal the tree of
   the ``HEAD`` commit, read from a loose object or a pack (an undeltified
   entry); otherwise "unknown".

Untracked files are not looked at (that needs every ``.gitignore`` rule);
the note says so. Only ``.git`` files and tracked files are read, each with
``read_bounded``; nothing is written.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zlib
from pathlib import Path

from dllicense.models import Revision
from dllicense.readfile import read_bounded

_SMALL = 1 << 20  # HEAD, refs, packed-refs, gitdir files
_INDEX = 256 << 20  # .git/index of a very large repository
_FILE = 64 << 20  # a tracked file hashed to compare with the index
_MAX_FILES = 200_000
UNTRACKED = "untracked files are not checked"


class _Unknown(Exception):
    """A step could not be checked: the answer is "unknown"."""


def read_revision(root: Path) -> Revision:
    """The revision of the git repository holding ``root``; ``Revision()`` outside one."""
    try:
        top = _repository_root(root)
        if top is None:
            return Revision()
        gitdir, common = _git_dirs(top)
        commit, branch = _head(gitdir, common)
    except (OSError, ValueError, _Unknown):
        return Revision(vcs="git", note="the .git folder could not be read")
    if not commit:
        return Revision(vcs="git", branch=branch, note="no commit yet")
    try:
        dirty, why = _dirty(top, gitdir, common, commit)
    except (OSError, ValueError, struct.error, zlib.error, _Unknown) as exc:
        return Revision("git", commit, branch, "unknown", str(exc) or type(exc).__name__)
    return Revision("git", commit, branch, dirty, why)


def _repository_root(root: Path) -> Path | None:
    here = root.resolve()
    for folder in (here, *here.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def _small(path: Path) -> str:
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _Unknown(f"{path.name} is not a regular file")
    data, size = read_bounded(path, _SMALL)
    if size > _SMALL:
        raise _Unknown(f"{path.name} is too large")
    return data.decode("utf-8", errors="replace")


def _git_dirs(top: Path) -> tuple[Path, Path]:
    """(the repository's git dir, the common dir holding refs and objects)."""
    dot = top / ".git"
    if os.path.isdir(dot) and not os.path.islink(dot):
        gitdir = dot
    else:
        text = _small(dot).strip()
        if not text.startswith("gitdir:"):
            raise _Unknown(".git file without gitdir:")
        gitdir = Path(text[len("gitdir:") :].strip())
        gitdir = gitdir if gitdir.is_absolute() else (top / gitdir)
    common = gitdir
    if os.path.isfile(gitdir / "commondir"):
        pointed = Path(_small(gitdir / "commondir").strip())
        common = pointed if pointed.is_absolute() else gitdir / pointed
    return gitdir, common


def _head(gitdir: Path, common: Path) -> tuple[str, str]:
    """(commit id, branch name or "" when detached)."""
    text = _small(gitdir / "HEAD").strip()
    if not text.startswith("ref:"):
        return _object_id(text), ""
    ref = text[4:].strip()
    branch = ref.removeprefix("refs/heads/")
    for _ in range(10):  # symbolic refs pointing at symbolic refs
        target = _ref(gitdir, common, ref)
        if not target.startswith("ref:"):
            return (_object_id(target) if target else ""), branch
        ref = target[4:].strip()
    raise _Unknown("symbolic ref loop")


def _ref(gitdir: Path, common: Path, ref: str) -> str:
    if ".." in ref.split("/"):
        raise _Unknown(f"bad ref {ref}")
    for base in (gitdir, common):
        if os.path.isfile(base / ref):
            return _small(base / ref).strip()
    if os.path.isfile(common / "packed-refs"):
        for line in _small(common / "packed-refs").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref and not line.startswith(("#", "^")):
                return parts[0]
    return ""


def _object_id(text: str) -> str:
    text = text.strip().lower()
    if len(text) not in (40, 64) or any(c not in "0123456789abcdef" for c in text):
        raise _Unknown("HEAD does not hold an object id")
    return text


def _dirty(top: Path, gitdir: Path, common: Path, commit: str) -> tuple[str, str]:
    path = gitdir / "index"
    if not os.path.isfile(path):
        raise _Unknown("no index")
    data, size = read_bounded(path, _INDEX)
    if size > _INDEX:
        raise _Unknown("the index is too large")
    entries, tree = _parse_index(data)
    for name, mode, mtime, fsize, oid in entries:
        if _changed(top, name, mode, mtime, fsize, oid):
            return "yes", f"{name} differs from the index; {UNTRACKED}"
    if tree is None:
        raise _Unknown("the index records no valid tree (staged changes cannot be checked)")
    if tree != _commit_tree(common, commit):
        return "yes", f"staged changes not committed; {UNTRACKED}"
    return "no", f"tracked files match commit {commit[:12]}; {UNTRACKED}"


def _parse_index(
    data: bytes,
) -> tuple[list[tuple[str, int, tuple[int, int], int, str]], str | None]:
    """Entries (path, mode, (mtime s, ns), size, object id) and the cache-tree root."""
    if data[:4] != b"DIRC":
        raise _Unknown("not a git index")
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3, 4) or count > _MAX_FILES:
        raise _Unknown(f"index version {version} with {count} entries")
    pos, entries, previous = 12, [], b""
    for _ in range(count):
        entry = pos
        fields = struct.unpack(">10I", data[pos : pos + 40])
        oid = data[pos + 40 : pos + 60].hex()
        (flags,) = struct.unpack(">H", data[pos + 60 : pos + 62])
        start = pos + 62
        if version >= 3 and flags & 0x4000:
            (extended,) = struct.unpack(">H", data[start : start + 2])
            if extended & 0x4000:  # skip-worktree (sparse checkout): not in the tree
                flags |= 0x8000
            start += 2
        if version == 4:
            strip, start = _varint(data, start)
            end = data.index(b"\0", start)
            name_bytes = previous[: len(previous) - strip] + data[start:end]
            pos = end + 1
        else:
            end = data.index(b"\0", start)
            name_bytes = data[start:end]
            pos = entry + ((end - entry) // 8 + 1) * 8  # 1-8 NULs pad to a multiple of 8
        previous = name_bytes
        mode = fields[6]
        if flags & 0x3000:
            raise _Unknown("the index has unmerged entries")
        if not flags & 0x8000:  # assume-valid / skip-worktree entries are not compared
            entries.append(
                (name_bytes.decode("utf-8", "surrogateescape"), mode, fields[2:4], fields[9], oid)
            )
    return entries, _cache_tree(data, pos)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """git's offset varint (index v4 prefix lengths, pack OFS_DELTA)."""
    byte = data[pos]
    value = byte & 0x7F
    pos += 1
    while byte & 0x80:
        byte = data[pos]
        value = ((value + 1) << 7) | (byte & 0x7F)
        pos += 1
    return value, pos


def _cache_tree(data: bytes, pos: int) -> str | None:
    """The root tree id of the TREE extension when it is valid, else None."""
    end = len(data) - 20  # the checksum
    while pos + 8 <= end:
        signature = data[pos : pos + 4]
        (length,) = struct.unpack(">I", data[pos + 4 : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if signature == b"TREE":
            path_end = body.index(b"\0")
            counts_end = body.index(b"\n", path_end)
            count, _ = body[path_end + 1 : counts_end].split(b" ")
            if int(count) < 0:
                return None
            return body[counts_end + 1 : counts_end + 21].hex()
        pos += 8 + length
    return None


def _changed(top: Path, name: str, mode: int, mtime: tuple[int, int], size: int, oid: str) -> bool:
    kind = mode >> 12
    if kind == 0o16:  # a submodule (gitlink): its own repository
        return False
    path = top / name
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return True
    if kind == 0o12:  # symlink
        if not stat.S_ISLNK(info.st_mode):
            return True
        blob = os.fsencode(os.readlink(path))
    else:
        if not stat.S_ISREG(info.st_mode):
            return True
        if info.st_size & 0xFFFFFFFF != size:
            return True
        if (int(info.st_mtime), info.st_mtime_ns % 1_000_000_000) == tuple(mtime):
            return False  # git's own shortcut (a racily clean entry is caught by the tree check)
        if info.st_size > _FILE:
            raise _Unknown(f"{name} is too large to compare")
        blob, _ = read_bounded(path, _FILE)
    header = f"blob {len(blob)}\0".encode()
    digest = hashlib.sha1 if len(oid) == 40 else hashlib.sha256
    return digest(header + blob, usedforsecurity=False).hexdigest() != oid


def _commit_tree(common: Path, commit: str) -> str:
    raw = _read_object(common / "objects", commit)
    if not raw.startswith(b"tree "):
        raise _Unknown("HEAD is not a commit")
    return raw[5 : raw.index(b"\n")].decode("ascii")


def _read_object(objects: Path, oid: str) -> bytes:
    """A commit's body from a loose object or a pack (undeltified only)."""
    loose = objects / oid[:2] / oid[2:]
    if os.path.isfile(loose):
        data, _ = read_bounded(loose, _SMALL)
        body = zlib.decompressobj().decompress(data, _SMALL)
        return body[body.index(b"\0") + 1 :]
    packs = objects / "pack"
    wanted = bytes.fromhex(oid)
    for idx in sorted(packs.glob("pack-*.idx")) if packs.is_dir() else ():
        offset = _pack_offset(idx, wanted)
        if offset is not None:
            return _pack_object(idx.with_suffix(".pack"), offset)
    raise _Unknown("the HEAD commit was not found in the object store")


def _pack_offset(idx: Path, wanted: bytes) -> int | None:
    data, size = read_bounded(idx, _INDEX)
    if size > _INDEX or data[:8] != b"\377tOc\0\0\0\2":
        raise _Unknown(f"{idx.name}: not a version 2 pack index")
    fanout = struct.unpack(">256I", data[8 : 8 + 1024])
    total = fanout[255]
    low = fanout[wanted[0] - 1] if wanted[0] else 0
    high = fanout[wanted[0]]
    width = len(wanted)
    names = 8 + 1024
    while low < high:
        mid = (low + high) // 2
        name = data[names + mid * width : names + (mid + 1) * width]
        if name == wanted:
            offsets = names + total * width + total * 4
            (offset,) = struct.unpack(">I", data[offsets + mid * 4 : offsets + mid * 4 + 4])
            if offset & 0x80000000:
                large = offsets + total * 4 + (offset & 0x7FFFFFFF) * 8
                (offset,) = struct.unpack(">Q", data[large : large + 8])
            return int(offset)
        if name < wanted:
            low = mid + 1
        else:
            high = mid
    return None


def _pack_object(pack: Path, offset: int) -> bytes:
    with open(pack, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _Unknown("a pack is not a regular file")
        handle.seek(offset)
        head = handle.read(_SMALL)
    byte = head[0]
    kind = (byte >> 4) & 7
    pos = 1
    while byte & 0x80:
        byte = head[pos]
        pos += 1
    if kind != 1:
        raise _Unknown("the HEAD commit is stored as a delta")
    return zlib.decompressobj().decompress(head[pos:], _SMALL)
