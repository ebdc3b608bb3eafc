"""Which environment a scan inspects, decided before anything is read.

Order: ``--path DIR`` folders; else ``--python PATH``; else ``--conda-prefix PATH``;
else ``.venv``/``venv`` in the project; else a conda environment in the project
(``.pixi/envs/default``, the other ``.pixi/envs/*``, ``env``, ``.conda``); else an
active ``$VIRTUAL_ENV`` or ``$CONDA_PREFIX`` that is not dllicense's own installation;
else *no environment*. The interpreter dllicense runs in is never chosen implicitly: in
a pre-commit hook or a ``pipx`` install it holds dllicense's own packages, not the project's.

Standard library only: the result cache asks this on the hook's hot path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from dllicense.paths import resolve
from dllicense.records import frozen


@frozen
class EnvironmentChoice:
    """Which environment a scan inspects, decided before anything is read.

    ``kind``: "path" (``folders``), "python" (``python``), "venv" or "conda" (``root``).
    ``label`` names it in reports without revealing the machine's layout.
    """

    kind: str
    label: str
    root: Path | None = None
    python: str | None = None
    folders: tuple[Path, ...] = ()


@frozen
class Decision:
    """The chosen environment (None: none) and why an active one was passed over."""

    choice: EnvironmentChoice | None
    skipped: str = ""


def choose_environment(
    project: Path,
    python: str | None = None,
    paths: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    conda_prefix: str | None = None,
) -> Decision:
    """Decide which environment to inspect (the one place this order is written)."""
    environ = os.environ if environ is None else environ
    if paths:
        folders = tuple(Path(p) for p in paths)
        label = ", ".join(short_label(f) if f.is_absolute() else str(f) for f in folders)
        return Decision(EnvironmentChoice("path", f"--path {label}", folders=folders))
    if python:
        return Decision(EnvironmentChoice("python", f"--python {Path(python).name}", python=python))
    if conda_prefix:
        root = Path(conda_prefix)
        label = f"--conda-prefix {short_label(root) if root.is_absolute() else root}"
        return Decision(EnvironmentChoice("conda", label, root=root))
    for name in (".venv", "venv"):
        if (project / name / "pyvenv.cfg").is_file():
            return Decision(EnvironmentChoice("venv", name, root=project / name))
    for name in project_conda_prefixes(project):
        return Decision(EnvironmentChoice("conda", name, root=project / name))
    skipped = []
    for variable, kind in (("VIRTUAL_ENV", "venv"), ("CONDA_PREFIX", "conda")):
        active = environ.get(variable, "")
        if not active:
            continue
        root = Path(active)
        marker = root / ("pyvenv.cfg" if kind == "venv" else "conda-meta")
        if not (marker.is_file() if kind == "venv" else marker.is_dir()):
            continue
        if _is_own(root):
            skipped.append(
                f"${variable} is dllicense's own environment, not the project's "
                f"(pass --python {short_label(root)}/bin/python to scan it)"
            )
            continue
        return Decision(EnvironmentChoice(kind, f"${variable}", root=root), "; ".join(skipped))
    return Decision(None, "; ".join(skipped))


def project_conda_prefixes(project: Path) -> list[str]:
    """Conda environments inside the project, in order: pixi's (``default`` first), ``env``,
    ``.conda`` (each a folder with ``conda-meta``)."""
    names = []
    try:
        pixi = sorted(p.name for p in (project / ".pixi" / "envs").iterdir())
    except OSError:
        pixi = []
    pixi.sort(key=lambda n: n != "default")
    names += [f".pixi/envs/{n}" for n in pixi]
    names += ["env", ".conda"]
    return [n for n in names if (project / n / "conda-meta").is_dir()]


def _is_own(root: Path) -> bool:
    """Is ``root`` the installation dllicense itself runs from?"""
    try:
        return resolve(root) == resolve(Path(sys.prefix))
    except OSError:
        return False


def short_label(path: Path) -> str:
    """A label for a folder that does not reveal the machine's layout."""
    return "/".join(path.parts[-3:])
