"""Template matching of licence texts (``textmatch``), without and with the engine.

The slow test runs scancode on every licence file of the fixtures, and on copies
of them whose copyright lines were swapped for the copyright lines of other
fixture files or whose paragraphs were wrapped again, and requires that every
template hit gives exactly the engine's record; known disagreements are listed,
with the reason, in ``textmatch_disagreements.toml``.
"""

from __future__ import annotations

import re
import textwrap
import zipfile
from pathlib import Path

import pytest
import tomllib

from dllicense.licenses import textid, textmatch

HERE = Path(__file__).parent
TEXTS = HERE / "texts"
FIXTURES = HERE.parent / "fixtures"
MIT = textid.normalise_text((TEXTS / "MIT-attrs.txt").read_bytes())
LICENCE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)


def _table_record(normalised: str) -> dict[str, object]:
    rec: dict[str, object] = textid.shipped_table()["texts"][textid._key_of(normalised)]
    return rec


# -- masking -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "variable"),
    [
        ("Copyright (c) 2015 Hynek Schlawack and the attrs contributors", True),
        ("Copyright 2020 The TensorFlow Authors. All Rights Reserved.", True),
        ("# Copyright (C) 2005-2023, NumPy Developers.", True),
        ("(c) 2009 Someone", True),
        ("© 2019 Someone", True),
        ("Copyright © Someone", True),
        ("All rights reserved.", True),
        ("2009-2026 (c) Benoit Chesneau <benoitc@gunicorn.org>", True),
        ("Copyright aio-libs contributors", True),
        # a wrapped line of a licence's text is one too: inside a match it is pinned
        ("copyright notice, this list of conditions and the following disclaimer.", True),
        ("Permission is hereby granted, free of charge,", False),
    ],
)
def test_copyright_lines_are_the_variable_part(line: str, variable: bool) -> None:
    assert bool(textmatch.COPYRIGHT_LINE.match(line)) is variable


def test_mask_ignores_case_punctuation_spacing_and_holders_but_keeps_lines() -> None:
    stop = frozenset()
    a = textmatch.mask("MIT License\n\nCopyright (c) 2020 A\n\nPermission is granted.", stop)
    b = textmatch.mask(
        "mit   license.\n\nCopyright 1999 B C\nAll rights reserved.\n\nPermission -- is GRANTED",
        stop,
    )
    assert a.key == b.key
    assert b.lines == (1, 2, 3, 5, 6)  # the two copyright lines are one unit
    assert b.blocks == {2: (("copyright", "1999", "b", "c"), ("all", "rights", "reserved"))}
    rewrapped = textmatch.mask(
        "MIT\nLicense\n\nCopyright (c) 2020 A\n\nPermission is granted.", stop
    )
    extra_blank = textmatch.mask(
        "MIT License\n\n\nCopyright (c) 2020 A\n\nPermission is granted.", stop
    )
    assert len({a.key, rewrapped.key, extra_blank.key}) == 3


def test_positions_round_trip() -> None:
    masked = textmatch.mask("a\nCopyright 2020 X\nCopyright 2021 Y\n\nb", frozenset())
    for line in range(1, 6):
        assert textmatch.position_to_line(masked, textmatch.line_to_position(masked, line)) == line
    assert textmatch.line_to_position(masked, 3) == [1, 1]


# -- template hits ---------------------------------------------------------------


def test_template_hit_is_the_table_record_with_shifted_lines() -> None:
    want = _table_record(MIT)
    assert textmatch.match(MIT) == want  # the table's own text
    other = MIT.replace(
        "Copyright (c) 2015 Hynek Schlawack and the attrs contributors",
        "Copyright (c) 2019-2024 Jane Doe\nCopyright (c) 2023 Zed Example Developers",
    )
    got = textmatch.match(other)
    assert got is not None
    assert got["e"] == "MIT" and got["c"] == 1
    shifted = [[m[2] + (i > 0), m[3] + (i > 0)] for i, m in enumerate(want["m"])]  # type: ignore[attr-defined]
    assert [m[2:4] for m in got["m"]] == shifted  # one more copyright line above the body


@pytest.mark.parametrize(
    "change",
    [
        ("Hynek Schlawack", "Hynek Schlawack, licensed under the GPL"),  # a licence in the holder
        ("free of charge", "for a fee"),  # the body changed
        ("Permission is hereby granted", "Permission is hereby\ngranted"),  # rewrapped
    ],
)
def test_no_template_hit_when_the_text_may_say_more(change: tuple[str, str]) -> None:
    assert textmatch.match(MIT.replace(*change)) is None


def test_reflowed_text_hits_a_flat_template() -> None:
    title, _, body = MIT.split("\n\n", 2)  # title, copyright line, text
    for text in (f"{title}\n\n{body}", body):  # shapes the generator tries
        wrapped = text.replace(body, textwrap.fill(body, 60))
        assert wrapped != text
        got = textmatch.match(wrapped)
        assert got is not None, text[:60]
        assert got["e"] == "MIT" and got["c"] == 1 and got["s"] == 100.0
        assert got["m"][-1][3] == len(wrapped.split("\n"))  # ends on the (new) last line


def test_long_runs_of_lines_without_legal_words_go_to_the_engine() -> None:
    # longer runs of lines without a legal word than the template was checked with:
    # scancode may start a new query run there, and its answer may change
    spaced = MIT.replace("Permission is hereby", "\n\n\n\nPermission is hereby")
    assert textmatch.match(spaced) is None


def test_template_hits_need_no_engine(tmp_path: Path) -> None:
    other = MIT.replace("Hynek Schlawack", "Somebody Else").encode()
    before = textid.engine_stats["texts"]  # other tests of the session may have used it
    ident = textid.TextIdentifier(tmp_path, jobs=1)
    res = ident.identify(other)
    ident.close()
    assert res is not None and res.source == "template" and res.expression == "MIT"
    assert textid.engine_stats["texts"] == before


def test_corrupt_templates_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textmatch, "_DATA", {"templates": {}, "stopwords": [], "deny": []})
    monkeypatch.setattr(textmatch, "_SETS", None)
    assert textmatch.match(MIT) is None


# -- agreement with the engine ------------------------------------------------------


def fixture_licence_texts() -> dict[str, str]:
    """``{label: normalised text}`` of every licence file under the test fixtures."""
    out: dict[str, str] = {}
    roots = [FIXTURES, TEXTS]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            if path.suffix == ".whl":
                with zipfile.ZipFile(path) as zf:
                    for name in sorted(zf.namelist()):
                        base = name.rsplit("/", 1)[-1]
                        if LICENCE_FILE.match(base) or ".dist-info/licenses/" in name:
                            data = zf.read(name)
                            out[f"{path.name}:{name}"] = textid.normalise_text(data)
                continue
            in_licences = ".dist-info/licenses" in path.as_posix()
            if root is TEXTS and path.suffix == ".txt" and path.name != "SOURCES.md":
                in_licences = True
            if not (LICENCE_FILE.match(path.name) or in_licences):
                continue
            data = path.read_bytes()
            if len(data) > textid.MAX_TEXT_BYTES or b"\x00" in data[:8192]:
                continue
            out[str(path.relative_to(HERE.parent))] = textid.normalise_text(data)
    return {k: v for k, v in out.items() if v}


def holder_swapped(texts: dict[str, str]) -> dict[str, str]:
    """Copies of the texts whose copyright blocks are replaced by real copyright lines
    of other fixture texts (rotated, so every text gets another file's holders)."""
    lines = sorted(
        {
            line
            for text in texts.values()
            for line in text.split("\n")
            if textmatch.COPYRIGHT_LINE.match(line)
        }
    )
    out: dict[str, str] = {}
    for i, (label, text) in enumerate(sorted(texts.items())):
        if not any(textmatch.COPYRIGHT_LINE.match(line) for line in text.split("\n")):
            continue
        swap = lines[(i * 7) % len(lines)]
        new = "\n".join(
            swap if textmatch.COPYRIGHT_LINE.match(line) else line for line in text.split("\n")
        )
        if new != text:
            out[f"{label} (holders: {swap})"] = new
    return out


def reflowed(texts: dict[str, str], width: int = 66) -> dict[str, str]:
    """Copies of the texts with each paragraph (copyright lines kept apart) wrapped again."""
    out: dict[str, str] = {}
    for label, text in sorted(texts.items()):
        lines: list[str] = []
        para: list[str] = []
        for line in [*text.split("\n"), ""]:
            if line and not textmatch.COPYRIGHT_LINE.match(line):
                para.append(line)
                continue
            if para:
                lines += textwrap.wrap(" ".join(para), width, break_on_hyphens=False)
                para = []
            lines.append(line)
        new = "\n".join(lines).rstrip("\n")
        if new != text:
            out[f"{label} (wrapped at {width})"] = new
    return out


@pytest.mark.slow
@pytest.mark.skipif(not textid.engine_available(), reason="scancode-toolkit not installed")
def test_template_hits_agree_with_the_engine_on_every_fixture_text() -> None:
    texts = fixture_licence_texts()
    assert len(texts) > 150
    texts.update({**holder_swapped(texts), **reflowed(texts)})
    hits: dict[str, tuple[str, dict[str, object]]] = {}  # normalised -> (label, record)
    for label, text in sorted(texts.items()):
        rec = textmatch.match(text)
        if rec is not None and text not in hits:
            hits[text] = (label, rec)
    assert len(hits) > 100
    order = sorted(hits)
    engine = textid.run_engine(order, jobs=2)
    known = tomllib.loads((HERE / "textmatch_disagreements.toml").read_text(encoding="utf-8"))
    explained = {d["label"] for d in known.get("disagreement", []) if "label" in d}
    explained_holders = [d["holders"] for d in known.get("disagreement", []) if "holders" in d]
    wrong = []
    for text, rec in zip(order, engine, strict=True):
        label, by_template = hits[text]
        by_engine = {k: v for k, v in rec.items() if k not in ("g", "x")}
        swapped = any(label.endswith(f" (holders: {h})") for h in explained_holders)
        if by_engine != by_template and label not in explained and not swapped:
            wrong.append(f"{label}:\n  template {by_template}\n  engine   {by_engine}")
    assert not wrong, f"{len(wrong)} of {len(hits)} template hits disagree:\n" + "\n".join(wrong)
