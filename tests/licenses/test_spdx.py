"""Licence names, expressions and classifiers to SPDX."""

from __future__ import annotations

import pytest
from trove_classifiers import classifiers as trove

from dllicense.licenses.spdx import (
    classifier_table,
    license_keys,
    normalize,
    normalize_expression,
)

# Free-text values seen in real metadata (shared/research/metadata-quirks.md).
CASES = [
    ("Apache 2.0", "Apache-2.0", False),
    ("Apache License 2.0", "Apache-2.0", False),
    ("Apache 2.0 License", "Apache-2.0", False),
    ("Apache License, Version 2.0", "Apache-2.0", False),
    ("Apache Software License", "Apache-2.0", False),
    ("MIT License", "MIT", False),
    ("3-Clause BSD License", "BSD-3-Clause", False),
    ("BSD 3-Clause", "BSD-3-Clause", False),
    ("GPL v3", "GPL-3.0-only", False),
    ("LGPL v3", "LGPL-3.0-only", False),
    ("GPLv2+", "GPL-2.0-or-later", False),
    ("BSD", "LicenseRef-dllicense-unspecified-BSD", True),
    ("GPL", "LicenseRef-dllicense-unspecified-GPL", True),
    ("LGPL with exceptions", "LicenseRef-dllicense-unspecified-LGPL", True),
    ("MPL-2.0 AND MIT", "MPL-2.0 AND MIT", False),
    ("LGPL-2.1", "LGPL-2.1-only", False),  # deprecated id, read as SPDX does
    ("Intel Simplified Software License", "LicenseRef-Intel-ISSL", False),
    ("LicenseRef-NVIDIA-Proprietary", "LicenseRef-NVIDIA-Proprietary", False),
    ("Apache 2.0 OR MIT", "Apache-2.0 OR MIT", False),
]


@pytest.mark.parametrize(("value", "expected", "vague"), CASES)
def test_free_text_names(value: str, expected: str, vague: bool) -> None:
    found = normalize(value)
    assert (found.expression, found.vague) == (expected, vague)


@pytest.mark.parametrize("value", ["UNKNOWN", "", "see LICENSE", "Dual License", "OTHER"])
def test_values_that_name_no_licence(value: str) -> None:
    found = normalize(value)
    assert found.expression == ""
    assert found.error


def test_expression_keeps_with_and_structure() -> None:
    text = "Apache-2.0 AND Apache-2.0 WITH LLVM-exception AND BSD-2-Clause AND BSL-1.0 AND MIT"
    assert normalize_expression(text).expression == text
    assert (
        normalize_expression("mit or (bsd-3-clause and zlib)").expression
        == "MIT OR (BSD-3-Clause AND Zlib)"
    )


@pytest.mark.parametrize("bad", ["(MIT", "MIT OR", "MIT AND AND BSD", "GPL v3 OR Foo Bar"])
def test_invalid_expressions_are_errors_not_exceptions(bad: str) -> None:
    found = normalize_expression(bad)
    assert found.expression == ""
    assert found.error


def test_license_keys() -> None:
    assert license_keys("MIT OR (Apache-2.0 WITH LLVM-exception)") == (
        "Apache-2.0",
        "LLVM-exception",
        "MIT",
    )
    assert license_keys("") == ()


def test_every_trove_license_classifier_is_mapped() -> None:
    table = classifier_table()
    licence_classifiers = sorted(c for c in trove if c.startswith("License ::"))
    missing = [c for c in licence_classifiers if c not in table]
    assert not missing, missing
    for classifier, spdx in table.items():
        if spdx:
            assert normalize_expression(spdx).expression == spdx, classifier
