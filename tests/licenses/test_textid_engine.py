"""Licence-text identification with the real scancode engine on real texts.

The index is loaded once for the whole module (one process); the shipped
table is disabled so that every text really goes through the engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from license_expression import get_spdx_licensing

from dllicense.licenses import textengine, textid

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not textid.engine_available(), reason="scancode-toolkit not installed"),
]

TEXTS = Path(__file__).parent / "texts"


def read(name: str) -> bytes:
    return (TEXTS / name).read_bytes()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("textid-cache")


@pytest.fixture(scope="module")
def results(cache_dir: Path) -> dict[str, textid.TextIdentification]:
    """Identify every text of ``texts/`` once, serially, through the engine."""
    names = sorted(p.name for p in TEXTS.glob("*.txt"))
    ident = textid.TextIdentifier(cache_dir, jobs=1, use_table=False)
    res = ident.identify_many([read(n) for n in names])
    ident.close()
    assert all(r is not None for r in res)
    return {n: r for n, r in zip(names, res, strict=True) if r is not None}


@pytest.mark.parametrize(
    ("name", "expression"),
    [
        ("MIT-attrs.txt", "MIT"),
        ("BSD-3-Clause-click.txt", "BSD-3-Clause"),
        ("LGPL-3.0-intbitset.txt", "LGPL-3.0-only"),
        ("Apache-2.0-WITH-LLVM-exception-libclang.txt", "Apache-2.0 WITH LLVM-exception AND NCSA"),
    ],
)
def test_plain_licence_files(
    results: dict[str, textid.TextIdentification], name: str, expression: str
) -> None:
    res = results[name]
    assert res.expression == expression
    assert res.confident, res.notes
    assert res.source == "engine"
    assert res.engine.startswith("scancode-toolkit ")
    assert res.score >= 99
    assert res.matches and not all(m.is_reference for m in res.matches)
    for m in res.matches:
        assert m.rule and m.matcher[:2] in ("1-", "2-", "3-", "5-", "6-")
        assert 1 <= m.start_line <= m.end_line


# ``scancode -l -n 1 --json`` (scancode-toolkit 32.5.0) on these files, see texts/SOURCES.md
CLI_ANSWERS = {
    "BSD-3-Clause-kiwisolver.txt": "BSD-3-Clause",
    "BSD-3-Clause-torch.txt": "BSD-3-Clause",
}


@pytest.mark.parametrize(("name", "expression"), sorted(CLI_ANSWERS.items()))
def test_engine_answers_what_scancode_answers_on_the_file(
    results: dict[str, textid.TextIdentification], name: str, expression: str
) -> None:
    """The engine is asked as ``scancode --license`` asks on a file: a query string would be
    split into query runs after 4 lines without a legal word instead of 15, which adds
    ``BSD-2-Clause`` (kiwisolver's closing notice) and ``LicenseRef-scancode-generic-cla``
    (torch's contribution model paragraph) to these BSD texts."""
    from scancode.api import get_licenses

    assert results[name].expression == expression
    on_file = get_licenses(str(TEXTS / name))["detected_license_expression_spdx"]
    assert on_file == expression  # the recorded CLI answer still holds for this scancode


def test_engine_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textengine.tempfile, "tempdir", str(tmp_path))
    rec = textengine._identify_with_engine(textid.normalise_text(read("MIT-attrs.txt")))
    assert rec["e"] == "MIT"
    assert list(tmp_path.iterdir()) == []


def test_python_licence_history_needs_review(
    results: dict[str, textid.TextIdentification],
) -> None:
    res = results["PSF-typing_extensions.txt"]
    assert "Python-2.0" in res.expression
    # the GPL in the licence history section is the known false positive: flagged
    assert not res.confident
    assert any(n.startswith("needs review:") for n in res.notes)


def test_dual_licence_keeps_or_and_needs_review(
    results: dict[str, textid.TextIdentification],
) -> None:
    res = results["dual-text_unidecode.txt"]
    assert " OR " in res.expression and "Artistic" in res.expression
    assert not res.confident


def test_numpy_metadata_license_field_keeps_with(
    results: dict[str, textid.TextIdentification],
) -> None:
    res = results["numpy-1.26.4-METADATA-License.txt"]
    parsed = get_spdx_licensing().parse(res.expression, validate=True, strict=True)
    assert parsed is not None
    assert res.expression.startswith("BSD-3-Clause AND ")
    assert "GPL-3.0-or-later WITH GCC-exception-3.1" in res.expression
    # scancode alone gives "GCC-exception-3.1 AND GPL-3.0-only" for the bundled
    # libgfortran texts: the exception must only ever appear after WITH
    assert res.expression.count("GCC-exception-3.1") == res.expression.count(
        "WITH GCC-exception-3.1"
    )
    assert max(m.end_line for m in res.matches) > 900
    # the same licences and exceptions as scancode on the file (which leaves them bare)
    from scancode.api import get_licenses

    on_file = get_licenses(str(TEXTS / "numpy-1.26.4-METADATA-License.txt"))
    licensing = get_spdx_licensing()
    assert set(licensing.license_keys(res.expression)) == set(
        licensing.license_keys(on_file["detected_license_expression_spdx"])
    )


def test_second_identification_comes_from_the_cache(
    results: dict[str, textid.TextIdentification], cache_dir: Path
) -> None:
    before = dict(textid.engine_stats)
    ident = textid.TextIdentifier(cache_dir, jobs=1, use_table=False)
    numpy = read("numpy-1.26.4-METADATA-License.txt")
    mit_crlf = read("MIT-attrs.txt").replace(b"\n", b"\r\n")
    again = ident.identify_many([numpy, mit_crlf, numpy])
    assert textid.engine_stats == before  # no text went to the engine
    assert [r.source if r else None for r in again] == ["cache"] * 3
    first = results["numpy-1.26.4-METADATA-License.txt"]
    assert again[0] == first.__class__(**{**first.__dict__, "source": "cache"})
    assert again[1] is not None and again[1].expression == "MIT"


def test_engine_counts_each_distinct_text_once(tmp_path: Path) -> None:
    before = textid.engine_stats["texts"]
    text = b"This project is released under the MIT license.\n"
    ident = textid.TextIdentifier(tmp_path, jobs=1, use_table=False)
    res = ident.identify_many([text, text.replace(b"\n", b"  \r\n"), text])
    assert textid.engine_stats["texts"] == before + 1
    assert [r.expression if r else None for r in res] == ["MIT"] * 3
    assert res[0] is not None and not res[0].confident  # a reference, not a text
    assert all(m.is_reference for m in res[0].matches)


def test_oversized_text_is_truncated_with_a_note() -> None:
    ident = textid.TextIdentifier(None, use_cache=False, jobs=1, use_table=False, max_bytes=2000)
    (res,) = ident.identify_many([read("numpy-1.26.4-METADATA-License.txt")])
    assert res is not None
    assert res.expression == "BSD-3-Clause"
    assert not res.confident
    assert any("truncated" in n for n in res.notes)


def test_process_pool_gives_the_serial_answers_in_order(
    results: dict[str, textid.TextIdentification], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textengine, "POOL_MIN_TEXTS", 2)
    names = [
        "dual-text_unidecode.txt",
        "MIT-attrs.txt",
        "LGPL-3.0-intbitset.txt",
        "BSD-3-Clause-click.txt",
    ]
    runs = textid.engine_stats["pool_runs"]
    ident = textid.TextIdentifier(None, use_cache=False, jobs=2, use_table=False)
    res = ident.identify_many([read(n) for n in names])
    assert textid.engine_stats["pool_runs"] == runs + 1
    assert [r.expression if r else None for r in res] == [results[n].expression for n in names]
    assert [r.matches if r else None for r in res] == [results[n].matches for n in names]
