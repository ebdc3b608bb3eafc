"""Read the chosen environment (``discover.choice`` decides which) and its distributions."""

from __future__ import annotations

import json
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path

from packaging.markers import default_environment

from dllicense.discover.choice import EnvironmentChoice, choose_environment, short_label
from dllicense.discover.distributions import list_metadata_folders, read_distribution
from dllicense.discover.probe import ask_interpreter
from dllicense.errors import InputError
from dllicense.models import Distribution, Environment, Problem, Skipped
from dllicense.parallel import ordered_map
from dllicense.paths import resolve
from dllicense.readfile import read_bounded


def select_environment(
    project: Path, python: str | None = None, paths: Sequence[str] = ()
) -> Environment | None:
    """Find the environment for ``project`` and read every distribution in it (None: none)."""
    return read_environment(choose_environment(project, python, paths).choice)


def read_environment(choice: EnvironmentChoice | None) -> Environment | None:
    """Read every distribution of the chosen environment."""
    if choice is None:
        return None
    if choice.kind == "path":
        dirs = []
        for folder in choice.folders:
            if not folder.is_dir():
                raise InputError(f"--path {folder}: not a directory")
            dirs.append((folder, short_label(folder) if folder.is_absolute() else str(folder)))
        return _build(choice.label, _current_markers(), dirs)
    if choice.kind == "python" and choice.python:
        return _from_interpreter(choice.python)
    assert choice.root is not None
    return _from_prefix(choice.root, choice.label)


def _current_markers() -> dict[str, str]:
    return {k: str(v) for k, v in default_environment().items()}


def _from_interpreter(python: str) -> Environment:
    try:
        code, stdout, stderr = ask_interpreter(python)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise InputError(f"--python {python}: cannot run it ({exc})") from exc
    if code != 0:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"--python {python}: exited with {code}: {last}")
    try:
        info = json.loads(stdout)
        markers = {str(k): str(v) for k, v in info["markers"].items()}
        dirs = [(Path(p), short_label(Path(p))) for p in info["path"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"--python {python}: unexpected answer from the interpreter") from exc
    label = f"--python {Path(python).name} (Python {markers['python_full_version']})"
    return _build(label, markers, dirs)


def _from_prefix(root: Path, label: str) -> Environment:
    """Read a virtual or conda environment statically: its Python version and site-packages.

    The version comes from ``pyvenv.cfg`` (a venv) or the ``lib/pythonX.Y`` folder (conda).
    """
    config: dict[str, str] = {}
    if (root / "pyvenv.cfg").is_file():
        try:
            data, _ = read_bounded(root / "pyvenv.cfg", 1 << 16)
        except OSError as exc:
            raise InputError(f"{label}: cannot read pyvenv.cfg ({exc.strerror})") from exc
        for line in data.decode("utf-8", errors="replace").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                config[key.strip().lower()] = value.strip()
    libs = sorted(p.name for p in root.glob("lib/python3.*") if p.is_dir())
    from_lib = libs[-1].removeprefix("python") if libs else ""
    version = (
        config.get("version_info") or config.get("version") or from_lib or platform.python_version()
    )
    markers = _current_markers()
    parts = version.split(".")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        markers["python_version"] = f"{parts[0]}.{parts[1]}"
        markers["python_full_version"] = ".".join(parts[:3])
        markers["implementation_version"] = markers["python_full_version"]
    sites = sorted(root.glob("lib/python*/site-packages")) + sorted(root.glob("Lib/site-packages"))
    if not sites and not (root / "conda-meta").is_dir():  # a conda one may hold no Python
        raise InputError(f"{label}: no site-packages folder found in the virtual environment")
    dirs = [(site, f"{label}/{site.relative_to(root).as_posix()}") for site in sites]
    return _build(f"{label} (Python {markers['python_full_version']})", markers, dirs)


def _read(item: tuple[str, str]) -> Distribution | Skipped:
    return read_distribution(*item)


def _build(description: str, markers: dict[str, str], dirs: list[tuple[Path, str]]) -> Environment:
    """Read every distribution; the first of a name on the path wins, later ones are shadowed."""
    found: dict[str, Distribution] = {}
    problems: list[Problem] = []
    skipped: list[Skipped] = []  # metadata folders that cannot be read (DL021)
    seen_dirs: set[Path] = set()
    pending: list[tuple[str, str]] = []
    for folder, label in dirs:
        try:
            key = resolve(folder)
        except OSError:
            key = folder.absolute()
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        entries, listing_problems = list_metadata_folders(folder)
        problems += listing_problems
        pending += [(entry, label) for entry in entries]
    for (_, label), dist in zip(pending, ordered_map(_read, pending), strict=True):
        if isinstance(dist, Skipped):
            skipped.append(dist)
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
        skipped=tuple(skipped),
    )
