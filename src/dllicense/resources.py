"""Locate data shipped with the package (``policies/``, ``reports/``).

In a wheel they live in ``dllicense/_data/``; in a source checkout (editable
install) they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder of shipped data ``name`` ("policies" or "reports")."""
    inside = _PACKAGE / "_data" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent.parent / name
