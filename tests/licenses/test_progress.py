"""The terminal sees what the engine is doing: an announcement, then a progress bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.collect import collect
from dllicense.discover.distributions import read_distribution
from dllicense.licenses.identify import identify_texts
from dllicense.models import Distribution
from tests.conftest import DISTS

pytestmark = pytest.mark.slow


def test_engine_progress_messages(tmp_path: Path) -> None:
    [folder] = (DISTS / "chainer-7.8.1").glob("*.dist-info")
    dist = read_distribution(folder, "site")
    assert isinstance(dist, Distribution)
    messages: list[str] = []
    items, missing = identify_texts([collect(dist)], "all", tmp_path, True, messages.append)
    assert missing == 0
    assert [e.expression for e in items[0].evidence if e.kind == "license-file"] == ["MIT"]
    assert messages[0].startswith("identifying 1 new licence text(s) with scancode-toolkit")
    assert messages[-1] == "identifying licence texts [####################] 1/1"
    # a second scan answers from the cache: no engine, no messages
    again: list[str] = []
    identify_texts([collect(dist)], "all", tmp_path, True, again.append)
    assert again == []
