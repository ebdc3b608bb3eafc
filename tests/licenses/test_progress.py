"""The terminal sees what the engine is doing: an announcement, then progress steps (typed
``Progress`` events the CLI draws as a bar)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dllicense.classify.texts import identify_texts
from dllicense.cli.scan import progress_line
from dllicense.collect import collect
from dllicense.discover.distributions import read_distribution
from dllicense.models import Distribution, Progress
from tests.conftest import DISTS

pytestmark = pytest.mark.slow


def test_engine_progress_messages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(DISTS / "chainer-7.8.1", site)
    [folder] = site.glob("*.dist-info")
    licence = folder / "licenses" / "LICENSE"
    # a copyright line of our own and one more blank line before the permission notice: this
    # text is in no shipped table and fits no template (their line structure is kept), so
    # the engine runs
    text = licence.read_bytes().replace(b"Preferred Networks", b"dllicense tests")
    licence.write_bytes(text.replace(b"Permission is hereby", b"\nPermission is hereby", 1))
    dist = read_distribution(folder, "site")
    assert isinstance(dist, Distribution)
    messages: list[str | Progress] = []
    items, missing = identify_texts([collect(dist)], "all", tmp_path, True, messages.append)
    assert missing == 0
    assert [e.expression for e in items[0].evidence if e.kind == "license-file"] == ["MIT"]
    first, *_, last = messages
    assert isinstance(first, str)
    assert first.startswith("identifying 1 new licence text(s) with scancode-toolkit")
    assert last == Progress("identifying licence texts", 1, 1)
    assert progress_line(last) == "identifying licence texts [####################] 1/1"
    # a second scan answers from the cache: no engine, no messages
    again: list[str | Progress] = []
    identify_texts([collect(dist)], "all", tmp_path, True, again.append)
    assert again == []
