"""Metadata read straight from the wheels a lock names (uv.lock, pylock.toml), without the
simple page; the page whenever that fails. Real locks made by uv, served by the test index."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dllicense.collect.files import find_license_files
from dllicense.collect.index import IndexClient, IndexOptions
from dllicense.discover.locks import read_lock
from dllicense.discover.locks.common import locked_wheels
from dllicense.models import Distribution, LockedWheel, Problem
from dllicense.pipeline import ScanOptions, scan
from tests.index.server import INDEX, PYPI_FILES, RecordedIndex

Serve = Callable[..., RecordedIndex]
LOCKED = INDEX / "locked"
PYPI = "https://pypi.org/simple"
SIX_WHEEL = (
    "/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/"
    "six-1.17.0-py2.py3-none-any.whl"
)
SIX_SHA256 = "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"


def client(server: RecordedIndex, tmp_path: Path, **kw: object) -> IndexClient:
    return IndexClient(
        IndexOptions(server.index_url, tmp_path, timeout=5.0, backoff=0.01, **kw)  # type: ignore[arg-type]
    )


def six_wheel(server: RecordedIndex, path: str = SIX_WHEEL) -> tuple[LockedWheel, ...]:
    return (LockedWheel(server.url + path, (("sha256", SIX_SHA256),), 11050),)


def fetched(result: Distribution | Problem) -> Distribution:
    assert isinstance(result, Distribution), result
    return result


# -- the readers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lock", ["uv.lock", "pylock.toml"])
def test_the_readers_keep_the_wheels_of_each_package(lock: str) -> None:
    found = read_lock(LOCKED / lock, LOCKED)
    assert not found.problems
    wheels = {p.name: p.wheels for p in found.packages}
    assert wheels["six"] == (LockedWheel(PYPI_FILES + SIX_WHEEL, (("sha256", SIX_SHA256),), 11050),)
    assert [w.url.rsplit("/", 1)[1] for w in wheels["text-unidecode"]] == [
        "text_unidecode-1.3-py2.py3-none-any.whl"
    ]


def test_local_wheels_and_odd_entries_are_left_out() -> None:
    found = locked_wheels(
        [
            {"path": "dist/x-1-py3-none-any.whl"},
            {"url": "file:///tmp/x-1-py3-none-any.whl"},
            {"url": "https://h/x-1-py3-none-any.whl", "hash": "sha256:NOT-HEX", "size": -1},
            "not a table",
        ]
    )
    assert found == (LockedWheel("https://h/x-1-py3-none-any.whl"),)


# -- the client ----------------------------------------------------------------------------------


def test_the_lock_wheels_metadata_file_without_the_page(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    dist = fetched(
        client(server, tmp_path).fetch("six", "1.17.0", server.index_url, six_wheel(server))
    )
    assert dist.location == "index:pep658" and dist.license == "MIT"
    assert server.paths() == [SIX_WHEEL + ".metadata"]


def test_no_metadata_file_reads_the_lock_wheel_by_ranges(serve: Serve, tmp_path: Path) -> None:
    server = serve(core_metadata=False)
    dist = fetched(
        client(server, tmp_path).fetch("six", "1.17.0", server.index_url, six_wheel(server))
    )
    assert dist.location == "index:range" and dist.license == "MIT"
    assert not server.paths("/simple/")


def test_fetch_files_reads_the_lock_wheels_licence(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    got = client(server, tmp_path, fetch_files=True).fetch(
        "six", "1.17.0", server.index_url, six_wheel(server)
    )
    dist = fetched(got)
    assert dist.location == "index:pep658" and dist.files_read
    assert [f.relpath for f in find_license_files(dist)[0]] == ["LICENSE"]
    assert not server.paths("/simple/")


def test_a_wheel_the_server_does_not_have_falls_back_to_the_page(
    serve: Serve, tmp_path: Path
) -> None:
    server = serve()
    gone = six_wheel(server, "/packages/00/00/six-1.17.0-py3-none-any.whl")  # not there
    dist = fetched(client(server, tmp_path).fetch("six", "1.17.0", server.index_url, gone))
    assert dist.location == "index:pep658"
    assert server.paths("/simple/") == ["/simple/six/"]
    assert server.paths("/packages/")[-1] == SIX_WHEEL + ".metadata"  # the page's URL


def test_metadata_of_another_project_is_not_taken(serve: Serve, tmp_path: Path) -> None:
    keras = (INDEX / "metadata" / "keras-3.15.1-py3-none-any.whl.metadata").read_bytes()
    server = serve(override={SIX_WHEEL + ".metadata": keras})
    dist = fetched(
        client(server, tmp_path).fetch("six", "1.17.0", server.index_url, six_wheel(server))
    )
    # the page's hash refuses the same file again (DL123); the wheel itself is read
    assert (dist.name, dist.location, dist.license) == ("six", "index:range", "MIT")
    assert server.paths("/simple/") == ["/simple/six/"]


def test_a_failed_entry_without_a_cache_removes_only_its_own_folder(
    serve: Serve, tmp_path: Path, own_temp_folder: list[Path]
) -> None:
    """Without a cache each dist-info is made right in the shared temporary folder; the
    lock's metadata file naming another project is refused and its dist-info removed, not
    the folder holding the other packages' (then the page path reads six)."""
    keras = (INDEX / "metadata" / "keras-3.15.1-py3-none-any.whl.metadata").read_bytes()
    server = serve(override={SIX_WHEEL + ".metadata": keras})
    index = client(server, tmp_path, use_cache=False)
    first = fetched(index.fetch("text-unidecode", "1.3"))
    dist = fetched(index.fetch("six", "1.17.0", server.index_url, six_wheel(server)))
    assert (dist.name, dist.location) == ("six", "index:range")
    assert Path(first.path).is_dir() and Path(dist.path).parent == Path(first.path).parent
    assert own_temp_folder == [Path(first.path).parent]
    assert server.paths()[2:4] == [SIX_WHEEL + ".metadata", "/simple/six/"]  # refused: the page


def test_a_wheel_of_another_version_is_not_used(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    other = (LockedWheel(server.url + "/packages/x/six-1.16.0-py2.py3-none-any.whl"),)
    dist = fetched(client(server, tmp_path).fetch("six", "1.17.0", server.index_url, other))
    assert dist.location == "index:pep658"
    assert server.paths() == ["/simple/six/", SIX_WHEEL + ".metadata"]


def test_a_page_at_hand_checks_the_metadata_hash(serve: Serve, tmp_path: Path) -> None:
    server = serve(tamper={"six-1.17.0-py2.py3-none-any.whl.metadata"})
    index = client(server, tmp_path)
    assert index.best_version("six") == "1.17.0"  # the page is now known
    dist = fetched(index.fetch("six", "1.17.0", server.index_url, six_wheel(server)))
    assert dist.location == "index:range" and dist.license == "MIT"
    assert [p.code for p in dist.problems] == ["DL123"]


def test_a_configured_mirror_is_not_bypassed(serve: Serve, tmp_path: Path) -> None:
    files = serve()
    mirror = serve(files_base=files.url)
    dist = fetched(client(mirror, tmp_path).fetch("six", "1.17.0", PYPI, six_wheel(files)))
    assert dist.location == "index:pep658"
    assert mirror.paths() == ["/simple/six/"]  # the page of the mirror, then its file URL
    assert files.paths() == [SIX_WHEEL + ".metadata"]


# -- a scan ----------------------------------------------------------------------------------------


def locked_project(tmp_path: Path, lock: str, server: RecordedIndex) -> tuple[Path, Path]:
    root = tmp_path / "proj"
    root.mkdir()
    shutil.copy(LOCKED / "pyproject.toml", root)
    text = (LOCKED / lock).read_text("utf-8")
    text = text.replace(PYPI, server.index_url).replace(PYPI_FILES, server.url)
    (root / lock).write_text(text, "utf-8")
    empty = tmp_path / "site-packages"
    empty.mkdir()
    return root, empty


@pytest.mark.parametrize("lock", ["uv.lock", "pylock.toml"])
def test_online_scan_of_a_lock_asks_for_no_page(serve: Serve, tmp_path: Path, lock: str) -> None:
    server = serve()
    root, empty = locked_project(tmp_path, lock, server)
    result = scan(
        ScanOptions(
            project=root,
            paths=(str(empty),),
            online=True,
            index_url=server.index_url,
            cache_dir=tmp_path / "cache",
            texts="none",
        )
    )
    found = {p.node.name: p for p in result.packages}
    assert set(found) == {"six", "text-unidecode"}
    assert found["six"].verdict.expression == "MIT"
    assert not server.paths("/simple/")
    assert sorted(server.paths()) == sorted(
        p for p in server.paths() if p.endswith(".whl.metadata")
    )
    assert len(server.paths()) == 2
    entries = [json.loads(e.read_text("utf-8")) for e in tmp_path.glob("cache/index/*/entry.json")]
    assert sorted((e["dist_info"], e["path"]) for e in entries) == [
        ("six-1.17.0.dist-info", "pep658"),
        ("text_unidecode-1.3.dist-info", "pep658"),
    ]


LOCKS = [
    Path(__file__).parents[1] / "fixtures" / "checkouts" / "outlines-uv" / "uv.lock",
    Path(__file__).parents[2] / "bench" / "checkouts" / "energon-uv" / "uv.lock",
]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.parent.name)
def test_the_best_locked_wheel_is_the_one_a_full_parse_ranks_first(lock: Path) -> None:
    """``best_wheel`` (ranked by the cached tag part, then parsed until one is of the
    version) picks what parsing every file name and ``min(wheel_rank)`` picks, on every
    package of two real uv.locks (2,400 wheels), and ``url_file_name``'s shortcut gives
    what ``urlsplit`` + ``PurePosixPath`` + ``unquote`` give."""
    from pathlib import PurePosixPath
    from urllib.parse import unquote, urlsplit

    from dllicense.collect.index_pages import IndexFile
    from dllicense.collect.index_select import best_wheel, same_version, url_file_name, wheel_rank

    packages = read_lock(lock, lock.parent).packages
    checked = 0
    for package in packages:
        files = [IndexFile(url_file_name(w.url), w.url, core_metadata=True) for w in package.wheels]
        for f in files:
            assert f.filename == unquote(PurePosixPath(urlsplit(f.url).path).name)
        mine = [f for f in files if same_version(package.name, f.filename, package.version)]
        expected = min(mine, key=wheel_rank) if mine else None
        assert best_wheel(package.name, package.version, files) == expected
        checked += len(files)
        # another version's wheels are never picked
        assert best_wheel(package.name, package.version + ".1", files) is None
    assert checked > 400


@pytest.mark.parametrize(
    "url",
    [
        "https://h/p/a-1.0-py3-none-any.whl",
        "https://h/p/a%2Db-1.0-py3-none-any.whl",
        "https://h/p/a-1.0-py3-none-any.whl#sha256=00",
        "https://h/p/a-1.0-py3-none-any.whl?x=1",
        "https://h/p/a-1.0-py3-none-any.whl/",
        "https://h/p/./a-1.0-py3-none-any.whl",
        "https://a-1.0-py3-none-any.whl",
        "https://[::1]/a-1.0-py3-none-any.whl",
        "https://h//a-1.0-py3-none-any.whl",
        "file:///w/a-1.0-py3-none-any.whl",
        "a-1.0-py3-none-any.whl",
        "https://h/p/a 1.0-py3-none-any.whl",
    ],
)
def test_url_file_name_is_the_last_path_segment_unquoted(url: str) -> None:
    from pathlib import PurePosixPath
    from urllib.parse import unquote, urlsplit

    from dllicense.collect.index_select import url_file_name

    assert url_file_name(url) == unquote(PurePosixPath(urlsplit(url).path).name)


def _rank_by_parse_tag(tag_part: str) -> tuple[bool, int]:
    """What ``_tags_rank`` answered before it stopped making ``Tag`` objects."""
    from packaging.tags import parse_tag

    from dllicense.collect.index_select import _tag_order

    tags = parse_tag(tag_part)
    pure = any(
        t.abi == "none" and t.platform == "any" and t.interpreter.startswith("py3") for t in tags
    )
    order = _tag_order()
    return not pure, min((order[t] for t in tags if t in order), default=len(order))


def test_tag_ranks_are_parse_tags_on_every_wheel_of_two_locks() -> None:
    """The string-keyed ranking equals ranking the ``Tag`` set ``parse_tag`` makes, on the
    540+ distinct tag sets of two real uv.locks and odd ones (case, compressed, not a tag)."""
    from packaging.tags import sys_tags

    from dllicense.collect.index_select import _tag_part, _tags_rank, url_file_name

    parts = {
        _tag_part(url_file_name(w.url))
        for lock in LOCKS
        for p in read_lock(lock, lock.parent).packages
        for w in p.wheels
    }
    here = next(iter(sys_tags()))
    odd = {
        "PY3-NONE-ANY",
        "py2.py3-none-any",
        "cp311-abi3.none-manylinux_2_17_x86_64.manylinux2014_x86_64.ANY",
        f"{here.interpreter.upper()}-{here.abi}-{here.platform}",
        "py3-none",
        "a-b-c-d",
        "",
    }
    assert len(parts) > 500
    ranks = set()
    for part in sorted(parts | odd):
        try:
            expected: tuple[bool, int] | type[ValueError] = _rank_by_parse_tag(part)
        except ValueError:
            expected = ValueError
        try:
            got: tuple[bool, int] | type[ValueError] = _tags_rank(part)
        except ValueError:
            got = ValueError
        assert got == expected, part
        ranks.add(got)
    assert len(ranks) > 20  # the sets do rank differently here


def _wheels_as_before(value: object) -> tuple[LockedWheel, ...]:
    """``locked_wheels`` before its shortcut for uv's single ``hash`` (every entry sorted)."""
    import re

    out = []
    for raw in value if isinstance(value, list) else []:
        entry = raw if isinstance(raw, dict) else {}
        url = entry.get("url") if isinstance(entry.get("url"), str) else ""
        url = url.strip()
        if not url.lower().startswith(("https://", "http://")):
            continue
        given = entry.get("hash")
        algo, _, digest = (given if isinstance(given, str) else "").lower().partition(":")
        more = entry.get("hashes")
        pairs = [(algo, digest)]
        pairs += [
            (a.lower() if isinstance(a, str) else "", d.lower() if isinstance(d, str) else "")
            for a, d in (more if isinstance(more, dict) else {}).items()
        ]
        hashes = tuple(sorted((a, d) for a, d in pairs if a and re.fullmatch("[0-9a-f]+", d)))
        size = entry.get("size")
        out.append(LockedWheel(url, hashes, size if isinstance(size, int) and size > 0 else None))
    return tuple(out)


def test_locked_wheels_reads_every_entry_as_before() -> None:
    """The wheels of two real uv.locks, the pylock.toml fixtures and odd entries (both
    hash forms, upper case, a non-table ``hashes``, HTTP in capitals) read as before."""
    from dllicense.tomlfile import parse_toml

    lists = [
        p.get("wheels")
        for path in [*LOCKS, *Path(__file__).parents[1].glob("fixtures/**/pylock*.toml")]
        for p in parse_toml(path.read_text("utf-8")).get("packages", [])
        + parse_toml(path.read_text("utf-8")).get("package", [])
    ]
    lists.append(
        [
            {"url": "HTTPS://h/a-1-py3-none-any.whl", "hash": "SHA256:AB", "size": 3},
            {"url": " http://h/a-1-py3-none-any.whl ", "hash": "sha256:ab", "hashes": "x"},
            {"url": "https://h/b.whl", "hash": "md5:00", "hashes": {"SHA256": "CD", "x": 1}},
            {"url": "https://h/c.whl", "hash": "sha256", "size": True},
            {"url": "https://h/d.whl", "hash": ":ab", "hashes": {}},
            {"url": "ftp://h/e.whl", "hash": "sha256:ab"},
        ]
    )
    assert sum(len(w) for w in lists if isinstance(w, list)) > 2000
    for wheels in lists:
        assert locked_wheels(wheels) == _wheels_as_before(wheels)
