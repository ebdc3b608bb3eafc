"""Marker evaluation for one target and for every target; the target from the options."""

from __future__ import annotations

import pytest

from dllicense.discover.locks.markers import applies
from dllicense.errors import UsageError
from dllicense.resolve.lockgraph import target_markers

# markers as the fixture locks write them
PY_LT_310 = "python_full_version < '3.10'"
PDM_39 = 'python_version < "3.10" and python_version >= "3.9"'
POETRY_EXTRA = 'python_version >= "3.10" and extra == "detect"'
WINDOWS = "sys_platform == 'win32'"
BROTLI = 'platform_python_implementation == "CPython"'


def test_target_markers() -> None:
    t = target_markers(None, "3.9", "win32")
    assert (t["python_version"], t["python_full_version"]) == ("3.9", "3.9.0")
    assert (t["sys_platform"], t["platform_system"], t["os_name"]) == ("win32", "Windows", "nt")
    mac = target_markers({"platform_machine": "x86_64", "python_version": "3.12"}, None, "darwin")
    assert (mac["sys_platform"], mac["platform_machine"], mac["python_version"]) == (
        "darwin",
        "x86_64",
        "3.12",
    )
    assert target_markers(None, "3.13.1", None)["python_full_version"] == "3.13.1"


@pytest.mark.parametrize(("version", "platform"), [("3", None), ("py3.9", None), (None, "beos")])
def test_bad_targets_are_usage_errors(version: str | None, platform: str | None) -> None:
    with pytest.raises(UsageError):
        target_markers(None, version, platform)


def test_markers_for_one_target() -> None:
    py39, py311 = target_markers(None, "3.9", "linux"), target_markers(None, "3.11", "linux")
    win = target_markers(None, "3.11", "win32")
    assert applies(PY_LT_310, py39) and not applies(PY_LT_310, py311)
    assert applies(PDM_39, py39) and not applies(PDM_39, py311)
    assert applies(WINDOWS, win) and not applies(WINDOWS, py311)
    assert not applies(POETRY_EXTRA, py311)  # no extra asked for
    assert applies(POETRY_EXTRA, py311, frozenset({"detect"}))
    # a package's own marker: for whichever of the extras the lock and the project name
    named = frozenset({"detect", "docs"})
    assert applies(POETRY_EXTRA, py311, named)
    assert not applies(POETRY_EXTRA, py39, named)


def test_markers_for_every_target() -> None:
    assert applies(PY_LT_310, None) and applies(WINDOWS, None) and applies(BROTLI, None)
    assert not applies(POETRY_EXTRA, None)
    assert applies(POETRY_EXTRA, None, frozenset({"detect"}))


def test_pep_751_extras_and_dependency_groups() -> None:
    marker = "'detect' in extras or 'dev' in dependency_groups"
    t = target_markers(None, "3.11", "linux")
    assert not applies(marker, t)
    assert applies(marker, t, frozenset({"detect"}))
    assert applies(marker, t, frozenset(), frozenset({"dev"}))
    assert applies("'dev' not in dependency_groups", t)


def test_unparsable_markers_keep_the_package() -> None:
    assert applies("python_version >>> '3'", target_markers(None, "3.11", "linux"))


def test_any_target_is_one_of_the_representative_targets() -> None:
    """ "Any target" holds when one real target holds it: a marker no platform or Python
    satisfies is false, old and new Pythons and every implementation count."""
    assert not applies("sys_platform == 'win32' and sys_platform == 'linux'", None)
    assert not applies("python_version < '3.8' and python_version >= '3.9'", None)
    assert applies("python_version < '3.0'", None)  # 2.7
    assert applies("python_version >= '3.15'", None)
    assert applies("implementation_name == 'pypy' and platform_machine == 'aarch64'", None)
    assert applies("platform_system == 'Darwin' and platform_machine == 'arm64'", None)


def test_markers_use_packaging_public_api_only() -> None:
    from pathlib import Path

    import dllicense.discover.locks.markers as module

    source = Path(module.__file__).read_text("utf-8")
    assert "._markers" not in source and "_parser" not in source
