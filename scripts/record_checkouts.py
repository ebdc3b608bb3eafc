#!/usr/bin/env python3
"""Record the oracles and the replayable package index of ``tests/fixtures/checkouts/``.

The corpus holds the dependency files of real public ML projects, one per
shape (uv.lock, poetry.lock, pdm.lock, pylock.toml, requirements.txt only,
pyproject.toml only, conda environment.yml only, no dependency file); each
checkout's ``SOURCE.md`` names its repository and commit. The tests never run
this script and never touch the network: its output is committed, and it
exists so that anyone can see where each byte came from and record it again.

``oracle`` (needs uv, poetry + poetry-plugin-export and pdm in ``--tools``)
    Asks the real tool for the runtime package set (no dev groups, no extras)
    for CPython 3.11 on Linux x86_64 and writes ``expected-runtime.txt``
    (``name==version``, PEP 503 names, sorted, without the project itself).
    The tools run on a temporary copy of the checkout, never in it. Locks are
    exported by their own tool, then the markers are applied by
    ``uv pip compile --no-deps`` for the target; ``pylock.toml`` is read by
    ``uv pip install --dry-run`` into a CPython 3.11 environment; manifests
    without a lock (and the ``pip:`` list of ``environment.yml``) are resolved
    against PyPI by ``uv pip compile --no-build``, also with ``--universal``
    into ``expected-universal.txt``; the conda dependencies of
    ``environment.yml`` are listed as written in ``expected-conda.txt``.
    Each command is printed as run; SOURCE.md repeats them.

``index``
    For every ``name==version`` of a checkout's ``expected-runtime.txt``,
    records from PyPI into ``<checkout>/index/``:

    ``simple/<name>.json``
        the PEP 691 JSON simple page trimmed to that version's files: the
        sdist and at most 3 wheels that CPython 3.11 on manylinux_2_28 x86_64
        can install (the same target as ``uv pip compile --python-platform
        x86_64-unknown-linux-gnu``), in the installer's preference order;
        ``versions`` to match; ``core-metadata`` / ``dist-info-metadata``
        announced with the sha256 of the stored ``.metadata`` file.
    ``metadata/<wheel>.metadata``
        the PEP 658 core-metadata file (``<wheel url>.metadata``) of the
        most preferred kept wheel, cut after the headers (the long
        description body, everything after the first blank line, is dropped).
        Where the index answers 404 for ``<wheel url>.metadata`` (the mirror
        this was recorded from serves them for some wheels only), the same
        bytes are read from the wheel itself: its ``*.dist-info/METADATA``,
        found with HTTP range requests (the central directory and that one
        member, not the whole wheel). ``recorded.json`` says which
        (``metadata-from``: ``pep658`` or ``wheel``).

    ``index/recorded.json`` lists what was kept and what could not be
    (a version without a compatible wheel, a wheel without a metadata file).

Usage::

    python scripts/record_checkouts.py oracle --tools TOOLS_VENV/bin [SLUG ...]
    python scripts/record_checkouts.py index [SLUG ...]

Both run with ``UV_NO_CONFIG=1``, ``PIP_CONFIG_FILE=/dev/null`` and without
``PIP_INDEX_URL`` / ``PIP_EXTRA_INDEX_URL`` / ``PIP_FIND_LINKS``, so that no
local configuration leaks into the answers.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

import yaml  # type: ignore[import-untyped]
from packaging import tags
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
CHECKOUTS = REPO / "tests" / "fixtures" / "checkouts"
PYPI = "https://pypi.org/simple"
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
PYTHON_VERSION = "3.11"
PLATFORM = "x86_64-unknown-linux-gnu"  # uv: manylinux_2_28 x86_64
TARGET = ("--python-version", PYTHON_VERSION, "--python-platform", PLATFORM)
KEEP_WHEELS = 3
# Files of a checkout that are the corpus's, not the project's.
NOT_PROJECT = {"SOURCE.md", "index"}

# slug -> shape; the shape decides which tool is the oracle.
SHAPES: dict[str, str] = {
    "outlines-uv": "uv",
    "fastembed-poetry": "poetry",
    "giskard-pdm": "pdm",
    "energon-pylock": "pylock",
    "llmc-requirements": "requirements",
    "langextract-pyproject": "pyproject",
    "dit-conda": "conda",
    "nanogpt-nofile": "none",
}
LOCKED = {"uv", "poetry", "pdm", "pylock"}


def project_files(checkout: Path) -> list[Path]:
    """The checkout's copied project files (not SOURCE.md, the oracles or the index)."""
    return sorted(
        p
        for p in checkout.rglob("*")
        if p.is_file()
        and p.relative_to(checkout).parts[0] not in NOT_PROJECT
        and not p.name.startswith("expected-")
    )


def tool_env(tools: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(
        PATH=f"{tools}{os.pathsep}{env.get('PATH', '')}",
        PIP_CONFIG_FILE=os.devnull,
        UV_NO_CONFIG="1",
        PDM_CHECK_UPDATE="false",
        POETRY_VIRTUALENVS_CREATE="false",
    )
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str], stderr: bool = False) -> str:
    """Run ``cmd``; its stdout (and stderr, when asked: uv writes dry-run plans there)."""
    print("$", " ".join(cmd), file=sys.stderr)
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout + (done.stderr if stderr else "")


def pins(text: str) -> dict[str, str]:
    """``name==version`` lines (comments, markers and options ignored) -> {name: version}."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("+ "):  # `uv pip install --dry-run` lists "+ name==version"
            line = line[2:]
        if not line or line.startswith(("#", "-")):
            continue
        try:
            req = Requirement(line.split(" #", 1)[0])
        except InvalidRequirement:
            continue
        spec = list(req.specifier)
        if len(spec) == 1 and spec[0].operator == "==":
            found[canonicalize_name(req.name)] = spec[0].version
    return found


def write_set(path: Path, found: dict[str, str], project: str | None) -> None:
    if project:
        found.pop(canonicalize_name(project), None)
    path.write_text("".join(f"{n}=={v}\n" for n, v in sorted(found.items())), "utf-8")
    print(f"{path.relative_to(REPO)}: {len(found)} packages", file=sys.stderr)


def write_lines(path: Path, text: str) -> None:
    """A universal answer keeps its markers: one requirement per line, names normalised, sorted."""
    lines = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "-")):
            name, rest = re.match(r"\s*([A-Za-z0-9._-]+)(.*)", line).groups()  # type: ignore[union-attr]
            lines.append(canonicalize_name(name) + rest.rstrip())
    path.write_text("".join(f"{line}\n" for line in sorted(lines)), "utf-8")
    print(f"{path.relative_to(REPO)}: {len(lines)} lines", file=sys.stderr)


def project_name(work: Path) -> str | None:
    pyproject = work / "pyproject.toml"
    if not pyproject.is_file():
        return None
    data = tomllib.loads(pyproject.read_text("utf-8"))
    name = data.get("project", {}).get("name") or data.get("tool", {}).get("poetry", {}).get("name")
    return str(name) if name else None


def compile_target(uv: str, source: str, work: Path, env: dict[str, str], *extra: str) -> str:
    return run(
        [uv, "pip", "compile", source, *extra, "--python-version", PYTHON_VERSION]
        + (["--python-platform", PLATFORM] if "--universal" not in extra else [])
        + ["--index-url", PYPI, "--no-header", "--no-annotate"],
        work,
        env,
    )


def oracle(slug: str, tools: Path) -> None:
    checkout, shape = CHECKOUTS / slug, SHAPES[slug]
    env, uv = tool_env(tools), str(tools / "uv")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / slug
        for src in project_files(checkout):
            dst = work / src.relative_to(checkout)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
        work.mkdir(exist_ok=True)
        name = project_name(work)
        out = checkout / "expected-runtime.txt"
        if shape in ("uv", "poetry", "pdm"):
            export = {
                "uv": [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"],
                "poetry": [str(tools / "poetry"), "export", "--without-hashes", "--only", "main"],
                "pdm": [str(tools / "pdm"), "export", "--prod", "--no-hashes"],
            }[shape]
            (work / "exported.txt").write_text(run(export, work, env), "utf-8")
            write_set(out, pins(compile_target(uv, "exported.txt", work, env, "--no-deps")), name)
        elif shape == "pylock":
            venv = Path(tmp) / "py311"
            run([uv, "venv", "--quiet", "--python", PYTHON_VERSION, str(venv)], work, env)
            python = ("--python", str(venv / "bin" / "python"))
            listed = run(
                [uv, "pip", "install", "--dry-run", "-r", "pylock.toml", *python, *TARGET],
                work,
                env,
                stderr=True,
            )
            write_set(out, pins(listed), name)
        elif shape in ("requirements", "pyproject", "conda"):
            more: tuple[str, ...] = ()
            source = {"requirements": "requirements.txt", "pyproject": "pyproject.toml"}.get(shape)
            if shape == "conda":
                source = "pip-requirements.txt"
                conda, pip = conda_lists(work / "environment.yml")
                (work / source).write_text("".join(f"{r}\n" for r in pip), "utf-8")
                (checkout / "expected-conda.txt").write_text(
                    "".join(f"{d}\n" for d in conda), "utf-8"
                )
                # conda installs its packages before pip: their PyPI twins are not resolved
                twins = sorted({t for d in conda for t in conda_twin_names(d)})
                (work / "excludes.txt").write_text("".join(f"{t}\n" for t in twins), "utf-8")
                more = ("--excludes", "excludes.txt")
            assert source is not None
            found = compile_target(uv, source, work, env, "--no-build", *more)
            write_set(out, pins(found), name)
            if shape != "conda":
                universal = compile_target(uv, source, work, env, "--no-build", "--universal")
                write_lines(checkout / "expected-universal.txt", universal)
        else:
            write_set(out, {}, None)


def conda_twin_names(spec: str) -> tuple[str, ...]:
    """The PyPI projects a conda dependency installs (``pytorch >= 1.13`` -> ``torch``),
    from dllicense's conda -> PyPI map (prefix.dev parselmouth, ``conda_pypi.json``)."""
    from dllicense.knowledge.conda_pypi import pypi_names

    found = re.match(r"^(?:([^\s:]+)::)?([A-Za-z0-9_.\-]+)", spec.strip())
    if not found or found.group(2).lower() in ("python", "pip"):
        return ()
    return pypi_names(found.group(2), found.group(1))


def conda_lists(path: Path) -> tuple[list[str], list[str]]:
    """(conda dependencies as written, the ``pip:`` entries) of an environment.yml."""
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    conda: list[str] = []
    pip: list[str] = []
    for dep in data.get("dependencies") or []:
        if isinstance(dep, dict):
            pip.extend(str(p) for p in dep.get("pip") or [])
        else:
            conda.append(str(dep))
    return conda, pip


# --- index ---------------------------------------------------------------------------


def get(url: str, accept: str = "*/*") -> bytes | None:
    """GET ``url``; ``None`` on 404."""
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "dllicense"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise


@functools.cache
def tag_ranks() -> dict[tags.Tag, int]:
    """CPython 3.11 on manylinux_2_28 x86_64 -> rank, most preferred first (uv's target)."""
    platforms = [f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)]
    platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    platforms.append("linux_x86_64")
    cp = list(tags.cpython_tags((3, 11), platforms=platforms))
    ordered = cp + list(tags.compatible_tags((3, 11), "cp311", platforms=platforms))
    return {tag: rank for rank, tag in reversed(list(enumerate(ordered)))}


def file_version(filename: str) -> tuple[Version, int | None] | None:
    """(version, tag rank or None for an sdist); ``None`` for other files."""
    ranks = tag_ranks()
    if filename.endswith(".whl"):
        try:
            _, version, _, file_tags = parse_wheel_filename(filename)
        except InvalidWheelFilename:
            return None
        rank = min((ranks[t] for t in file_tags if t in ranks), default=-1)
        return (version, rank) if rank >= 0 else None
    try:
        return parse_sdist_filename(filename)[1], None
    except InvalidSdistFilename:
        return None


class RangeFile(io.RawIOBase):
    """A remote file read with HTTP range requests (enough for ``zipfile`` to find one member)."""

    def __init__(self, url: str, size: int) -> None:
        self.url, self.size, self.pos = url, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence] + offset
        return self.pos

    def readinto(self, buffer: Any) -> int:
        end = min(self.pos + len(buffer), self.size)
        if end <= self.pos:
            return 0
        request = urllib.request.Request(
            self.url, headers={"Range": f"bytes={self.pos}-{end - 1}", "User-Agent": "dllicense"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            if response.status != 206:
                raise OSError(f"{self.url}: no range requests (HTTP {response.status})")
            data = response.read()
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


def wheel_metadata(item: dict[str, Any]) -> tuple[bytes, str] | None:
    """A wheel's core metadata: its PEP 658 file, else the same bytes read from the wheel
    (``*.dist-info/METADATA``, with range requests, when the index serves no metadata file)."""
    data = get(item["url"] + ".metadata")
    if data is not None:
        return data, "pep658"
    remote = io.BufferedReader(RangeFile(item["url"], int(item["size"])), buffer_size=1 << 16)
    with zipfile.ZipFile(remote) as wheel:
        names = [n for n in wheel.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        return (wheel.read(names[0]), "wheel") if len(names) == 1 else None


def cut_metadata(data: bytes) -> bytes:
    """The headers of a core-metadata file: the long description body is dropped."""
    found = re.search(rb"\r?\n(\r?\n)", data)  # some files end their lines with CRLF
    return data[: found.start(1)] if found else data


def record_package(name: str, version: str, out: Path) -> dict[str, Any]:
    page_bytes = get(f"{PYPI}/{name}/", JSON_ACCEPT)
    if page_bytes is None:
        return {"version": version, "error": "no simple page"}
    page = json.loads(page_bytes)
    wanted = Version(version)
    sdists: list[tuple[int, dict[str, Any]]] = []
    wheels: list[tuple[int, dict[str, Any]]] = []
    for item in page["files"]:
        parsed = file_version(item["filename"])
        if parsed is None or parsed[0] != wanted or item.get("yanked"):
            continue
        (sdists if parsed[1] is None else wheels).append((parsed[1] or 0, item))
    wheels.sort(key=lambda pair: pair[0])
    kept = [item for _, item in sdists[:1]] + [item for _, item in wheels[:KEEP_WHEELS]]
    entry: dict[str, Any] = {"version": version, "files": [i["filename"] for i in kept]}
    metadata_file = None
    for _, item in wheels[:KEEP_WHEELS]:
        found = wheel_metadata(item)
        if found is None:
            continue
        stored = cut_metadata(found[0])
        entry["metadata-from"] = found[1]
        metadata_file = f"{item['filename']}.metadata"
        (out / "metadata" / metadata_file).write_bytes(stored)
        digest = hashlib.sha256(stored).hexdigest()
        item["core-metadata"] = item["dist-info-metadata"] = {"sha256": digest}
        entry["metadata"] = metadata_file
        break
    for item in kept:
        if item["filename"] + ".metadata" != metadata_file:
            item.pop("core-metadata", None)
            item.pop("dist-info-metadata", None)
    if not wheels:
        entry["error"] = "no wheel for the target"
    elif metadata_file is None:
        entry["error"] = "no core-metadata file for the kept wheels"
    page["files"] = kept
    page["versions"] = [version]
    (out / "simple" / f"{name}.json").write_text(json.dumps(page, indent=1) + "\n", "utf-8")
    return entry


def record_index(slug: str) -> None:
    checkout = CHECKOUTS / slug
    out = checkout / "index"
    shutil.rmtree(out, ignore_errors=True)
    (out / "simple").mkdir(parents=True)
    (out / "metadata").mkdir()
    expected = pins((checkout / "expected-runtime.txt").read_text("utf-8"))
    recorded: dict[str, Any] = {
        "index": PYPI,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "target": f"CPython {PYTHON_VERSION}, manylinux_2_28 x86_64",
        "packages": {},
    }
    for name, version in sorted(expected.items()):
        entry = record_package(name, version, out)
        recorded["packages"][name] = entry
        if "error" in entry:
            print(f"{slug}: {name}=={version}: {entry['error']}", file=sys.stderr)
    (out / "recorded.json").write_text(json.dumps(recorded, indent=1) + "\n", "utf-8")
    if not expected:
        shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    do_oracle = sub.add_parser("oracle")
    do_oracle.add_argument("--tools", type=Path, required=True, help="bin/ with uv, poetry, pdm")
    do_oracle.add_argument("slugs", nargs="*")
    do_index = sub.add_parser("index")
    do_index.add_argument("slugs", nargs="*")
    args = parser.parse_args()
    for var in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
        os.environ.pop(var, None)
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    os.environ["UV_NO_CONFIG"] = "1"
    for slug in args.slugs or list(SHAPES):
        if slug not in SHAPES:
            sys.exit(f"unknown checkout {slug!r}; known: {', '.join(SHAPES)}")
        if args.command == "oracle":
            oracle(slug, args.tools.resolve())
        else:
            record_index(slug)


if __name__ == "__main__":
    main()
