"""``read_bounded(..., listed=True)`` skips the ``stat`` a folder listing already answered,
but the open descriptor is still checked: a FIFO or a folder is never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dllicense.collect.files import _walk
from dllicense.readfile import NotRegularFile, read_bounded


def test_listed_regular_file_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "LICENSE"
    path.write_bytes(b"MIT License\n" * 3)
    assert read_bounded(path, 10, listed=True) == read_bounded(path, 10) == (b"MIT Licens", 36)


def test_listed_fifo_is_not_read_and_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "LICENSE"
    os.mkfifo(fifo)  # swapped in after a listing showed a regular file
    with pytest.raises(NotRegularFile):
        read_bounded(fifo, 100, listed=True)


def test_listed_folder_is_not_read(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFile):
        read_bounded(tmp_path, 100, listed=True)


def test_walk_marks_only_regular_files_as_plain(tmp_path: Path) -> None:
    licenses = tmp_path / "licenses"
    (licenses / "sub").mkdir(parents=True)
    (licenses / "LICENSE").write_text("x", encoding="utf-8")
    (licenses / "sub" / "NOTICE").write_text("y", encoding="utf-8")
    (licenses / "LINK").symlink_to(licenses / "LICENSE")
    plain: set[str] = set()
    found = _walk(str(tmp_path), "licenses", plain)
    assert found == ["licenses/LICENSE", "licenses/LINK", "licenses/sub/NOTICE"]
    assert plain == {"licenses/LICENSE", "licenses/sub/NOTICE"}


def test_equal_licence_texts_are_one_object(tmp_path: Path) -> None:
    from dllicense.collect import collect_all
    from dllicense.discover.distributions import read_distribution
    from dllicense.models import Distribution

    dists = []
    for name, text in (("a", "same text\n"), ("b", "same text\n"), ("c", "other text\n")):
        folder = tmp_path / f"{name}-1.0.dist-info"
        (folder / "licenses").mkdir(parents=True)
        (folder / "METADATA").write_text(
            f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0\nLicense-File: LICENSE\n",
            encoding="utf-8",
        )
        (folder / "licenses" / "LICENSE").write_text(text, encoding="utf-8")
        dist = read_distribution(folder, "site")
        assert isinstance(dist, Distribution)
        dists.append(dist)
    a, b, c = (item.files[0].data for item in collect_all(dists))
    assert a is b and a == b"same text\n" and c == b"other text\n"
