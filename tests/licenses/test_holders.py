"""Copyright holders of licence and NOTICE texts (scancode's copyright detection, cached).

The texts are real: ONNX 1.23.2's NOTICE and LICENSE (tests/fixtures/dists, copied from
the PyPI wheel). One module-scoped scan loads the real engine; the other tests do not.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from dllicense.licenses import holders, textid
from dllicense.licenses.textcache import TextCache
from dllicense.models import ScanResult
from dllicense.report import html_report, json_report, notice
from tests.conftest import DISTS, run_cli, scan_dirs

ONNX = DISTS / "onnx-1.23.2"
ONNX_NOTICE = ONNX / "onnx-1.23.2.dist-info/licenses/NOTICE"
# What scancode-toolkit's copyright detection reads in that NOTICE, in text order.
NOTICE_HOLDERS = ("The Abseil Authors", "Google Inc.", "Wenzel Jakob")
SCHEMA = Path(__file__).parents[2] / "src/dllicense/report/schema/scan-result.schema.json"
needs_engine = pytest.mark.skipif(
    not holders.engine_available(), reason="scancode-toolkit not installed"
)


def _project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text("onnx\n", encoding="utf-8")
    return root


def _notice_evidence(result: ScanResult) -> tuple[str, ...]:
    (onnx,) = [p for p in result.packages if p.node.name == "onnx"]
    (e,) = [e for e in onnx.evidence if e.kind == "notice-file"]
    return e.holders


def _forbid_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str) -> list[str]:
        raise AssertionError("the copyright engine was called")

    monkeypatch.setattr(holders, "_detect", fail)


def test_tidy_orders_deduplicates_and_bounds() -> None:
    names = ["B  Corp", "A", "B Corp", "", "x" * 500, *(f"n{i}" for i in range(40))]
    got = holders.tidy(names)
    assert got[:2] == ["B Corp", "A"]
    assert len(got[2]) == holders.MAX_HOLDER_CHARS and got[2].endswith("…")
    assert len(got) == holders.MAX_HOLDERS
    assert got[3:] == [f"n{i}" for i in range(holders.MAX_HOLDERS - 3)]


def test_cached_holders_are_served_without_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A holders row (keyed by normalised text and engine version) answers; the licence
    identification rows of the same text are another table and are never read as holders."""
    data = ONNX_NOTICE.read_bytes()
    key = textid.text_key(data)
    monkeypatch.setattr(holders, "engine_available", lambda: True)
    monkeypatch.setattr(holders, "engine_version", lambda: "scancode-toolkit 0.test")
    engine = f"scancode-toolkit 0.test {holders.ALGORITHM}"
    TextCache(tmp_path).put_many([(key, '{"e": "Apache-2.0"}')], engine)  # textid table
    cache = TextCache(tmp_path, table="holders")
    cache.put_many([(key, json.dumps(["Cached Holder", "Cached Holder", "Other"]))], engine)
    cache.close()
    _forbid_engine(monkeypatch)
    crlf = data.replace(b"\n", b"\r\n")  # same normalised text, same key
    assert holders.detect_holders([data, crlf, b"  \n"], tmp_path) == [
        ("Cached Holder", "Other"),
        ("Cached Holder", "Other"),
        (),
    ]
    # a new version of this code or of the engine does not read the old answer
    monkeypatch.setattr(holders, "ALGORITHM", "holders/999")
    with pytest.raises(AssertionError, match="engine was called"):
        holders.detect_holders([data], tmp_path)


def test_without_the_engine_there_are_none_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(holders, "engine_available", lambda: False)
    monkeypatch.setattr(holders, "_said", False)
    _forbid_engine(monkeypatch)
    with caplog.at_level(logging.WARNING, logger=holders.__name__):
        for _ in range(2):
            assert holders.detect_holders([ONNX_NOTICE.read_bytes()], tmp_path) == [()]
    said = [r for r in caplog.records if "copyright holders not detected" in r.getMessage()]
    assert len(said) == 1


def test_texts_none_detects_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_engine(monkeypatch)
    result = scan_dirs(_project(tmp_path / "p"), ONNX, texts="none", use_cache=False)
    assert all(not e.holders for p in result.packages for e in p.evidence)
    assert "Copyright holders" not in notice.render(result)


def test_html_card_escapes_holders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_engine(monkeypatch)
    result = scan_dirs(_project(tmp_path / "p"), ONNX, texts="none", use_cache=False)
    hostile = "<script>alert(1)</script> & Co"
    packages = tuple(
        replace(p, evidence=tuple(replace(e, holders=(hostile,)) for e in p.evidence))
        for p in result.packages
    )
    page = html_report.render(replace(result, packages=packages))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "<script>alert(1)" not in page


@pytest.fixture(scope="module")
def engine_scans(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ScanResult, ScanResult]:
    """ONNX scanned twice with one cache folder: the engine, then the cache alone."""
    base = tmp_path_factory.mktemp("holders")
    project, cache = _project(base / "p"), base / "cache"
    first = scan_dirs(project, ONNX, texts="primary", cache_dir=cache, use_cache=True)
    with pytest.MonkeyPatch.context() as mp:
        _forbid_engine(mp)
        second = scan_dirs(project, ONNX, texts="primary", cache_dir=cache, use_cache=True)
    return first, second


@pytest.mark.slow
@needs_engine
def test_notice_holders_with_the_real_engine(
    engine_scans: tuple[ScanResult, ScanResult],
) -> None:
    first, second = engine_scans
    assert _notice_evidence(first) == NOTICE_HOLDERS
    assert _notice_evidence(second) == NOTICE_HOLDERS  # from the cache, engine forbidden
    (text,) = [t for t in first.texts if t.kind == "notice-file"]
    assert text.holders == NOTICE_HOLDERS


@pytest.mark.slow
@needs_engine
def test_reports_show_the_holders(engine_scans: tuple[ScanResult, ScanResult]) -> None:
    result = engine_scans[0]
    listed = "Copyright holders: " + "; ".join(NOTICE_HOLDERS)
    text = notice.render(result)
    package_part, _, notices = text.partition("NOTICE FILES")
    assert listed in package_part.split("onnx ", 1)[1]  # beside the package's texts
    assert listed in notices  # and on the NOTICE file itself
    data = json.loads(json_report.render(result))
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    validator.validate(data)
    (onnx,) = [p for p in data["packages"] if p["name"] == "onnx"]
    assert onnx["holders"][: len(NOTICE_HOLDERS)] == list(NOTICE_HOLDERS)
    (e,) = [e for e in onnx["evidence"] if e["kind"] == "notice-file"]
    assert e["holders"] == list(NOTICE_HOLDERS)
    page = html_report.render(result)
    assert "Copyright holders</h4>" in page and "The Abseil Authors; Google Inc." in page


@pytest.mark.slow
@needs_engine
def test_holders_are_detected_only_for_reports_that_show_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gate that prints a table (or SARIF) never runs the copyright detection (0.1 s of
    CPU per new text); a JSON report does, and the answer is cached for the next run."""
    project, cache = _project(tmp_path / "p"), tmp_path / "cache"
    site = str(ONNX)
    common = ("scan", str(project), "--path", site, "--cache-dir", str(cache), "--exit-zero")
    table = run_cli(*common, "--format", "table,sarif", "--output", str(tmp_path / "a"))
    assert table.returncode == 0, table.stderr
    _forbid_engine(monkeypatch)
    with pytest.raises(AssertionError, match="copyright engine was called"):
        holders.detect_holders([ONNX_NOTICE.read_bytes()], cache)  # nothing was cached
    monkeypatch.undo()
    report = run_cli(*common, "--format", "json")
    assert report.returncode == 0, report.stderr
    shown = {
        h
        for p in json.loads(report.stdout)["packages"]
        for e in p["evidence"]
        for h in e.get("holders", [])
    }
    assert set(NOTICE_HOLDERS) <= shown
    _forbid_engine(monkeypatch)
    assert holders.detect_holders([ONNX_NOTICE.read_bytes()], cache) == [NOTICE_HOLDERS]


@pytest.mark.slow
@needs_engine
def test_holders_in_parallel_equal_holders_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forked workers give the very answers of one process, in the same order."""
    corpus = Path(__file__).parents[1] / "fixtures" / "corpus" / "dists"
    texts = [p.read_bytes() for p in sorted(corpus.glob("*/*.dist-info/**/LICEN[CS]E*"))[:40]]
    assert len(texts) >= 20
    monkeypatch.setattr(holders, "POOL_MIN_TEXTS", 10**9)
    alone = holders.detect_holders(texts, None, use_cache=False)
    monkeypatch.setattr(holders, "POOL_MIN_TEXTS", 2)
    forked = holders.detect_holders(texts, None, use_cache=False)
    assert forked == alone
    assert sum(bool(h) for h in alone) >= 10  # most of these texts name their holders


@needs_engine
def test_year_to_present_names_its_holder() -> None:
    """pydantic 2.11.7's "Copyright (c) 2017 to present Pydantic Services Inc. and individual
    contributors." names a holder (scancode alone finds none in "YEAR to present")."""
    text = (Path(__file__).parents[1] / "fixtures/holders/pydantic-2.11.7.LICENSE").read_bytes()
    [found] = holders.detect_holders([text], None, use_cache=False)
    assert found and found[0].startswith("Pydantic Services Inc.")
