"""The result cache: a scan whose inputs have not changed is answered from disk.

The key is a sha256 over everything the result depends on:

- the tool: its version and the size and mtime of every file of the installed
  package and of its shipped policies (so an edit in a source checkout counts);
- the command-line options that change the output or the exit code (a file
  given as a ``Path`` value counts by its contents), the date
  (exceptions expire) and ``SOURCE_DATE_EPOCH``, ``$VIRTUAL_ENV``;
- the contents of the project's dependency and policy files (``pyproject.toml``,
  ``requirements*.txt`` and what they include with ``-r``/``-c``,
  ``requirements/*.txt``, lock files, ``dllicense.toml`` and the policy files it
  extends, a ``--policy`` file, a ``--baseline`` report, the Maven, Gradle,
  conda and LuaRocks manifests at the root);
- the contents of every file of a ``--templates`` folder (and the built-in
  report templates by size and mtime, as part of the tool);
- the environment: for every folder scanned, the sorted names of its
  ``*.dist-info``/``*.egg-info`` entries with their METADATA size and mtime
  (``os.scandir`` and ``stat`` only; nothing is parsed).

A value is the rendered outputs, what went to stderr and the exit code.
This module is on the hook's hot path: it imports nothing heavier than
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
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from dllicense import __version__
from dllicense.parsing import parse_json
from dllicense.paths import resolve
from dllicense.readfile import digest, read_text

KEY_VERSION = "1"
MAX_ENTRIES = 64  # results kept per cache folder; the oldest go first
MAX_BYTES = 64 * 1024 * 1024  # a result larger than this is not stored
_MAX_FILES = 200  # bound on followed -r/-c includes and policy extends
_MAX_FOLDER_ENTRIES = 2000  # bound on the files and folders of a --templates folder
_LOCK_FILES = ("uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock")
# manifests of other ecosystems the scan reads at the project root
_MANIFESTS = (
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "gradle.properties",
    "gradle/libs.versions.toml",
    "environment.yml",
    "environment.yaml",
    "setup.py",
    "setup.cfg",
)
_INCLUDE = re.compile(r"^\s*(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+)(\S+)")
# [ \t], not \s: "^\s*" may run over many blank lines from every line start (quadratic)
_EXTENDS = re.compile(r"""^[ \t]*extends[ \t]*=[ \t]*["']([^"'\n]+)["']""", re.MULTILINE)
_MAX_FILE_BYTES = 20 * 1024 * 1024  # a file of the key larger than this: no cache
_RELATIVE_PATH = re.compile(r"<relativePath>([^<]*)</relativePath>")
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CachedRun:
    """What a scan printed and returned: ``outputs`` are (format, text) in order."""

    outputs: tuple[tuple[str, str], ...]
    stderr: str
    exit_code: int


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/dllicense`` or ``~/.cache/dllicense`` (as the text cache)."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "dllicense"


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
        files = dependency_files(root)
        if policy and (policy.endswith(".toml") or Path(policy).exists()):
            files += _with_extends([resolve(Path(policy))])
        if baseline is not None:
            files.append(baseline)
        parts = {
            "key": KEY_VERSION,
            "tool": tool_fingerprint(),
            "project": str(root),
            "options": {k: _option(options[k]) for k in sorted(options)},
            "python": python,
            "paths": [str(resolve(Path(p))) for p in paths],
            "policy": policy,
            "baseline": str(baseline) if baseline else None,
            "today": _today(),
            "virtual_env": os.environ.get("VIRTUAL_ENV", ""),
            "scancode": find_spec("licensedcode") is not None,
            "files": [_file_digest(f) for f in _unique(files)],
            "templates": folder_digest(templates) if templates is not None else None,
            "environment": environment_fingerprint(root, python, tuple(paths)),
        }
    except (OSError, ValueError):
        return None
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=True).encode("ascii")
    return hashlib.sha256(blob).hexdigest()


def _option(value: object) -> object:
    """An option's part of the key; a file given as a ``Path`` counts by its contents."""
    if isinstance(value, Path):
        return _file_digest(value)
    return value


def dependency_files(root: Path) -> list[Path]:
    """The project's dependency and policy files, with their includes and extends."""
    found = [root / "pyproject.toml", root / "dllicense.toml"]
    found += sorted(root.glob("*requirements*.txt"))
    found += sorted((root / "requirements").glob("*.txt"))
    found += [root / name for name in (*_LOCK_FILES, *_MANIFESTS)]
    found += sorted(root.glob("pylock*.toml")) + sorted(root.glob("*.rockspec"))
    existing = [p for p in found if p.is_file()]
    requirements = [p for p in existing if p.suffix == ".txt"]
    policies = [p for p in existing if p.name in ("pyproject.toml", "dllicense.toml")]
    poms = [p for p in existing if p.name == "pom.xml"]
    return (
        _with_includes(root, existing, requirements)
        + _with_extends(policies)
        + _with_parent_poms(root, poms)
    )


def _with_includes(root: Path, files: list[Path], requirements: list[Path]) -> list[Path]:
    """``files`` plus every file the requirements files include (``-r``/``-c``), bounded."""
    out = list(files)
    seen = {resolve(p) for p in out}
    base = resolve(root)
    queue = list(requirements)
    while queue and len(out) < _MAX_FILES:
        current = queue.pop(0)
        try:
            lines = read_text(current, _MAX_FILE_BYTES).splitlines()
        except OSError:
            continue
        for line in lines:
            match = _INCLUDE.match(line)
            if not match:
                continue
            target = resolve(current.parent / match.group(1))
            if not target.is_relative_to(base):
                continue  # the scan does not read an include outside the project
            if target not in seen:
                seen.add(target)
                out.append(target)  # a missing include is keyed as "missing"
                queue.append(target)
    return out


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


def _with_extends(policies: list[Path]) -> list[Path]:
    """Policy files plus the local policy files they extend, bounded."""
    return [path for path, _ in _policy_chain(policies, None)]


def _with_parent_poms(root: Path, poms: list[Path]) -> list[Path]:
    """The parent POMs inside the project that ``<relativePath>`` leads to, as the Maven
    reader follows them (``discover/ecosystems/maven.py``), bounded. A text check: the key
    is computed before anything is parsed; a link it cannot follow only adds no file."""
    base = resolve(root)
    out: list[Path] = []
    queue = list(poms)
    while queue and len(out) < _MAX_FILES:
        pom = queue.pop(0)
        parent = _parent_element(read_text(pom, _MAX_FILE_BYTES))
        if parent is None:
            continue
        given = _RELATIVE_PATH.search(parent)
        written = given.group(1).strip() if given else "../pom.xml"
        if not written:
            continue
        path = resolve(pom.parent / written)
        path = path / "pom.xml" if path.is_dir() else path
        if path.is_relative_to(base) and path.is_file() and path not in out:
            out.append(path)
            queue.append(path)
    return out


def _parent_element(text: str) -> str | None:
    """The first ``<parent>...</parent>`` of a POM's text, found with two ``str.find``
    (linear: a lazy ``<parent>.*?</parent>`` rescans the rest of the text from every
    unclosed ``<parent>``)."""
    start = text.find("<parent>")
    end = text.find("</parent>", start + 8) if start >= 0 else -1
    return text[start : end + 9] if end >= 0 else None


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


def _unique(files: list[Path]) -> list[Path]:
    seen: set[str] = set()
    out = []
    for f in files:
        key = os.path.abspath(f)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


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


def environment_fingerprint(project: Path, python: str | None, paths: tuple[str, ...]) -> list[str]:
    """The environment the scan would choose (``choose_environment``, the scan's own decision)."""
    from dllicense.discover.choice import choose_environment

    decision = choose_environment(project, python, paths)
    choice = decision.choice
    if choice is None:
        return ["no environment", decision.skipped]
    if choice.kind == "path":
        return _sites(list(choice.folders))
    if choice.kind == "python" and choice.python:
        version, dirs = _interpreter(choice.python)
        return [version, *_sites(dirs)]
    assert choice.root is not None
    return [choice.kind, *_venv(choice.root)]


def _interpreter(python: str) -> tuple[str, list[Path]]:
    """Version and ``sys.path`` folders of another interpreter (asked as the scan asks it)."""
    import subprocess

    try:
        done = subprocess.run(
            [python, "-I", "-c", "import json, sys; print(json.dumps([sys.version, *sys.path]))"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except subprocess.SubprocessError as exc:
        raise ValueError(str(exc)) from exc
    answer = json.loads(done.stdout)
    if not isinstance(answer, list) or not answer:
        raise ValueError("unexpected answer")
    return str(answer[0]), [Path(str(p)) for p in answer[1:] if p and os.path.isdir(str(p))]


def _venv(root: Path) -> list[str]:
    """A venv's or conda environment's configuration (pyvenv.cfg, conda-meta) and sites."""
    config = root / "pyvenv.cfg"
    cfg = digest(config, _MAX_FILE_BYTES) if config.is_file() else ""
    meta = root / "conda-meta"
    if meta.is_dir():
        cfg += f":conda-meta:{meta.stat().st_mtime_ns}"  # changes as packages come and go
    sites = sorted(root.glob("lib/python*/site-packages")) + sorted(root.glob("Lib/site-packages"))
    return [f"pyvenv.cfg:{cfg}", *_sites(sites)]


def _sites(folders: list[Path]) -> list[str]:
    """Per folder: its path, then each metadata folder with METADATA's size and mtime."""
    out: list[str] = []
    for folder in folders:
        out.append(f"dir:{os.path.abspath(folder)}")
        try:
            with os.scandir(folder) as entries:
                names = sorted(
                    e.name for e in entries if e.name.endswith((".dist-info", ".egg-info"))
                )
        except OSError as exc:
            out.append(f"unreadable:{exc.errno}")
            continue
        for name in names:
            out.append(f"{name}:{_metadata_stat(folder / name)}")
    return out


def _metadata_stat(entry: Path) -> str:
    if entry.name.endswith(".dist-info"):
        target = entry / "METADATA"
    elif entry.is_dir():
        target = entry / "PKG-INFO"
    else:
        target = entry
    try:
        st = target.stat()
    except OSError:
        return "missing"
    return f"{st.st_size}:{st.st_mtime_ns}"


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
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(cache_dir: Path | None, key: str, run: CachedRun) -> None:
    """Save ``run`` under ``key`` (atomically) and drop the oldest results beyond the limit."""
    folder = results_dir(cache_dir)
    blob = json.dumps(
        {
            "outputs": [list(o) for o in run.outputs],
            "stderr": run.stderr,
            "exit_code": run.exit_code,
        }
    )
    if len(blob) > MAX_BYTES:
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
