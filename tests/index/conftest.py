"""Fixtures for the index client: a recorded index on 127.0.0.1; no user netrc, pip
configuration, index or proxy."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.index.server import INDEX, Behaviour, RecordedIndex


@pytest.fixture(autouse=True)
def _no_user_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    no_pip_config(monkeypatch)
    for proxy in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):  # 127.0.0.1, directly
        monkeypatch.delenv(proxy, raising=False)
        monkeypatch.delenv(proxy.upper(), raising=False)


def no_pip_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pip configuration file and no PIP_* index setting of this machine."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def serve() -> Iterator[Callable[..., RecordedIndex]]:
    """``serve(**behaviour)`` starts a recorded index (``root``: another recorded folder than
    the default one); every one is stopped after the test."""
    started: list[RecordedIndex] = []

    def start(root: Path = INDEX, **behaviour: object) -> RecordedIndex:
        server = RecordedIndex(Behaviour(**behaviour), root)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def own_temp_folder(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """A temporary index folder of this test's own (``--no-cache`` entries): the process's
    is shared by every test; removed after the test."""
    import shutil

    from dllicense.collect import index_cache

    roots: list[Path] = []
    monkeypatch.setattr(index_cache, "_temp_roots", roots)
    yield roots
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)


def environment_checkout(fixture: Path, root: Path, text: str | None = None) -> Path:
    """``root`` holding a copy of ``fixture``'s environment.yaml alone (not its SOURCE.md,
    oracle or index), or ``text`` as that file."""
    root.mkdir()
    if text is None:
        shutil.copy(fixture / "environment.yaml", root / "environment.yaml")
    else:
        (root / "environment.yaml").write_text(text, "utf-8")
    return root
