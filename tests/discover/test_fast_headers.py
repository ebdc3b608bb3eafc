"""``fast_headers`` gives the same with LF and CRLF line ends, and what ``packaging`` parses,
on every METADATA / PKG-INFO of the fixtures and on generated edge cases (the reference for
any faster header reader)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from packaging.metadata import parse_email

from dllicense.discover.distributions import fast_headers, headers_only

FIXTURES = Path(__file__).parents[1] / "fixtures"
FILES = sorted(p for p in FIXTURES.rglob("*") if p.name in ("METADATA", "PKG-INFO") and p.is_file())
FIELDS = [
    "metadata_version",
    "name",
    "version",
    "summary",
    "license",
    "license_expression",
    "home_page",
    "classifiers",
    "requires_dist",
    "license_files",
    "provides_extra",
]

EDGES = [
    b"Name: a\nVersion: 1\n",
    b"Name: a\nVersion: 1\n\nbody: not a header\n",
    b"Name:a\nVersion:1.0  \nLicense:   MIT \t\n",
    b"NAME: a\nversion: 1\nLICENSE-EXPRESSION: MIT\n",
    b"Name: a\nName: b\n",  # a single field repeated: None
    b"Name: a\nno colon here\n",  # malformed: None
    b"Name: a\nLicense: first\n        second line\n\tthird\n",  # continuation lines
    b" Name: a\n",  # continuation with no header before it: None
    b"Name: a\nClassifier: x\nClassifier: y\nRequires-Dist: b; extra == 'z'\n",
    b"Name: caf\xc3\xa9\nSummary: \xe2\x80\x83spaced\xe2\x80\x83\n",  # UTF-8, unicode spaces
    b"Name: \xff\n",  # not UTF-8: None
    b"",
    b"\n",
    b"Name: a\nLicense: a: b: c\n",
    b"Name: a\nLicense-File: LICENSE\nLicense-File: NOTICE\nUnknown-Field: x\n",
]


def _crlf(head: bytes) -> bytes:
    return head.replace(b"\n", b"\r\n")


@pytest.mark.parametrize("head", EDGES + [headers_only(p.read_bytes()) for p in FILES])
def test_crlf_reads_as_lf(head: bytes) -> None:
    assert fast_headers(head) == fast_headers(_crlf(head))


def test_fixture_files_are_many_and_mostly_well_formed() -> None:
    fast = [p for p in FILES if b"\r" not in p.read_bytes() and fast_headers(p.read_bytes())]
    assert len(FILES) >= 30 and len(fast) >= 30


def test_edge_cases_answer_as_expected() -> None:
    assert fast_headers(b"Name: a\nName: b\n") is None
    assert fast_headers(b"Name: a\nno colon here\n") is None
    assert fast_headers(b" Name: a\n") is None
    assert fast_headers(b"Name: \xff\n") is None
    found = fast_headers(b"Name: a\nLicense: first\n        second line\n")
    assert found is not None and found["license"] == "first\n        second line"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_agrees_with_packaging_on_fixture_files(path: Path) -> None:
    head = headers_only(path.read_bytes())
    fast = fast_headers(head)
    if fast is None:
        return  # packaging reads it in the scan
    raw, _ = parse_email(head)
    mine: dict[str, Any] = {k: v for k, v in fast.items() if k in FIELDS}
    theirs = {k: raw[k] for k in FIELDS if k in raw}  # type: ignore[literal-required]
    assert mine == theirs
