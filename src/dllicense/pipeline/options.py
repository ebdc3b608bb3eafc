"""The options of one scan (what the CLI passes to ``scan``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from pathlib import Path

from dllicense.models import (
    Progress,
)
from dllicense.records import frozen


@frozen
class ScanOptions:
    project: Path
    python: str | None = None
    paths: tuple[str, ...] = ()
    include_all: bool = False
    scopes: tuple[str, ...] = ()  # empty: the policy's scopes (default: runtime)
    policy: str | None = None
    severity: tuple[tuple[str, str], ...] = ()  # --warn/--deny: rule code -> severity
    # status lines and progress steps for a terminal; never stdout
    progress: Callable[[str | Progress], None] | None = None
    texts: str = "primary"  # none, primary, all
    cache_dir: Path | None = None
    use_cache: bool = True
    models: bool = False  # also the models and datasets the code loads (--models)
    online: bool = False  # read declared packages that are not installed from the index
    index_url: str | None = field(default=None, repr=False)  # may hold credentials
    fetch_files: bool = False  # with online: the wheels' licence files too
    lock: Path | None = None  # --lock FILE; else the project's lock file, if any
    no_lock: bool = False  # --no-lock: ignore lock files, resolve the installed environment
    python_version: str | None = None  # target of the lock's markers (X.Y)
    # where python_version comes from when the user gave none ("environment.yml: python=3.8")
    python_from: str = ""
    platform: str | None = None  # linux, darwin, win32
    all_targets: bool = False  # every locked version, for every target
    conda_prefix: str | None = None  # --conda-prefix PATH: a conda or pixi environment
    holders: bool = True  # detect the copyright holders of the texts (reports that show them)
