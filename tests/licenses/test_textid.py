"""Licence-text identification without running the engine: normalisation, the
shipped table, the cache (corruption, concurrency) and engine-absent behaviour."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from dllicense.licenses import textcache, textengine, textid

TEXTS = Path(__file__).parent / "texts"
MIT = (TEXTS / "MIT-attrs.txt").read_bytes()


def _table_texts() -> dict[str, dict[str, object]]:
    texts: dict[str, dict[str, object]] = textid.shipped_table()["texts"]
    return texts


def _fake_record(expression: str) -> str:
    match = [expression, 100.0, 1, 3, "x.RULE", "2-aho", 0]
    return json.dumps({"e": expression, "s": 100.0, "c": 1, "m": [match]})


# -- normalisation -----------------------------------------------------------------


def test_normalise_keeps_line_numbers_and_unifies_trivial_differences() -> None:
    original = b"MIT License\n\nCopyright (c) 2020 Someone\n\nPermission is hereby granted\n"
    variants = [
        original.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + original,  # BOM
        b"MIT License   \n\t\n  Copyright (c) 2020 Someone\n\nPermission is hereby granted\n\n\n",
        b"        ".join(original.splitlines(keepends=True)),  # folded METADATA header
    ]
    key = textid.text_key(original)
    for v in variants:
        assert textid.text_key(v) == key, v
    norm = textid.normalise_text(original)
    assert norm.splitlines()[2] == "Copyright (c) 2020 Someone"  # line 3 stays line 3
    assert textid.text_key(original + b"x") != key


def test_non_utf8_bytes_are_replaced_not_fatal() -> None:
    text = textid.normalise_text(b"Copyright \xff\xfe M\xfcller\nMIT")
    assert "\ufffd" in text
    assert text.endswith("MIT")


def test_engine_available_does_not_import_scancode() -> None:
    code = (
        "import sys; from dllicense.licenses import textid;"
        "print(textid.engine_available(), textid.engine_version() is not None,"
        " 'licensedcode' in sys.modules, 'scancode' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True", "False", "False"]


# -- the shipped table -------------------------------------------------------------


def test_shipped_table_is_generated_and_deterministic() -> None:
    table = textid.shipped_table()
    assert table["algorithm"] == textid.ALGORITHM
    assert str(table["engine"]).startswith("scancode-toolkit ")
    texts = _table_texts()
    assert len(texts) > 500
    assert list(texts) == sorted(texts)
    path = Path(textid.__file__).parent / "data" / "known_texts.json"
    assert path.stat().st_size < 1_100_000


def test_shipped_table_hit_never_imports_scancode(tmp_path: Path) -> None:
    """A first scan of texts the table knows does not load (or import) the engine."""
    assert textid.text_key(MIT) in _table_texts()
    code = f"""
import sys
from pathlib import Path
from dllicense.licenses import textid
ident = textid.TextIdentifier(Path({str(tmp_path)!r}), jobs=1)
texts = [Path({str(TEXTS / "MIT-attrs.txt")!r}).read_bytes()]
texts.append(texts[0].replace(b"\\n", b"\\r\\n"))
res = ident.identify_many(texts)
print([(r.expression, r.source, r.confident) for r in res])
print("licensedcode" in sys.modules, textid.engine_stats["texts"])
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["[('MIT', 'shipped-table', True), ('MIT', 'shipped-table', True)]", "False 0"]


def test_table_entries_decode_to_identifications() -> None:
    ident = textid.TextIdentifier(None, use_cache=False, jobs=1)
    (res,) = ident.identify_many([MIT])
    assert res is not None
    assert res.source == "shipped-table"
    assert res.expression == "MIT"
    assert res.engine.startswith("scancode-toolkit ")
    assert res.sha256 == hashlib.sha256(MIT).hexdigest()
    assert res.matches and all(m.key == "MIT" for m in res.matches)
    assert all(0 < m.score <= 100 and m.start_line <= m.end_line for m in res.matches)


# -- engine absent -------------------------------------------------------------------


def test_engine_absent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(textid, "engine_available", lambda: False)
    cached_text = b"Some licence text that only the cache knows\n"
    textcache.TextCache(tmp_path).put_many(
        [(textid.text_key(cached_text), _fake_record("Zlib"))], "scancode-toolkit 0.0 textid/0"
    )
    before = dict(textid.engine_stats)
    ident = textid.TextIdentifier(tmp_path, jobs=1)
    unknown = b"A text nobody has seen: all rights reserved by nobody in particular.\n"
    res = ident.identify_many([unknown, MIT, cached_text, b"  \n\n"])
    assert res[0] is None
    assert res[1] is not None and res[1].source == "shipped-table" and res[1].expression == "MIT"
    # with no engine, a cached answer of any engine version beats no answer
    assert res[2] is not None and res[2].source == "cache" and res[2].expression == "Zlib"
    assert res[3] is not None and res[3].source == "empty" and not res[3].confident
    assert textid.engine_stats == before


def test_results_keep_input_order_and_sha_of_given_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textid, "engine_available", lambda: False)
    crlf = MIT.replace(b"\n", b"\r\n")
    res = textid.TextIdentifier(None, use_cache=False).identify_many([crlf, b"unknown", MIT])
    assert res[1] is None
    assert res[0] is not None and res[2] is not None
    assert res[0].expression == res[2].expression == "MIT"
    assert res[0].sha256 != res[2].sha256  # hashes of the bytes as given


# -- post-processing of engine answers -----------------------------------------------


def test_fold_exceptions_attaches_to_nearest_licence() -> None:
    db = {
        "gpl-3.0": SimpleNamespace(is_exception=False),
        "mit": SimpleNamespace(is_exception=False),
        "gcc-exception-3.1": SimpleNamespace(is_exception=True),
        "llvm-exception": SimpleNamespace(is_exception=True),
    }
    ops = [
        textengine._Op(0, 1, 20, "mit"),
        textengine._Op(1, 30, 60, "gcc-exception-3.1"),
        textengine._Op(1, 62, 700, "gpl-3.0"),
        textengine._Op(2, 800, 810, "llvm-exception"),
    ]
    notes: list[str] = []
    unresolved = textengine._fold_exceptions(ops, db, notes)
    assert [op.expression for op in ops if not op.folded] == [
        "mit",
        "gpl-3.0 WITH gcc-exception-3.1",
    ]
    assert notes == []
    # the only licence of the adjacent region already has its exception: unresolved
    assert unresolved == ["llvm-exception"]
    ops = [textengine._Op(0, 1, 200, "apache-2.0"), textengine._Op(1, 205, 220, "llvm-exception")]
    db["apache-2.0"] = SimpleNamespace(is_exception=False)
    assert textengine._fold_exceptions(ops, db, notes) == []
    assert [op.expression for op in ops if not op.folded] == ["apache-2.0 WITH llvm-exception"]
    assert len(notes) == 1 and "by proximity" in notes[0]
    # an exception matched twice next to one licence: one WITH, nothing left over
    ops = [
        textengine._Op(0, 1, 2, "gcc-exception-3.1"),
        textengine._Op(0, 3, 80, "gcc-exception-3.1"),
        textengine._Op(0, 82, 700, "gpl-3.0"),
    ]
    assert textengine._fold_exceptions(ops, db, notes) == []
    assert [op.expression for op in ops if not op.folded] == ["gpl-3.0 WITH gcc-exception-3.1"]
    lonely = [textengine._Op(0, 1, 5, "llvm-exception")]
    assert textengine._fold_exceptions(lonely, db, []) == ["llvm-exception"]


# -- the cache -----------------------------------------------------------------------


def test_cache_dir_default_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert textcache.default_cache_dir() == tmp_path / "dllicense"
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    assert textcache.default_cache_dir() == Path.home() / ".cache" / "dllicense"


def test_cache_info_and_clear(tmp_path: Path) -> None:
    info = textcache.cache_info(tmp_path)
    assert info["exists"] is False and info["entries"] == 0
    assert not (tmp_path / textcache.DB_FILENAME).exists()  # info does not create it
    cache = textcache.TextCache(tmp_path)
    assert cache.put_many([("a", "1"), ("b", "2")], "eng 1") == 2
    assert cache.put_many([("a", "3")], "eng 2") == 1
    assert cache.get_many(["a", "b", "c"], "eng 1") == {"a": "1", "b": "2"}
    assert cache.get_many(["a"], None) == {"a": "3"}  # newest of any engine
    cache.close()
    info = textcache.cache_info(tmp_path)
    assert info["path"] == str(tmp_path / textcache.DB_FILENAME)
    assert info["entries"] == 3
    assert info["engines"] == {"eng 1": 2, "eng 2": 1}
    assert isinstance(info["size"], int) and info["size"] > 0
    assert textcache.cache_clear(tmp_path) == 3
    assert textcache.cache_info(tmp_path)["entries"] == 0
    assert textcache.cache_clear(tmp_path / "nowhere") == 0


def test_corrupt_cache_is_recreated_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / textcache.DB_FILENAME
    db.write_bytes(b"this is not a database, just garbage " * 200)
    with caplog.at_level(logging.WARNING, logger="dllicense.licenses.textcache"):
        cache = textcache.TextCache(tmp_path)
        assert cache.get_many(["a"], "e") == {}
        assert cache.put_many([("a", "1")], "e") == 1
        assert cache.get_many(["a"], "e") == {"a": "1"}
    assert any("corrupt" in r.message for r in caplog.records)
    cache.close()
    # corrupted while in use (truncated mid-file): still no crash
    db.write_bytes(db.read_bytes()[:100])
    assert textcache.TextCache(tmp_path).get_many(["a"], "e") in ({}, {"a": "1"})
    assert isinstance(textcache.cache_info(tmp_path)["entries"], int)


def test_identifier_survives_corrupt_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(textid, "engine_available", lambda: False)
    (tmp_path / textcache.DB_FILENAME).write_bytes(b"\x00garbage" * 1000)
    res = textid.TextIdentifier(tmp_path).identify_many([MIT, b"unknown text"])
    assert res[0] is not None and res[0].expression == "MIT"
    assert res[1] is None


def test_unusable_cache_dir_degrades_to_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = textcache.TextCache(blocker / "sub")
    assert cache.put_many([("a", "1")], "e") == 0
    assert cache.get_many(["a"], "e") == {}
    assert cache.disabled


def _writer(args: tuple[str, int]) -> int:
    cache_dir, worker = args
    cache = textcache.TextCache(Path(cache_dir))
    written = 0
    for i in range(40):
        written += cache.put_many([(f"{worker}-{i}", "v"), ("shared", str(worker))], "e")
    cache.close()
    return written


def test_cache_concurrent_writers(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        counts = pool.map(_writer, [(str(tmp_path), w) for w in range(4)])
    assert counts == [80] * 4
    conn = sqlite3.connect(tmp_path / textcache.DB_FILENAME)
    assert conn.execute("SELECT count(*) FROM textid").fetchone()[0] == 4 * 40 + 1
    conn.close()
