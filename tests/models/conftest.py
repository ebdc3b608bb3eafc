"""Fixtures: the ml-app project copied to tmp and a Hugging Face cache built in tmp."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.models.cards import CACHE
from tests.models.hfcache import add_repo

ML_APP = Path(__file__).parent / "fixtures" / "ml-app"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the ml-app fixture (tests may add files; the fixture stays untouched)."""
    target = tmp_path / "ml-app"
    shutil.copytree(ML_APP, target)
    return target


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The published-shaped cards of ``cards.CACHE`` in a hub cache; HF_HUB_CACHE points to it."""
    cache = tmp_path / "hf-hub"
    for repo_id, (kind, files) in CACHE.items():
        add_repo(cache, repo_id, files, kind)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return cache


@pytest.fixture
def no_env(tmp_path: Path) -> Path:
    """An empty site-packages: scans see no installed distributions."""
    folder = tmp_path / "site-packages"
    folder.mkdir()
    return folder
