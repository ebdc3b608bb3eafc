"""Choose the environment to inspect and list its distributions.

Order: ``--path DIR`` folders; else ``--python PATH`` (run once, isolated, only
to print its ``sys.path`` and marker environment); else ``.venv``/``venv`` in
the project (read statically from ``pyvenv.cfg``); else ``$VIRTUAL_ENV``; else
the running interpreter.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from packaging.markers import default_environment

from dllicense.discover.distributions import list_metadata_folders, read_distribution
from dllicense.errors import InputError
from dllicense.models import Distribution, Environment, Problem
from dllicense.parallel import ordered_map

# Printed by the target interpreter: its sys.path and PEP 508 marker values.
_PROBE = """
import json, os, platform, sys
impl = sys.implementation
v = impl.version
iv = "%d.%d.%d" % (v.major, v.minor, v.micro)
if v.releaselevel != "final":
    iv += v.releaselevel[0] + str(v.serial)
print(json.dumps({"path": [p for p in sys.path if p and os.path.isdir(p)], "markers": {
    "implementation_name": impl.name, "implementation_version": iv,
    "os_name": os.name, "platform_machine": platform.machine(),
    "platform_release": platform.release(), "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform}}))
"""


def select_environment(
    project: Path, python: str | None = None, paths: Sequence[str] = ()
) -> Environment:
    """Find the environment for ``project`` and read every distribution in it."""
    if paths:
        dirs = []
        for given in paths:
            folder = Path(given)
            if not folder.is_dir():
                raise InputError(f"--path {given}: not a directory")
            dirs.append((folder, _short(folder) if folder.is_absolute() else given))
        markers = _current_markers()
        return _build(f"--path {', '.join(label for _, label in dirs)}", markers, dirs)
    if python:
        return _from_interpreter(python)
    for name in (".venv", "venv"):
        if (project / name / "pyvenv.cfg").is_file():
            return _from_venv(project / name, name)
    active = os.environ.get("VIRTUAL_ENV")
    if active and (Path(active) / "pyvenv.cfg").is_file():
        return _from_venv(Path(active), "$VIRTUAL_ENV")
    dirs = [(Path(p), _short(Path(p))) for p in sys.path if p and Path(p).is_dir()]
    dirs = [(p, label) for p, label in dirs if p.resolve() != project.resolve()]
    return _build(
        f"current interpreter (Python {platform.python_version()})", _current_markers(), dirs
    )


def _current_markers() -> dict[str, str]:
    return {k: str(v) for k, v in default_environment().items()}


def _from_interpreter(python: str) -> Environment:
    try:
        done = subprocess.run(
            [python, "-I", "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise InputError(f"--python {python}: cannot run it ({exc})") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"--python {python}: exited with {done.returncode}: {last}")
    try:
        info = json.loads(done.stdout)
        markers = {str(k): str(v) for k, v in info["markers"].items()}
        dirs = [(Path(p), _short(Path(p))) for p in info["path"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"--python {python}: unexpected answer from the interpreter") from exc
    label = f"--python {Path(python).name} (Python {markers['python_full_version']})"
    return _build(label, markers, dirs)


def _from_venv(root: Path, label: str) -> Environment:
    """Read a virtual environment statically: ``pyvenv.cfg`` and its site-packages."""
    config: dict[str, str] = {}
    try:
        for line in (
            (root / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace").splitlines()
        ):
            key, sep, value = line.partition("=")
            if sep:
                config[key.strip().lower()] = value.strip()
    except OSError as exc:
        raise InputError(f"{label}: cannot read pyvenv.cfg ({exc.strerror})") from exc
    version = config.get("version_info") or config.get("version") or platform.python_version()
    markers = _current_markers()
    parts = version.split(".")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        markers["python_version"] = f"{parts[0]}.{parts[1]}"
        markers["python_full_version"] = ".".join(parts[:3])
        markers["implementation_version"] = markers["python_full_version"]
    sites = sorted(root.glob("lib/python*/site-packages")) + sorted(root.glob("Lib/site-packages"))
    if not sites:
        raise InputError(f"{label}: no site-packages folder found in the virtual environment")
    dirs = [(site, f"{label}/{site.relative_to(root).as_posix()}") for site in sites]
    return _build(f"{label} (Python {markers['python_full_version']})", markers, dirs)


def _short(path: Path) -> str:
    """A label for a folder that does not reveal the machine's layout."""
    return "/".join(path.parts[-3:])


def _read(item: tuple[Path, str]) -> Distribution | Problem:
    return read_distribution(*item)


def _build(description: str, markers: dict[str, str], dirs: list[tuple[Path, str]]) -> Environment:
    """Read every distribution; the first of a name on the path wins, later ones are shadowed."""
    found: dict[str, Distribution] = {}
    problems: list[Problem] = []
    seen_dirs: set[Path] = set()
    pending: list[tuple[Path, str]] = []
    for folder, label in dirs:
        key = folder.resolve()
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        entries, listing_problems = list_metadata_folders(folder)
        problems += listing_problems
        pending += [(entry, label) for entry in entries]
    for (_, label), dist in zip(pending, ordered_map(_read, pending), strict=True):
        if isinstance(dist, Problem):
            problems.append(dist)
            continue
        if dist.name in found:
            first = found[dist.name]
            problems.append(
                Problem(
                    "DL003",
                    f"{dist.display_name} {dist.version} in {label} is shadowed by "
                    f"{first.version} found first ({first.location})",
                    package=dist.name,
                    version=dist.version,
                )
            )
            continue
        found[dist.name] = dist
        problems += dist.problems
    return Environment(
        description=description,
        python_version=markers.get("python_full_version", ""),
        markers=tuple(sorted(markers.items())),
        distributions=tuple(found[name] for name in sorted(found)),
        problems=tuple(problems),
    )
