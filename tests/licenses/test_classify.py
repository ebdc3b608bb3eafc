"""Classification rules on evidence as the collectors produce it (values from real packages)."""

from __future__ import annotations

from dllicense.licenses.classify import classify
from dllicense.licenses.identify import own_licence
from dllicense.licenses.textid import TextMatch
from dllicense.models import Evidence

BSD = "LicenseRef-dllicense-unspecified-BSD"
ARTISTIC = "LicenseRef-dllicense-unspecified-Artistic"
GPL = "LicenseRef-dllicense-unspecified-GPL"


def ev(
    kind: str, expression: str, source: str = "", vague: bool = False, matched: tuple[str, ...] = ()
) -> Evidence:
    return Evidence(kind, source or kind, expression, expression, vague, matched=matched)


def test_vague_name_refined_by_the_licence_file() -> None:  # Theano 1.0.5
    verdict = classify(
        [
            ev("license", BSD, vague=True),
            ev("classifier", BSD, vague=True),
            ev("license-file", "BSD-3-Clause", "licenses/LICENSE.txt"),
        ]
    )
    assert verdict.expression == "BSD-3-Clause"
    assert not verdict.disagreements


def test_dual_licence_from_classifiers_with_the_family_refined() -> None:  # text-unidecode
    verdict = classify(
        [
            ev("license", ARTISTIC, vague=True),
            ev("classifier", ARTISTIC, vague=True),
            ev("classifier", GPL, vague=True),
            ev("classifier", "GPL-2.0-or-later"),
            ev(
                "license-file",
                "Artistic-1.0-Perl",
                "LICENSE.txt",
                matched=(
                    "Artistic-1.0-Perl",
                    "GPL-1.0-or-later OR GPL-2.0-or-later OR Artistic-1.0",
                ),
            ),
        ]
    )
    assert verdict.expression == "Artistic-1.0-Perl OR GPL-2.0-or-later"


def test_licence_file_adds_the_exception() -> None:  # nvidia-nvtx 13.0.85
    verdict = classify(
        [
            ev("license", "Apache-2.0"),
            ev("license-file", "Apache-2.0 WITH LLVM-exception", "licenses/License.txt"),
        ]
    )
    assert verdict.expression == "Apache-2.0 WITH LLVM-exception"


def test_gnu_text_and_or_later_name_combine() -> None:  # chardet 5.2.0
    verdict = classify(
        [
            ev("license", "LicenseRef-dllicense-unspecified-LGPL", vague=True),
            ev("classifier", "LGPL-2.0-or-later"),
            ev("license-file", "LGPL-2.1-only", "LICENSE"),
        ]
    )
    assert verdict.expression == "LGPL-2.1-or-later"


def test_explicit_only_is_never_widened() -> None:
    verdict = classify(
        [ev("license-expression", "GPL-2.0-only"), ev("classifier", "GPL-2.0-or-later")]
    )
    assert verdict.expression == "GPL-2.0-only"
    assert not verdict.disagreements  # same licence, version nuance


def test_knowledge_adds_what_metadata_omits() -> None:  # CNTK before 2.5
    verdict = classify(
        [ev("license", "MIT"), ev("knowledge", "MIT AND LicenseRef-CNTK-1bitSGD", "knowledge:cntk")]
    )
    assert verdict.expression == "MIT AND LicenseRef-CNTK-1bitSGD"


def test_licence_files_alone_all_apply_unless_one_offers_the_choice() -> None:
    both = classify(
        [
            ev("license-file", "Apache-2.0", "apache-2.0.LICENSE"),
            ev("license-file", "CC-BY-4.0", "cc-by-4.0.LICENSE"),
        ]
    )
    assert both.expression == "Apache-2.0 AND CC-BY-4.0"  # commoncode: code and docs
    choice = classify(
        [
            ev("license-file", "BSD-3-Clause OR Apache-2.0", "LICENSE"),
            ev("license-file", "Apache-2.0", "LICENSE.APACHE"),
            ev("license-file", "BSD-2-Clause", "LICENSE.BSD"),
        ]
    )
    assert choice.expression == "BSD-3-Clause OR Apache-2.0"  # packaging's pointer file


def test_disagreements() -> None:
    conflict = classify([ev("license-expression", "MIT"), ev("license-file", "GPL-3.0-only")])
    assert conflict.disagreements == ("license-file says GPL-3.0-only",)
    related = classify([ev("license-expression", "PSF-2.0"), ev("license-file", "Python-2.0")])
    assert not related.disagreements  # the Python licence text contains the PSF agreement
    unknown = classify([ev("license", ""), ev("classifier", "")])
    assert (unknown.expression, unknown.confidence) == ("", "none")


def test_patents_file_joins() -> None:  # a BSD package with Facebook's PATENTS grant
    verdict = classify(
        [
            ev("license", "BSD-3-Clause"),
            ev("patents-file", "LicenseRef-Facebook-Patents", "PATENTS"),
        ]
    )
    assert verdict.expression == "BSD-3-Clause AND LicenseRef-Facebook-Patents"


def match(key: str, start: int, end: int, score: float = 100.0, ref: bool = False) -> TextMatch:
    return TextMatch(key, score, start, end, "rule", "2-aho", ref)


def test_own_licence_of_a_text() -> None:
    # numpy 1.26's License field: its own BSD text first, bundled libraries' texts after
    numpy = [
        match("BSD-3-Clause", 1, 30),
        match("GPL-3.0-or-later WITH GCC-exception-3.1", 90, 700),
        match("LGPL-2.1-or-later", 720, 1200),
    ]
    own, quoted = own_licence(numpy)
    assert own == "BSD-3-Clause"
    assert "LGPL-2.1-or-later" in quoted
    # typing_extensions' LICENSE: a "GPL-compatible" history table before the Python licence
    python = [
        match("Python-2.0", 23, 24, ref=True),
        match("GPL-1.0-or-later", 44, 45),
        match("Python-2.0", 73, 265, score=78),
        match("0BSD", 270, 279),
    ]
    assert own_licence(python)[0] == "Python-2.0"
    # a credit line read as MIT in a BSD file (Theano)
    assert (
        own_licence([match("MIT", 12, 12, 80, ref=True), match("BSD-3-Clause", 14, 35)])[0]
        == "BSD-3-Clause"
    )
