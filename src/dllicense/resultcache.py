"""The result cache: a scan whose inputs have not changed is answered from disk.

Correct by construction: the scan records what it read (``journal``: every file
through the one reader, with size, mtime and hash; every folder it listed or
read from, with its mtime; every file it looked for and did not find), and the
journal is stored with the result. A replay happens only when the key matches
and every journal entry still holds (``journal.still_valid``). Nothing here
guesses which files a scan depends on.

The key is a sha256 over what is not a file of the scan:

- the tool: its version and the size and mtime of every file of the installed
  package and of its shipped policies and templates (a source checkout's edits count);
- the command-line options that change the output or the exit code (a file
  given as a ``Path`` value counts by its contents), the date (exceptions
  expire) and ``SOURCE_DATE_EPOCH``, the variables that choose the environment
  or the indexes (``$VIRTUAL_ENV``, ``$CONDA_PREFIX``, ``$PIP_*``), a
  ``--baseline`` report, every file of a ``--templates`` folder;
- for the formats that show it (json, html, pdf), the commit checked out.

A value is the rendered outputs, what went to stderr, the exit code and the
journal. This module is on the hook's hot path: it imports nothing heavier than
``hashlib`` and ``json``. Every failure (unreadable file, read-only cache) means
"no cache", never an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from importlib.util import find_spec
from pathlib import Path

from dllicense import __version__
from dllicense.journal import Journal
from dllicense.parsing import parse_json
from dllicense.paths import default_cache_dir, resolve
from dllicense.readfile import digest, read_text
from dllicense.records import frozen

KEY_VERSION = "2"  # 2: the journal of what the scan read decides a replay
# environment variables that choose the environment, the indexes or the output
_VARIABLES = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_CONFIG_FILE",
    "SOURCE_DATE_EPOCH",
)
MAX_ENTRIES = 64  # results kept per cache folder; the oldest go first
MAX_BYTES = 64 * 1024 * 1024  # a result larger than this is not stored
_MAX_FILES = 200  # bound on followed policy extends (policy_flag)
_MAX_FOLDER_ENTRIES = 2000  # bound on the files and folders of a --templates folder
# [ \t], not \s: "^\s*" may run over many blank lines from every line start (quadratic)
_EXTENDS = re.compile(r"""^[ \t]*extends[ \t]*=[ \t]*["']([^"'\n]+)["']""", re.MULTILINE)
_MAX_FILE_BYTES = 20 * 1024 * 1024  # a file of the key larger than this: no cache
_PACKAGE = Path(__file__).resolve().parent


@frozen
class CachedRun:
    """What a scan printed and returned: ``outputs`` are (format, text) in order."""

    outputs: tuple[tuple[str, str], ...]
    stderr: str
    exit_code: int
    journal: Journal | None = None  # what the scan read; None: never replayed


def results_dir(cache_dir: Path | None) -> Path:
    return (cache_dir if cache_dir is not None else default_cache_dir()) / "results"


def run_key(
    project: Path,
    options: Mapping[str, object],
    python: str | None = None,
    paths: Iterable[str] = (),
    policy: str | None = None,
    baseline: Path | None = None,
    templates: Path | None = None,
) -> str | None:
    """The cache key of a scan, or None when an input cannot be read (then: no cache)."""
    try:
        if not project.is_dir():
            return None
        root = resolve(project)
        formats = options.get("formats", ())
        from dllicense.report import REVISION_FORMATS

        shows_revision = isinstance(formats, list) and (
            bool(REVISION_FORMATS & set(formats)) or templates is not None
        )
        parts = {
            "key": KEY_VERSION,
            "tool": tool_fingerprint(),
            "project": str(root),
            "options": {k: _option(options[k]) for k in sorted(options)},
            "python": python,
            "paths": [str(resolve(Path(p))) for p in paths],
            "policy": policy,
            "baseline": _file_digest(baseline) if baseline else None,
            "today": _today(),
            "variables": {k: os.environ.get(k, "") for k in _VARIABLES},
            "scancode": find_spec("licensedcode") is not None,
            "templates": folder_digest(templates) if templates is not None else None,
            "revision": _head(root) if shows_revision else None,
        }
    except (OSError, ValueError):
        return None
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=True).encode("ascii")
    return hashlib.sha256(blob).hexdigest()


def _head(root: Path) -> str:
    """The commit checked out (reports show it); the dirty flag is not part of the key."""
    from dllicense.discover.vcs import read_commit

    return read_commit(root)


def _option(value: object) -> object:
    """An option's part of the key; a file given as a ``Path`` counts by its contents."""
    if isinstance(value, Path):
        return _file_digest(value)
    return value


def _policy_chain(start: list[Path], builtins: Path | None) -> list[tuple[Path, str | None]]:
    """Policy files with the files they extend (bounded), each with its text (None if
    unreadable). ``extends = "x.toml"`` is a local file; a bare name is a built-in policy,
    followed only when ``builtins`` is given."""
    out: list[tuple[Path, str | None]] = []
    queue = list(start)
    while queue and len(out) < _MAX_FILES:
        current = queue.pop(0)
        if any(current == seen for seen, _ in out):
            continue
        try:
            text: str | None = read_text(current, _MAX_FILE_BYTES)
        except (OSError, ValueError):
            text = None
        out.append((current, text))
        for name in _EXTENDS.findall(text or ""):
            if name.endswith(".toml"):
                queue.append(current.parent / name)
            elif builtins is not None:
                queue.append(builtins / f"{name}.toml")
    return out


def policy_flag(project: Path, policy: str | None, key: str) -> bool:
    """Whether a policy file the scan may read sets ``key = true``.

    A text check, not a policy load (that would import the knowledge base):
    conservative, a match anywhere in those files counts.
    """
    from dllicense.resources import data_dir

    builtins = data_dir("policies")
    start = [project / "dllicense.toml", project / "pyproject.toml"]
    if policy:
        given = Path(policy)
        start.append(
            given if policy.endswith(".toml") or given.exists() else builtins / f"{policy}.toml"
        )
    flag = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=[ \t]*true\b", re.MULTILINE)
    return any(text and flag.search(text) for _, text in _policy_chain(start, builtins))


def folder_digest(folder: Path) -> list[tuple[str, str]]:
    """Every file under ``folder`` (symbolic links followed) by relative path and sha256.

    A folder that cannot be read, or of more than ``_MAX_FOLDER_ENTRIES`` entries, is
    a ``ValueError``/``OSError``: no cache.
    """
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a directory")
    out: list[tuple[str, str]] = []
    seen = 0

    def failed(exc: OSError) -> None:
        raise exc

    for top, dirs, names in os.walk(folder, onerror=failed, followlinks=True):
        dirs.sort()
        seen += len(dirs) + len(names)
        if seen > _MAX_FOLDER_ENTRIES:
            raise ValueError(f"{folder}: too many files")
        for name in sorted(names):
            path = Path(top) / name
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            out.append((relative, digest(path, _MAX_FILE_BYTES)))
    return out


def _file_digest(path: Path) -> tuple[str, str]:
    label = os.path.abspath(path)
    try:
        return (label, digest(path, _MAX_FILE_BYTES))
    except FileNotFoundError:
        return (label, "missing")


def tool_fingerprint() -> list[str]:
    """The version and the size/mtime of every file of the package, its policies and its
    report templates (in a source checkout these are outside the package)."""
    from dllicense.resources import data_dir

    out = [__version__]
    for top in (_PACKAGE, data_dir("policies"), data_dir("reports")):
        out += _tree_stats(top, top)
    return out


def _tree_stats(folder: Path, top: Path) -> list[str]:
    out: list[str] = []
    try:
        with os.scandir(folder) as entries:
            items = sorted(entries, key=lambda e: e.name)
    except OSError:
        return out
    for entry in items:
        if entry.name == "__pycache__":
            continue
        if entry.is_dir(follow_symlinks=False):
            out += _tree_stats(Path(entry.path), top)
        elif entry.is_file():
            st = entry.stat()
            out.append(f"{os.path.relpath(entry.path, top)}:{st.st_size}:{st.st_mtime_ns}")
    return out


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return epoch or dt.datetime.now(tz=dt.timezone.utc).date().isoformat()


def load(cache_dir: Path | None, key: str) -> CachedRun | None:
    """The cached run for ``key``; None when absent or unreadable."""
    try:
        data = parse_json(read_text(results_dir(cache_dir) / f"{key}.json", MAX_BYTES * 2))
        return CachedRun(
            tuple((str(f), str(t)) for f, t in data["outputs"]),
            str(data["stderr"]),
            int(data["exit_code"]),
            Journal.from_json(data["journal"]),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def store(cache_dir: Path | None, key: str, run: CachedRun) -> None:
    """Save ``run`` under ``key`` (atomically) and drop the oldest results beyond the limit."""
    folder = results_dir(cache_dir)
    blob = json.dumps(
        {
            "outputs": [list(o) for o in run.outputs],
            "stderr": run.stderr,
            "exit_code": run.exit_code,
            "journal": run.journal.as_json() if run.journal else None,
        }
    )
    if run.journal is None or len(blob) > MAX_BYTES:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".{key}.{os.getpid()}.tmp"
        temp.write_text(blob, encoding="utf-8")
        os.replace(temp, folder / f"{key}.json")
        _prune(folder)
    except OSError:
        return


def clear(cache_dir: Path | None) -> int:
    """Delete every cached result; return how many there were."""
    count = 0
    try:
        with os.scandir(results_dir(cache_dir)) as entries:
            for entry in list(entries):
                if entry.name.endswith(".json"):
                    os.unlink(entry.path)
                    count += 1
    except OSError:
        pass
    return count


def _prune(folder: Path) -> None:
    with os.scandir(folder) as entries:
        files = [(e.stat().st_mtime_ns, e.path) for e in entries if e.name.endswith(".json")]
    for _, path in sorted(files)[: max(0, len(files) - MAX_ENTRIES)]:
        with contextlib.suppress(OSError):
            os.unlink(path)
