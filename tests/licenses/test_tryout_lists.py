"""A ``License`` field that lists licences with commas, scanned from a real wheel.

pypdfium2 4.30.1 (tests/fixtures/tryout, its PyPI file and sha256 in the README there)
declares ``License: BSD-3-Clause, Apache-2.0, PdfiumThirdParty``: a list that says neither
AND nor OR, with a REUSE-style name (its ``LicenseRef-PdfiumThirdParty.txt``). It gave
DL101 "no licence found" with license-expression's raw error text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.collect.metadata import name_list, normalize
from dllicense.licenses.spdx import normalize_expression
from dllicense.models import ScanResult
from tests.conftest import FIXTURES, scan_dirs

PYPDFIUM2 = FIXTURES / "tryout" / "pypdfium2-4.30.1"
METADATA = PYPDFIUM2 / "pypdfium2-4.30.1.dist-info" / "METADATA"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    project: Path = tmp_path_factory.mktemp("empty-project")
    return scan_dirs(project, PYPDFIUM2, texts="none")


def _license_field() -> str:
    lines = METADATA.read_text("utf-8").splitlines()
    return next(line.removeprefix("License: ") for line in lines if line.startswith("License: "))


def test_a_comma_list_is_read_as_all_apply_with_a_placeholder(result: ScanResult) -> None:
    [package] = result.packages
    assert package.verdict.expression == (
        "BSD-3-Clause AND Apache-2.0 AND LicenseRef-PdfiumThirdParty"
    )
    [note] = package.verdict.notes
    assert "without AND or OR" in note and "LicenseRef-PdfiumThirdParty" in note
    codes = {f.code for f in result.findings}
    assert "DL101" not in codes
    # the placeholder is not a known licence: the policy does not pass it unseen
    assert any(
        f.code == "DL201" and "LicenseRef-PdfiumThirdParty" in f.message for f in result.findings
    )


def test_license_files_stored_by_base_name_are_found(result: ScanResult) -> None:
    """``License-File: LICENSES/Apache-2.0.txt`` is ``Apache-2.0.txt`` at the dist-info top
    (wheel before 0.41 copied them by base name): present, not a DL111."""
    assert not [f for f in result.findings if f.code == "DL111"]


def test_the_fixture_holds_the_list() -> None:
    assert _license_field() == "BSD-3-Clause, Apache-2.0, PdfiumThirdParty"
    assert normalize(_license_field()).expression.count(" AND ") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MIT, Apache-2.0", "MIT AND Apache-2.0"),
        ("MIT; MIT", "MIT"),  # one licence named twice
        ("Apache 2.0, BSD-3-Clause", "Apache-2.0 AND BSD-3-Clause"),
        ("MIT OR Apache-2.0, Zlib", "(MIT OR Apache-2.0) AND Zlib"),
        ("Foo, Bar", None),  # nothing known: not evidently licences
        ("Copyright 2020, Acme Inc.", None),  # prose with a comma
        ("MIT, see the LICENSE file for details", None),
    ],
)
def test_name_list(text: str, expected: str | None) -> None:
    found = name_list(text)
    assert (found.expression if found else None) == expected


@pytest.mark.parametrize(
    "text", ["BSD-3-Clause, Apache-2.0, PdfiumThirdParty", "MIT AND (Apache-2.0", "MIT WITH"]
)
def test_an_invalid_expression_gives_a_one_line_reason_of_our_own(text: str) -> None:
    error = normalize_expression(text).error
    assert error.startswith("not a valid SPDX expression")
    assert "\n" not in error and "valid characters" not in error and text not in error


def test_a_reuse_licenceref_file_is_the_text_of_its_term(tmp_path: Path) -> None:
    """``LicenseRef-PdfiumThirdParty.txt`` is the text of the expression's own
    LicenseRef-PdfiumThirdParty (REUSE names files after ids): not a bundled licence outside
    the expression. The CC-BY-4.0 of the documentation is."""
    found = scan_dirs(tmp_path, PYPDFIUM2, texts="all", use_cache=False)
    [package] = found.packages
    bundled = [f.message for f in found.findings if f.code == "DL116"]
    assert package.verdict.bundled == ("CC-BY-4.0.txt: CC-BY-4.0",)
    assert len(bundled) == 1 and "CC-BY-4.0.txt is CC-BY-4.0" in bundled[0]
