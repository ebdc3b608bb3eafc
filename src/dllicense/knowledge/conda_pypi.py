"""Conda package names -> PyPI project names (``conda_pypi.json``).

The data is prefix.dev's parselmouth mapping for the ``conda-forge`` and ``pytorch``
channels (``scripts/gen_conda_pypi.py``; its source commit and date are in the file):
the PyPI distributions each conda package installs. A conda package that installs
none (``cudatoolkit``, ``mkl``, ``nccl``, ...) or that the mapping does not know has
no PyPI name.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.knowledge._resources import CONDA_PYPI_FILE, KnowledgeError, load_json

DEFAULT_CHANNEL = "conda-forge"


@cache
def _channels() -> Mapping[str, tuple[frozenset[str], Mapping[str, tuple[str, ...]]]]:
    channels = load_json(CONDA_PYPI_FILE).get("channels")
    if not isinstance(channels, dict) or DEFAULT_CHANNEL not in channels:
        raise KnowledgeError(f"{CONDA_PYPI_FILE}: missing channels.{DEFAULT_CHANNEL}")
    out = {}
    for channel, table in channels.items():
        same = table.get("same", []) if isinstance(table, dict) else None
        renamed = table.get("renamed", {}) if isinstance(table, dict) else None
        if not isinstance(same, list) or not isinstance(renamed, dict):
            raise KnowledgeError(f"{CONDA_PYPI_FILE}: channels.{channel} is malformed")
        out[str(channel)] = (
            frozenset(str(name) for name in same),
            {str(k): tuple(str(n) for n in v) for k, v in renamed.items()},
        )
    return out


def mapping_source() -> Mapping[str, Any]:
    """Where the mapping comes from: repository, commit, date, files, licence."""
    source = load_json(CONDA_PYPI_FILE).get("source")
    return source if isinstance(source, dict) else {}


def pypi_names(conda_name: str, channel: str | None = None) -> tuple[str, ...]:
    """Every PyPI project (PEP 503 name) the conda package installs; () when none is known.

    ``channel`` (``pytorch``, ``conda-forge``, ...) is looked up first, then conda-forge,
    then the other channels of the mapping.
    """
    wanted = conda_name.strip().lower()
    tables = _channels()
    order = [c for c in (channel or DEFAULT_CHANNEL, DEFAULT_CHANNEL) if c in tables]
    order += sorted(c for c in tables if c not in order)
    for name in dict.fromkeys(order):
        same, renamed = tables[name]
        if wanted in same:
            return (str(canonicalize_name(wanted)),)
        if wanted in renamed:
            return renamed[wanted]
    return ()


def pypi_name(conda_name: str, channel: str | None = None) -> str | None:
    """The PyPI project a conda package is (``pytorch`` -> ``torch``), or None.

    When the package installs several distributions, the one named like the conda
    package wins (``jaxlib``), else the first in name order (``py-opencv`` ->
    ``opencv-python``).
    """
    names = pypi_names(conda_name, channel)
    if not names:
        return None
    own = str(canonicalize_name(conda_name.strip()))
    return own if own in names else names[0]
