"""Wheels read over range requests with ``zipfile`` (``index_wheel``): ZIP64 end records,
hostile directories and members, the download bound, and how many requests it takes.

Every wheel here is the real ``six-1.17.0-py2.py3-none-any.whl`` of
``tests/fixtures/wheels`` (from PyPI), rewritten by the test as described."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from dllicense.collect import index_wheel
from dllicense.collect.files import find_license_files
from dllicense.collect.index import IndexOptions, fetch_distribution
from dllicense.models import Distribution, Problem
from tests.index.server import FIXTURES, INDEX, RecordedIndex

Serve = Callable[..., RecordedIndex]
SIX = FIXTURES / "wheels" / "six-1.17.0-py2.py3-none-any.whl"
NAME = SIX.name
METADATA = "six-1.17.0.dist-info/METADATA"


def rebuild(
    first: tuple[str, bytes] | None = None,
    replace: dict[str, tuple[bytes, int]] | None = None,
) -> bytes:
    """six's wheel written anew: ``first`` member in front, members' (content, method) replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(SIX) as old, zipfile.ZipFile(buffer, "w") as new:
        if first is not None:
            new.writestr(first[0], first[1], zipfile.ZIP_STORED)
        for info in old.infolist():
            content, method = (replace or {}).get(
                info.filename, (old.read(info), info.compress_type)
            )
            new.writestr(zipfile.ZipInfo(info.filename, info.date_time), content, method)
    return buffer.getvalue()


def zip64(data: bytes) -> bytes:
    """``data`` with ZIP64 end records: the classic end record says "see ZIP64" (0xFFFF...)."""
    eocd = data.rindex(b"PK\x05\x06")
    _, _, _, _, count, cd_size, cd_offset, _ = struct.unpack("<4s4H2LH", data[eocd : eocd + 22])
    record = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, cd_size, cd_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, eocd, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:eocd] + record + locator + end


def patch_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` with member ``name``'s uncompressed size set to ``size`` in both headers."""
    out = bytearray(data)
    raw = name.encode()
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        name_len = struct.unpack("<H", out[pos + 28 : pos + 30])[0]
        if out[pos + 46 : pos + 46 + name_len] == raw:
            struct.pack_into("<L", out, pos + 24, size)
            (local,) = struct.unpack("<L", out[pos + 42 : pos + 46])
            struct.pack_into("<L", out, local + 22, size)
        pos += 4
    return bytes(out)


def served(serve: Serve, wheel: bytes, sized: bool = True) -> RecordedIndex:
    """An index whose six page lists ``wheel`` only, without metadata file or JSON API."""
    page = json.loads((INDEX / "simple" / "six.json").read_text("utf-8"))
    page["files"] = [f for f in page["files"] if f["filename"] == NAME]
    for item in page["files"]:
        item["url"] = "/packages/x/" + NAME
        item.pop("hashes", None)
        item.pop("size", None)
        if sized:
            item["size"] = len(wheel)
    return serve(
        core_metadata=False,
        project_json=False,
        version_json=False,
        override={"/simple/six/": json.dumps(page).encode()},
        wheels={NAME: wheel},
    )


def fetch(server: RecordedIndex, tmp_path: Path, files: bool = True) -> Distribution | Problem:
    options = IndexOptions(
        index_url=server.index_url, cache_dir=tmp_path, timeout=5.0, backoff=0.01, fetch_files=files
    )
    return fetch_distribution("six", "1.17.0", options)


def expect_six(dist: Distribution | Problem) -> None:
    assert isinstance(dist, Distribution), dist
    with zipfile.ZipFile(SIX) as wheel:
        assert (Path(dist.path) / "METADATA").read_bytes() == wheel.read(METADATA)
        licence = wheel.read("six-1.17.0.dist-info/LICENSE")
    files, _ = find_license_files(dist)
    assert [f.relpath for f in files] == ["LICENSE"]
    assert files[0].data == licence
    assert dist.location == "index:range" and not dist.problems


@pytest.mark.parametrize("sized", [True, False])
def test_zip64_end_records(serve: Serve, tmp_path: Path, sized: bool) -> None:
    data = zip64(SIX.read_bytes())
    with zipfile.ZipFile(io.BytesIO(data)) as check, zipfile.ZipFile(SIX) as wheel:
        assert check.read(METADATA) == wheel.read(METADATA)  # a valid zip, through ZIP64
    server = served(serve, data, sized)
    expect_six(fetch(server, tmp_path))
    assert len(server.paths("/packages/")) == 1


def test_a_big_wheel_is_read_in_part_in_one_request(serve: Serve, tmp_path: Path) -> None:
    data = rebuild(first=("six/padding.bin", bytes(range(256)) * 8192))  # 2 MiB stored in front
    server = served(serve, data)
    expect_six(fetch(server, tmp_path))
    assert len(server.paths("/packages/")) == 1  # the tail holds directory and dist-info
    assert server.wheel_bytes() <= index_wheel.TAIL < len(data) / 10


def test_a_metadata_bomb_is_refused_before_it_is_read(serve: Serve, tmp_path: Path) -> None:
    bomb = b"Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\n" + b" " * (32 << 20)
    data = rebuild(replace={METADATA: (bomb, zipfile.ZIP_DEFLATED)})
    assert len(data) < 100_000
    server = served(serve, data)
    result = fetch(server, tmp_path, files=False)
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "METADATA is over the size limit" in result.message
    assert server.wheel_bytes() <= len(data)


def test_a_member_larger_than_its_declared_size_fails_its_crc(serve: Serve, tmp_path: Path) -> None:
    big = b"Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\n" + b" " * (8 << 20)
    data = patch_size(rebuild(replace={METADATA: (big, zipfile.ZIP_DEFLATED)}), METADATA, 100)
    server = served(serve, data)
    result = fetch(server, tmp_path, files=False)
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "CRC" in result.message


def test_only_stored_and_deflated_members_are_read(serve: Serve, tmp_path: Path) -> None:
    with zipfile.ZipFile(SIX) as wheel:
        metadata = wheel.read(METADATA)
    server = served(serve, rebuild(replace={METADATA: (metadata, zipfile.ZIP_BZIP2)}))
    result = fetch(server, tmp_path, files=False)
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "unsupported compression method 12" in result.message


@pytest.mark.parametrize(
    ("cd_size", "cd_offset"),
    [(0x7FFFFFFF, 0), (0x7FFFFFFF, 0x7FFFFFFF), (100, 0x7FFFFFF0), (0, 0)],
    ids=["size-too-big", "both-too-big", "offset-beyond", "empty"],
)
def test_a_hostile_central_directory_is_a_finding_and_costs_one_read(
    serve: Serve, tmp_path: Path, cd_size: int, cd_offset: int
) -> None:
    data = bytearray(SIX.read_bytes())
    eocd = data.rindex(b"PK\x05\x06")
    struct.pack_into("<2L", data, eocd + 12, cd_size, cd_offset)
    server = served(serve, bytes(data))
    result = fetch(server, tmp_path)
    assert isinstance(result, Problem) and result.code == "DL122", result
    assert len(server.paths("/packages/")) <= 1 and server.wheel_bytes() <= len(data)


def test_the_download_bound_holds_for_one_wheel(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = rebuild(first=("six/padding.bin", bytes(range(256)) * 8192))
    many = rebuild(
        first=("six/padding.bin", bytes(range(256)) * 8192),
        replace={"six-1.17.0.dist-info/LICENSE": (bytes(200_000), zipfile.ZIP_STORED)},
    )
    monkeypatch.setattr(index_wheel, "DOWNLOAD_LIMIT", index_wheel.TAIL + 10_000)
    assert isinstance(fetch(served(serve, data), tmp_path / "a"), Distribution)  # all in the tail
    server = served(serve, many)
    result = fetch(server, tmp_path / "b")
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "needs more than" in result.message
    assert server.wheel_bytes() <= index_wheel.TAIL + 10_000
