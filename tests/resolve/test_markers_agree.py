"""The environment walk and the lock walk evaluate markers the same way (issue 18: they
disagreed on ``python_version ~= "3"``, dropped in venv mode and kept in lock mode)."""

from __future__ import annotations

import pytest
from packaging.markers import Marker

from dllicense.discover.locks.markers import applies
from dllicense.resolve.graph import _Markers
from dllicense.resolve.lockgraph import target_markers

TARGET = target_markers(None, "3.11", "linux")


@pytest.mark.parametrize(
    "marker",
    [
        'python_version ~= "3"',  # not a valid compatible-release clause: kept by both
        'python_version >= "3.8"',
        'python_version < "3.8"',
        'sys_platform == "win32"',
        'platform_machine == "x86_64" and python_version >= "3.10"',
        'extra == "gpu"',
        'implementation_name == "pypy"',
        'python_full_version >= "3.11.0" or os_name == "nt"',
    ],
)
def test_both_walkers_agree(marker: str) -> None:
    venv = _Markers(dict(TARGET)).applies(Marker(marker), frozenset())
    lock = applies(marker, TARGET)
    assert venv == lock, marker
