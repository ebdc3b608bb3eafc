"""Locate data shipped with the package (``policies/``, ``reports/``).

In a wheel they live in ``dllicense/_data/``; in a source checkout (editable
install) they are the repository's top-level folders.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder of shipped data ``name`` ("policies" or "reports")."""
    inside = _PACKAGE / "_data" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent.parent / name


def package_text(module_file: str, name: str) -> str:
    """The UTF-8 text of data file ``name`` ("/"-separated) shipped beside the module whose
    ``__file__`` is ``module_file``: dllicense's own data, never a scanned file.

    A plain ``open``: dllicense is installed as a folder (a wheel or a checkout, never a
    zip), and ``importlib.resources`` cost ~6 ms of every start-up (it imports zipfile,
    tempfile and shutil).
    """
    path = os.path.join(os.path.dirname(module_file), *name.split("/"))
    with open(path, encoding="utf-8") as handle:  # package data
        return handle.read()
