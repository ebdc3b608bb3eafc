"""Accuracy on real distributions outside deep learning, and valid expressions everywhere.

``fixtures/corpus/dists`` holds the dist-info of real wheels (``scripts/fetch_corpus.py``);
``fixtures/corpus/expected.toml`` the expression decided by hand for each, with the
reasoning. A verdict is *exact* when it is the same expression (order and grouping aside),
*wrong* when it names a different licence (no licence in common, and not the same GNU
licence at another version or "only"/"or later"), *partial* otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from dllicense.licenses.spdx import license_keys, licensing, parse_expression
from dllicense.models import ScanResult
from dllicense.tomlfile import parse_toml
from tests.conftest import DISTS, FIXTURES, scan_dirs

CORPUS = FIXTURES / "corpus"
EXPECTED: dict[str, dict[str, Any]] = parse_toml(
    (CORPUS / "expected.toml").read_text(encoding="utf-8")
)["dists"]
REQUIRED_EXACT = 0.97


def grade(got: str, truth: str) -> str:
    """exact, partial or wrong."""
    if got == truth or (
        got and truth and licensing().is_equivalent(parse_expression(got), parse_expression(truth))
    ):
        return "exact"
    shared = set(license_keys(got)) & set(license_keys(truth))
    gnu = {_gnu(k) for k in license_keys(got)} & {_gnu(k) for k in license_keys(truth)} - {""}
    return "partial" if shared or gnu else "wrong"


def _gnu(key: str) -> str:
    """The GNU licence a key names, version and "or later" aside (LGPL-2.1-only: LGPL)."""
    found = re.match(r"^((?:L|A)?GPL)-\d", key)
    return found.group(1) if found else ""


def problems_of(expression: str) -> list[str]:
    """Why an emitted expression is not valid SPDX (empty list: it is)."""
    if not expression:
        return []
    try:
        parsed = licensing().parse(expression, validate=False, strict=True)
    except Exception as exc:  # the library's own error types vary by input
        return [f"does not parse: {exc}"]
    out = []
    if parsed is None:
        out.append("empty parse")
    if re.search(r"\bWITH\s+\S+\s+WITH\b", expression):
        out.append("two exceptions on one licence")
    for term in re.split(r"\s+(?:AND|OR)\s+", expression):
        names = re.findall(r"\bWITH\s+([^\s()]+)", term)
        if len(names) != len(set(names)):
            out.append(f"exception named twice in {term}")
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    project = tmp_path_factory.mktemp("empty-project")
    return scan_dirs(project, *(CORPUS / "dists" / folder for folder in sorted(EXPECTED)))


def test_corpus_folders_all_have_expectations() -> None:
    folders = sorted(p.name for p in (CORPUS / "dists").iterdir() if p.is_dir())
    assert folders == sorted(EXPECTED)
    assert len(folders) >= 120
    for folder, entry in EXPECTED.items():
        assert entry["note"] and entry["source"].endswith(".whl"), folder
        assert (
            folder
            == f"{entry['name'].lower().replace('_', '-').replace('.', '-')}-{entry['version']}"
        )


def test_grade() -> None:
    assert grade("MIT OR Apache-2.0", "Apache-2.0 OR MIT") == "exact"
    assert grade("MIT", "MIT AND BSD-3-Clause") == "partial"
    assert grade("MIT", "BSD-3-Clause") == "wrong"
    assert grade("LGPL-2.1-only", "LGPL-2.0-or-later") == "partial"
    assert grade("GPL-2.0-only", "LGPL-2.1-only") == "wrong"
    assert grade("", "MIT") == "wrong"
    assert problems_of("GPL-2.0-only WITH A WITH B") != []
    assert problems_of("MIT AND (Apache-2.0 OR BSD-3-Clause)") == []


@pytest.mark.slow
def test_accuracy_outside_deep_learning(corpus: ScanResult) -> None:
    """At least 97 % exact and none wrong; every miss is printed with both expressions."""
    by_name = {p.node.name: p for p in corpus.packages}
    grades: dict[str, list[str]] = {"exact": [], "partial": [], "wrong": []}
    for folder, entry in sorted(EXPECTED.items()):
        package = by_name[entry["name"].lower().replace("_", "-").replace(".", "-")]
        got = package.verdict.expression
        grades[grade(got, entry["expression"])].append(
            f"{folder}: got {got!r}, expected {entry['expression']!r}"
        )
    total = sum(len(v) for v in grades.values())
    print(
        f"\nexact {len(grades['exact'])}/{total}, partial {len(grades['partial'])}, "
        f"wrong {len(grades['wrong'])}"
    )
    for kind in ("wrong", "partial"):
        for line in grades[kind]:
            print(f"  {kind}: {line}")
    assert not grades["wrong"], grades["wrong"]
    assert len(grades["exact"]) >= REQUIRED_EXACT * total, grades["partial"]


@pytest.mark.slow
def test_every_emitted_expression_is_valid(corpus: ScanResult, tmp_path: Any) -> None:
    """Over every fixture (both corpora): each verdict parses and names each exception once."""
    first = scan_dirs(tmp_path, *sorted(p for p in DISTS.iterdir() if p.is_dir()))
    bad = [
        f"{p.node.name}: {p.verdict.expression!r}: {problems_of(p.verdict.expression)}"
        for result in (first, corpus)
        for p in result.packages
        if problems_of(p.verdict.expression)
    ]
    assert not bad, bad
