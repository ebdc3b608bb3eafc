"""The complete dependency set of a project with no lock and nothing installed (``--online``).

dllicense does not resolve versions itself: it asks a real resolver, ``uv pip
compile`` (the ``uv`` package, ``pip install 'dllicense[resolve]'``, or ``uv``
on ``PATH``), else pip's own resolver (``pip install --dry-run --report``).
Both run with ``--no-build`` / ``--only-binary :all:``: no sdist is ever
built, so neither the project's code nor a dependency's ``setup.py`` runs.

A package with no usable wheel (sdist-only, such as ``sqlitedict``; or no wheel
for the target) would make uv refuse the whole set. When uv names such packages,
the resolution is run again with them removed (an override with a never-true
marker, ``NAME ; python_version < '0'``, the way uv documents to drop a
dependency; ``sys_platform == 'never'`` does not work with ``--universal``), up
to ``MAX_PASSES`` runs, each removing what the last one named. The rest of the
graph is kept; the removed packages are listed in ``Resolution.excluded`` for
the pipeline to report (DL007 each: their own dependencies are unknown). pip has
no overrides: with pip such a package still fails the resolution (DL007).

The answer is a set of pins (``name==version``, with markers when resolved for
every target); the pipeline reads each pin's metadata from the index and walks
the pins' ``Requires-Dist`` edges like a lock's (``resolve.lockgraph``).
"""

from __future__ import annotations

import json
import os
import platform as host
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from dllicense.discover.locks.common import locked_wheels
from dllicense.discover.locks.markers import parse_marker
from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage
from dllicense.discover.selfextras import both_markers
from dllicense.models import Declared, Distribution, LockedWheel, Problem
from dllicense.records import frozen
from dllicense.resolve.requires import parse_requires

_TIMEOUT = 900.0  # seconds for one resolver run; each of its HTTP requests has its own
MAX_PASSES = 10  # resolver runs at most, each removing the packages the last one named
_NEVER = "python_version < '0'"  # a marker no target has: the override removes the package
# how uv names a package it needs a wheel of (the hint is on every such refusal, uv >= 0.4)
_NO_WHEEL = re.compile(r"Wheels are required for `([A-Za-z0-9][A-Za-z0-9._-]*)` because")
_USERINFO = re.compile(r"(//)[^/@\s]*@")
# uv's target triples per --platform and machine (uv pip compile --python-platform)
_UV_PLATFORMS = {
    ("linux", "x86_64"): "x86_64-unknown-linux-gnu",
    ("linux", "aarch64"): "aarch64-unknown-linux-gnu",
    ("darwin", "x86_64"): "x86_64-apple-darwin",
    ("darwin", "arm64"): "aarch64-apple-darwin",
    ("win32", "x86_64"): "x86_64-pc-windows-msvc",
    ("win32", "arm64"): "aarch64-pc-windows-msvc",
}


def _manylinux(arch: str) -> tuple[str, ...]:
    """pip takes the platform tags as given (no expansion to older glibc): glibc 2.28 (what
    uv's ``*-unknown-linux-gnu`` targets) down to 2.5, newest first, then the legacy names."""
    legacy = (
        ("manylinux2014", "manylinux2010", "manylinux1") if arch == "x86_64" else ("manylinux2014",)
    )
    return (
        *(f"manylinux_2_{minor}_{arch}" for minor in range(28, 4, -1)),
        *(f"{name}_{arch}" for name in legacy),
    )


# pip's --platform per --platform and machine
_PIP_PLATFORMS = {
    ("linux", "x86_64"): _manylinux("x86_64"),
    ("linux", "aarch64"): _manylinux("aarch64"),
    ("darwin", "x86_64"): ("macosx_14_0_x86_64", "macosx_14_0_universal2"),
    ("darwin", "arm64"): ("macosx_14_0_arm64", "macosx_14_0_universal2"),
    ("win32", "x86_64"): ("win_amd64",),
    ("win32", "arm64"): ("win_arm64",),
}


@frozen
class Target:
    """What to resolve for: ``python`` X.Y, ``platform`` (linux, darwin, win32), or every
    target (``universal``, uv only)."""

    python: str
    platform: str
    universal: bool = False

    @property
    def machine(self) -> str:
        machine = host.machine().lower()
        arm = machine in ("arm64", "aarch64")
        if self.platform == "darwin":
            return "arm64" if arm else "x86_64"
        if self.platform == "win32":
            return "arm64" if arm else "x86_64"
        return "aarch64" if arm else "x86_64"


@frozen
class Indexes:
    """Where the resolver looks (may hold credentials: never printed, never in argv)."""

    index_url: str
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False  # only find_links


@frozen
class Pin:
    """One resolved version; ``wheels``: the files the resolver chose (their ``.metadata``
    is read directly, without the simple page)."""

    name: str
    version: str
    marker: str = ""
    wheels: tuple[LockedWheel, ...] = ()


@frozen
class Resolution:
    """The resolver's answer: ``pins`` (empty on failure) and what went wrong."""

    resolver: str  # "uv 0.9.5", "pip 25.2"
    pins: tuple[Pin, ...]
    problems: tuple[Problem, ...] = ()
    # packages with no usable wheel, removed from the resolution (canonical names, sorted)
    excluded: tuple[str, ...] = ()


def requirement_lines(declared: Iterable[Declared]) -> list[str]:
    """The PEP 508 lines to resolve: the index packages the project declares (deduplicated)."""
    lines = set()
    for item in declared:
        if item.kind != "pypi" or not item.name:
            continue  # URL, path and editable requirements are DL005, never fetched
        extras = f"[{','.join(sorted(item.extras))}]" if item.extras else ""
        marker = f" ; {item.marker}" if item.marker else ""
        lines.add(f"{item.name}{extras}{item.specifier}{marker}")
    return sorted(lines)


def resolve_online(
    requirements: list[str],
    target: Target,
    indexes: Indexes,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    provided: tuple[str, ...] = (),
) -> Resolution:
    """Resolve ``requirements`` for ``target`` with uv, else pip. ``provided``: packages
    already installed by other means (an environment file's conda packages), never pulled
    (uv's ``--excludes``; pip has no such option: with pip they are resolved)."""
    uv = find_uv()
    if uv is not None:
        return _with_uv(uv, requirements, target, indexes, cache_dir, use_cache, provided)
    if target.universal:
        return Resolution(
            "pip",
            (),
            (
                Problem(
                    "DL007",
                    "resolving for every target (--all-targets) needs uv: "
                    "pip install 'dllicense[resolve]'",
                ),
            ),
        )
    return _with_pip(requirements, target, indexes)


def find_uv() -> str | None:
    """The uv binary: the ``uv`` package installed beside dllicense, else ``uv`` on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def _with_uv(
    uv: str,
    requirements: list[str],
    target: Target,
    indexes: Indexes,
    cache_dir: Path | None,
    use_cache: bool,
    provided: tuple[str, ...] = (),
) -> Resolution:
    args = [uv, "pip", "compile", "--no-build", "--no-config", "--no-header", "--no-annotate"]
    args += ["--format", "pylock.toml"]  # PEP 751: versions, markers and the wheels' URLs
    args += ["--quiet", "--color", "never", "--no-progress", "--python-version", target.python]
    if target.universal:
        args.append("--universal")
    else:
        args += ["--python-platform", _UV_PLATFORMS[(target.platform, target.machine)]]
    if not use_cache:
        args.append("--no-cache")
    elif cache_dir is not None:
        args += ["--cache-dir", str(cache_dir / "uv")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
    if "UV_CACHE_DIR" in os.environ and cache_dir is None:
        env["UV_CACHE_DIR"] = os.environ["UV_CACHE_DIR"]
    env["UV_DEFAULT_INDEX"] = indexes.index_url  # in the environment: argv is public
    # a target Python that is not on this machine (--python-version 3.8): uv would download
    # one to build sdists (~10 s of retries offline); nothing is built (--no-build)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    if indexes.extra_index_urls:
        env["UV_INDEX"] = " ".join(indexes.extra_index_urls)
    if indexes.find_links:
        env["UV_FIND_LINKS"] = ",".join(indexes.find_links)
    # pip's sources are pip's semantics: every version of every source is a candidate (uv's
    # own first-index would take a name's versions from the first index that lists it only)
    env["UV_INDEX_STRATEGY"] = "unsafe-best-match"
    if indexes.no_index:
        args.append("--no-index")
    asked = _start([uv, "--version"], env)  # answers while uv resolves
    version = ""
    excluded: list[str] = []
    for _ in range(MAX_PASSES):
        done = _run_uv(args, requirements, excluded, env, provided)
        version = version or _answer(asked, uv)
        if isinstance(done, Problem):
            return Resolution(version, (), (done,))
        if done.returncode == 0:
            break
        named = sorted(no_wheel_names(done.stderr) - set(excluded))
        if not named:  # another reason, or uv names again what was removed: give up
            return Resolution(version, (), (_failed(version, done.stderr),))
        excluded += named
    else:
        reason = f"packages without a usable wheel still named after {MAX_PASSES} runs"
        return Resolution(version, (), (_failed(version, reason),))
    pins = _from_pylock(done.stdout)
    if pins is None:
        return Resolution(version, (), (_failed(version, "unexpected pylock.toml output"),))
    return Resolution(version, pins, excluded=tuple(sorted(excluded)))


def _run_uv(
    args: list[str],
    requirements: list[str],
    excluded: list[str],
    env: Mapping[str, str],
    provided: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str] | Problem:
    """One ``uv pip compile`` run, the ``excluded`` packages removed by overrides, the
    ``provided`` ones by uv's ``--excludes`` (installed already: neither they nor what
    only they require is resolved)."""
    if not excluded and not provided:
        return _run([*args, "-"], "\n".join(requirements) + "\n", env)
    with tempfile.TemporaryDirectory(prefix="dllicense-resolve-") as tmp:
        more = []
        if excluded:
            overrides = Path(tmp) / "overrides.txt"
            overrides.write_text("".join(f"{n} ; {_NEVER}\n" for n in excluded), encoding="utf-8")
            more += ["--override", str(overrides)]
        if provided:
            excludes = Path(tmp) / "excludes.txt"
            excludes.write_text("".join(f"{n}\n" for n in provided), encoding="utf-8")
            more += ["--excludes", str(excludes)]
        return _run([*args, *more, "-"], "\n".join(requirements) + "\n", env)


def no_wheel_names(stderr: str) -> set[str]:
    """The packages uv's refusal says it needs a wheel of and has none (canonical names)."""
    return {canonicalize_name(m) for m in _NO_WHEEL.findall(stderr)}


def _with_pip(requirements: list[str], target: Target, indexes: Indexes) -> Resolution:
    python = sys.executable
    args = [python, "-I", "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
    args += ["--only-binary", ":all:", "--report", "-", "--python-version", target.python]
    args += ["--implementation", "cp", "--disable-pip-version-check", "--no-input"]
    for tag in _PIP_PLATFORMS[(target.platform, target.machine)]:
        args += ["--platform", tag]
    env = dict(os.environ)
    env["PIP_INDEX_URL"] = indexes.index_url
    env["PIP_EXTRA_INDEX_URL"] = " ".join(indexes.extra_index_urls)
    env["PIP_FIND_LINKS"] = " ".join(indexes.find_links)
    env["PIP_NO_INDEX"] = "1" if indexes.no_index else "0"
    version = _version([python, "-I", "-m", "pip", "--version"], env)
    with tempfile.TemporaryDirectory(prefix="dllicense-resolve-") as tmp:
        listed = Path(tmp) / "requirements.txt"
        listed.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        done = _run([*args, "-r", str(listed)], None, env)
    if isinstance(done, Problem):
        return Resolution(version, (), (done,))
    if done.returncode != 0:
        return Resolution(version, (), (_failed(version, done.stderr),))
    try:
        report = json.loads(done.stdout)
        pins = [
            Pin(
                canonicalize_name(str(item["metadata"]["name"])),
                str(item["metadata"]["version"]),
                wheels=locked_wheels([{"url": item.get("download_info", {}).get("url", "")}]),
            )
            for item in report.get("install", [])
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        return Resolution(version, (), (_failed(version, "unexpected --report output"),))
    return Resolution(version, tuple(sorted(pins, key=lambda p: (p.name, p.version))))


def _run(
    args: list[str], stdin: str | None, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str] | Problem:
    with tempfile.TemporaryDirectory(prefix="dllicense-resolve-") as cwd:  # no project config
        try:
            return subprocess.run(
                args,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT,
                env=dict(env),
                cwd=cwd,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Problem("DL007", f"the resolver gave no answer in {_TIMEOUT:.0f} s")
        except OSError as exc:
            return Problem("DL007", f"cannot run the resolver: {exc.strerror or exc}")


def _start(args: list[str], env: Mapping[str, str]) -> subprocess.Popen[str] | None:
    """``args`` started (a version query), read later by ``_answer``; None if it cannot run."""
    try:
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=dict(env),
            cwd=tempfile.gettempdir(),
        )
    except OSError:
        return None


def _answer(started: subprocess.Popen[str] | None, program: str) -> str:
    """The program's name and version (its ``--version`` output's first two words; its
    file name when it cannot say), from the version query ``_start`` began."""
    if started is None:
        return Path(program).name
    try:
        out, _ = started.communicate(timeout=_TIMEOUT)
    except subprocess.TimeoutExpired:
        started.kill()
        started.communicate()
        return Path(program).name
    words = out.split()
    return " ".join(words[:2]) if started.returncode == 0 and words else Path(program).name


def _version(args: list[str], env: Mapping[str, str]) -> str:
    """``_answer`` of a version query run now."""
    return _answer(_start(args, env), args[0])


def _failed(resolver: str, stderr: str) -> Problem:
    """DL007 with the resolver's own reason, on one line, credentials removed."""
    lines = [line.strip(" ×╰─▶│") for line in stderr.splitlines()]
    lines = [line.strip() for line in lines if line.strip() and not line.startswith("hint:")]
    reason = " ".join(lines) or "no reason given"
    reason = _USERINFO.sub(r"\1****@", reason)
    if len(reason) > 600:
        reason = reason[:600] + "..."
    return Problem("DL007", f"{resolver} could not resolve the declared dependencies: {reason}")


def _from_pylock(text: str) -> tuple[Pin, ...] | None:
    """The pins of uv's PEP 751 answer, read by the pylock.toml reader of the lock files."""
    from dllicense.discover.locks.pylock import read_pylock

    with tempfile.TemporaryDirectory(prefix="dllicense-resolve-") as tmp:
        path = Path(tmp) / "pylock.toml"
        path.write_text(text, encoding="utf-8")
        lock = read_pylock(path, "pylock.toml", Path(tmp))
    if lock.problems:
        return None
    pins = (Pin(p.name, p.version, p.marker, p.wheels) for p in lock.packages)
    return tuple(sorted(pins, key=lambda p: (p.name, p.version, p.marker)))


def excluded_specifier(
    name: str, requirements: Iterable[str], dists: Iterable[Distribution]
) -> str:
    """The versions of excluded package ``name`` that the declared requirements and the
    resolved pins' ``Requires-Dist`` allow, as one specifier (markers are not applied)."""
    allowed = SpecifierSet()
    for raw in (*requirements, *(r for d in dists for r in d.requires_dist)):
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        if canonicalize_name(req.name) == name:
            allowed &= req.specifier
    return str(allowed)


def excluded_problem(
    resolver: str, name: str, version: str, specifier: str, read: bool | str = False
) -> Problem:
    """The DL007 of a package removed from the resolution for want of a usable wheel;
    ``read``: its metadata was read (True), or why no version was found (str)."""
    allowed = f" (the requirements allow {specifier})" if specifier else ""
    message = (
        f"{resolver} found no usable wheel for the target{allowed}: left out of the "
        "resolution, the rest resolved without it; its own dependencies are unknown (no "
        "sdist is built or run)"
    )
    if read is True:
        message += "; its licence metadata is the newest release the requirements allow"
    elif isinstance(read, str):
        message += f"; no version of it found: {read}"
    return Problem("DL007", message, name, version)


def as_lock(
    resolution: Resolution,
    metadata: Mapping[tuple[str, str], Distribution],
    excluded: Mapping[str, str] | None = None,
    floor: str = "",
    provided: tuple[str, ...] = (),
) -> Lock:
    """The resolution as a lock whose edges are each pin's ``Requires-Dist``; ``excluded``
    (name -> version): packages the resolver left out, without edges (they are unknown).
    ``floor``: a marker every conditional edge must also meet (``python_version_floor``).
    ``provided``: packages installed by other means (conda): edges to them are dropped."""
    packages = []
    for pin in resolution.pins:
        dist = metadata.get((pin.name, pin.version))
        packages.append(
            LockedPackage(
                name=pin.name,
                version=pin.version,
                marker=pin.marker,
                dependencies=tuple(
                    e
                    for e in _edges(dist.requires_dist if dist else (), floor)
                    if e.name not in provided
                ),
                wheels=pin.wheels,
            )
        )
    known = {p.name for p in packages}
    packages += [
        LockedPackage(name=n, version=v)
        for n, v in sorted((excluded or {}).items())
        if v and n not in known
    ]
    return Lock(
        kind="resolved",
        label=f"{resolution.resolver} resolution",
        packages=tuple(packages),
        project_roots=True,
        universal=any(p.marker for p in resolution.pins),
    )


def python_version_floor(target: Target) -> str:
    """For a universal resolution (``--universal``), the marker of the Pythons it is for:
    uv reads ``--python-version`` as the lowest one. A requirement for older Pythons only
    (anyio's ``exceptiongroup; python_version < "3.11"``) is not part of it, and "every
    target" of the graph must not ask for it."""
    return f'python_full_version >= "{target.python}"' if target.universal else ""


def _edges(requires: Iterable[str], floor: str = "") -> list[LockedDependency]:
    out = []
    for raw in requires:
        req = parse_requires(raw)
        if req is None:
            continue
        marker = str(req.marker) if req.marker else ""
        if marker and parse_marker(marker) is None:
            continue
        marker = both_markers(marker, floor) if marker else ""
        try:
            specifier = str(Requirement(raw).specifier)
        except InvalidRequirement:
            specifier = ""
        out.append(LockedDependency(req.name, specifier, "", marker, tuple(req.extras)))
    return out
