"""Fixtures for the checkout corpus: each checkout's recorded index served on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.index.server import Behaviour, RecordedIndex

CHECKOUTS = Path(__file__).parents[1] / "fixtures" / "checkouts"
# What a checkout folder holds besides the project's own files.
CORPUS_FILES = ("SOURCE.md", "index")


def project_files(checkout: Path) -> list[Path]:
    """The files copied from the project (not SOURCE.md, the oracles or the index)."""
    return sorted(
        p
        for p in checkout.rglob("*")
        if p.is_file()
        and p.relative_to(checkout).parts[0] not in CORPUS_FILES
        and not p.name.startswith("expected-")
    )


def copy_checkout(slug: str, dest: Path) -> Path:
    """A fresh copy of checkout ``slug``'s project files under ``dest`` (no corpus files)."""
    source = CHECKOUTS / slug
    root = dest / slug
    root.mkdir(parents=True)
    for path in project_files(source):
        target = root / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


@pytest.fixture(autouse=True)
def _no_user_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No netrc, pip configuration, index or proxy of this machine reaches the scan."""
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    for var in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
        monkeypatch.delenv(var, raising=False)
    for proxy in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):  # 127.0.0.1, directly
        monkeypatch.delenv(proxy, raising=False)
        monkeypatch.delenv(proxy.upper(), raising=False)


@pytest.fixture
def serve_checkout() -> Iterator[Callable[..., RecordedIndex]]:
    """``serve_checkout(slug, **behaviour)`` serves that checkout's recorded index."""
    started: list[RecordedIndex] = []

    def start(slug: str, **behaviour: object) -> RecordedIndex:
        server = RecordedIndex(Behaviour(**behaviour), root=CHECKOUTS / slug / "index")  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
