"""Classification rules on evidence as the collectors produce it (values from real packages)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dllicense.classify.texts import own_licence
from dllicense.classify.verdict import classify
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


def _file(expression: str, source: str, note: str = "") -> Evidence:
    return Evidence("license-file", source, "1 bytes", expression, sha256="0" * 64, note=note)


def test_classifiers_are_not_alternatives_without_a_text_saying_so() -> None:  # uvloop
    both = [ev("classifier", "Apache-2.0"), ev("classifier", "MIT")]
    assert classify(both).expression == "Apache-2.0 AND MIT"
    offered = [*both, _file("Apache-2.0 OR MIT", "LICENSE")]  # "your choice of"
    assert classify(offered).expression == "Apache-2.0 OR MIT"


def test_public_domain_gives_way_to_the_dedication_named_by_the_file() -> None:  # blobfile
    verdict = classify(
        [ev("license", "LicenseRef-dllicense-public-domain"), _file("Unlicense", "LICENSE")]
    )
    assert verdict.expression == "Unlicense" and not verdict.disagreements


def test_own_second_licence_file_named_by_a_classifier_adds_an_and() -> None:  # cmake
    verdict = classify(
        [
            ev("license", "Apache-2.0"),
            ev("classifier", "Apache-2.0"),
            ev("classifier", BSD, vague=True),
            _file("Apache-2.0", "licenses/LICENSE_Apache_20"),
            _file("BSD-3-Clause", "licenses/LICENSE_BSD_3"),
        ]
    )
    assert verdict.expression == "Apache-2.0 AND BSD-3-Clause"
    # without the classifier naming BSD, a LICENSES overview's MIT is no second licence (lxml)
    lone = classify([ev("license", "BSD-3-Clause"), _file("BSD-3-Clause", "L"), _file("MIT", "M")])
    assert lone.expression == "BSD-3-Clause"


def test_no_stacked_exceptions() -> None:  # mysql-connector-python
    two = "GPL-2.0-only WITH Universal-FOSS-exception-1.0 AND GPL-2.0-only WITH GPL-CC-1.0"
    verdict = classify([ev("classifier", GPL, vague=True), _file(two, "LICENSE.txt")])
    assert verdict.expression == two


def test_disagreement_only_between_licences_that_differ_in_meaning() -> None:
    same = classify(
        [ev("license-expression", "MIT-CMU"), _file("LicenseRef-scancode-secret-labs-2011", "L")]
    )
    assert not same.disagreements  # pillow: scancode's id for the same licence
    differ = classify([ev("license", "MIT"), _file("GPL-3.0-only", "LICENSE")])
    assert differ.disagreements == ("LICENSE says GPL-3.0-only",)


def test_bundled_texts_outside_the_expression_are_listed_not_disputed() -> None:  # shapely
    verdict = classify(
        [ev("license-expression", "BSD-3-Clause"), _file("LGPL-2.1-only", "LICENSE_GEOS")]
    )
    assert verdict.bundled == ("LICENSE_GEOS: LGPL-2.1-only",)
    assert not verdict.disagreements


def test_choice_preamble_and_embedded_notice() -> None:
    def m(key: str, start: int, end: int, ref: bool = False) -> TextMatch:
        return TextMatch(key, 100.0, start, end, "r", "2-aho", ref)

    reedsolo = "The software is available under your choice of\nUnlicense or\nMIT-0:\n" + "x\n" * 40
    matches = [m("Unlicense", 2, 2, True), m("MIT-0", 3, 3, True), m("Unlicense", 8, 31)]
    assert own_licence(matches, reedsolo)[0] == "Unlicense OR MIT-0"
    eula = "NVIDIA license\n" + "terms\n" * 1500
    assert (
        own_licence([m("LicenseRef-x-proprietary", 1, 1, True), m("BSL-1.0", 968, 993)], eula)[0]
        == "LicenseRef-x-proprietary"
    )


def test_same_string_same_reading_and_names_joined_by_or() -> None:
    from dllicense.licenses.spdx import classifier_table, normalize

    gpl = "License :: OSI Approved :: GNU General Public License (GPL)"
    assert normalize("GNU General Public License (GPL)").expression == classifier_table()[gpl]
    pymupdf = "Dual Licensed - GNU AFFERO GPL 3.0 or Artifex Commercial License"
    assert normalize(pymupdf).expression == (
        "AGPL-3.0-only OR LicenseRef-dllicense-unspecified-proprietary"
    )
    assert normalize("(MIT OR Apache-2.0").expression == ""  # never guessed from a broken one


@pytest.mark.slow  # the pointer file's text is identified by the scancode engine
def test_pointer_file_stands_for_the_files_it_names(tmp_path: Path) -> None:  # packaging
    from dllicense.classify.texts import identify_texts
    from dllicense.collect import collect
    from dllicense.discover.distributions import read_distribution
    from dllicense.models import Distribution
    from tests.conftest import FIXTURES

    [folder] = (FIXTURES / "corpus" / "dists" / "packaging-26.4").glob("*.dist-info")
    dist = read_distribution(folder, "site")
    assert isinstance(dist, Distribution)
    items, _ = identify_texts([collect(dist)], "primary", tmp_path, True)
    pointer = next(e for e in items[0].evidence if e.source == "licenses/LICENSE")
    assert pointer.expression == "Apache-2.0 OR BSD-2-Clause", pointer


def test_statement_before_a_text_matched_in_pieces_is_the_licence() -> None:  # pillow 13.0.0
    """scancode (as ``scancode -l`` runs on the file) matches pillow's MIT-CMU text only as a
    reference, other-permissive and a warranty disclaimer, then whole texts of the bundled
    libraries (BSD-2-Clause first): the stated licence is pillow's, not the first of those."""
    from dllicense.licenses import textid

    data = (Path(__file__).parent / "texts" / "MIT-CMU-pillow.txt").read_bytes()
    ident = textid.TextIdentifier(None, use_cache=False).identify(data)
    assert ident is not None and ident.source == "shipped-table"
    assert ident.matches[0].key == "MIT-CMU" and ident.matches[0].is_reference
    own, quoted = own_licence(ident.matches, data.decode("utf-8"))
    assert own == "MIT-CMU"
    assert "BSD-2-Clause" in quoted


def test_named_public_domain_dedication_over_the_generic_statement() -> None:  # docutils
    """docutils 0.23.1's COPYING.rst: "placed in the public domain" (a whole 6-line match of
    scancode's generic public-domain rule), then the dedication itself (CC-PDDC)."""
    from dllicense.licenses import textid

    path = next(
        Path(__file__)
        .parents[1]
        .glob("fixtures/corpus/dists/docutils-0.23.1/*/licenses/COPYING.rst")
    )
    data = path.read_bytes()
    ident = textid.TextIdentifier(None, use_cache=False).identify(data)
    assert ident is not None and ident.source == "shipped-table"
    assert ident.matches[0].key == "LicenseRef-scancode-public-domain"
    assert own_licence(ident.matches, data.decode("utf-8"))[0] == "CC-PDDC"


TORCH_210 = Path(__file__).parent / "texts" / "BSD-3-Clause-torch-2.10.0.txt"
NVIDIA_EULA = next(
    Path(__file__)
    .parents[1]
    .glob("fixtures/dists/nvidia-cuda-runtime-cu12-12.9.79/*/licenses/License.txt")
)


def test_own_licence_of_a_long_concatenation_is_read_from_its_opening_part() -> None:
    """torch 2.10.0's LICENSE: its BSD-3-Clause text (lines 59-84), then 8,900 lines of
    bundled libraries and their licences. Asked on the whole file, scancode (the CLI too)
    matches the BSD text only as pieces of Apache-1.1 and proprietary-license; the opening
    part before the first strong match of the bundled list, identified alone, is BSD-3-Clause."""
    from dllicense.licenses import textid
    from dllicense.licenses.ownlicence import own_part, reads_strongly

    data = TORCH_210.read_bytes()
    text = data.decode("utf-8")
    identifier = textid.TextIdentifier(None, use_cache=False)
    whole = identifier.identify(data)
    assert whole is not None and whole.source == "shipped-table"
    assert own_licence(whole.matches, text)[0] == (
        "Apache-1.1 AND LicenseRef-scancode-proprietary-license"
    )
    part = own_part(whole.matches, text)
    assert part.splitlines()[0] == "From PyTorch:" and len(part.splitlines()) == 90
    alone = identifier.identify(part.encode("utf-8"))
    assert alone is not None and alone.source == "shipped-table"  # no engine in a cold scan
    assert reads_strongly(alone.matches)
    assert own_licence(alone.matches, part)[0] == "BSD-3-Clause"


@pytest.mark.parametrize("header", ["License: BSD-3-Clause", "License-Expression: BSD-3-Clause"])
def test_torch_licence_file_agrees_with_its_metadata(tmp_path: Path, header: str) -> None:
    """torch 2.10.0's METADATA and LICENSE (texts/SOURCES.md); ``License:`` as the wheel has
    it (was a false DL103), ``License-Expression:`` as later torch versions declare (was a
    false DL116: a licence file the PEP 639 expression does not cover)."""
    from tests.conftest import scan_dirs

    info = tmp_path / "site" / "torch-2.10.0.dist-info"
    (info / "licenses").mkdir(parents=True)
    metadata = (TORCH_210.parent / "torch-2.10.0-METADATA.txt").read_text(encoding="utf-8")
    assert "\nLicense: BSD-3-Clause\n" in metadata
    (info / "METADATA").write_text(
        metadata.replace("\nLicense: BSD-3-Clause\n", f"\n{header}\n"), encoding="utf-8"
    )
    (info / "licenses" / "LICENSE").write_bytes(TORCH_210.read_bytes())
    (tmp_path / "project").mkdir()
    result = scan_dirs(tmp_path / "project", tmp_path / "site", use_cache=False)
    [torch] = [p for p in result.packages if p.node.name == "torch"]
    licence = next(e for e in torch.evidence if e.source == "licenses/LICENSE")
    assert licence.expression == "BSD-3-Clause", licence
    assert "read from lines 1-90 alone" in licence.note
    assert torch.verdict.expression == "BSD-3-Clause"
    assert torch.verdict.bundled == () and torch.verdict.disagreements == ()


def test_proprietary_licence_of_a_long_concatenation_is_still_found(tmp_path: Path) -> None:
    """NVIDIA's EULA (nvidia-cuda-runtime-cu12 12.9.79, 1,568 lines with its third-party
    notices) stays proprietary: its own licence is matched strongly, nothing is read again;
    a PEP 639 expression that says otherwise is disputed by the file (DL103)."""
    from dllicense.licenses import textid
    from dllicense.licenses.ownlicence import own_part
    from tests.conftest import scan_dirs

    data = NVIDIA_EULA.read_bytes()
    ident = textid.TextIdentifier(None, use_cache=False).identify(data)
    assert ident is not None
    own = own_licence(ident.matches, data.decode("utf-8"))[0]
    assert own == "LicenseRef-scancode-proprietary-license"
    assert own_part(ident.matches, data.decode("utf-8")) == ""

    info = tmp_path / "site" / "nvidia_cuda_runtime_cu12-12.9.79.dist-info"
    shutil.copytree(NVIDIA_EULA.parents[1], info)
    metadata = (info / "METADATA").read_text(encoding="utf-8")
    assert "\nLicense: LicenseRef-NVIDIA-Proprietary\n" in metadata
    (info / "METADATA").write_text(
        metadata.replace(
            "\nLicense: LicenseRef-NVIDIA-Proprietary\n", "\nLicense-Expression: MIT\n"
        ),
        encoding="utf-8",
    )
    (tmp_path / "project").mkdir()
    result = scan_dirs(tmp_path / "project", tmp_path / "site", use_cache=False)
    [nvidia] = result.packages
    licence = next(e for e in nvidia.evidence if e.source == "licenses/License.txt")
    assert licence.expression == own and "read from lines" not in licence.note
    assert f"licenses/License.txt says {own}" in nvidia.verdict.disagreements


def test_nvidia_wheel_licence_file_is_the_licence_its_expression_names(tmp_path: Path) -> None:
    """nvidia-cudnn-cu13 9.26.0.51 (texts/SOURCES.md): ``License-Expression:
    LicenseRef-NVIDIA-Proprietary`` and its License.txt, NVIDIA's SDK agreement (scancode's
    nvidia-sdk-eula-v0.11), are one licence: no "bundled licence not covered" (was a false
    DL116); a wheel declaring MIT with that file is still disputed."""
    from tests.conftest import scan_dirs

    texts = TORCH_210.parent
    metadata = (texts / "nvidia-cudnn-cu13-9.26.0.51-METADATA.txt").read_text(encoding="utf-8")
    declared = "\nLicense-Expression: LicenseRef-NVIDIA-Proprietary\n"
    assert declared in metadata
    for header, bundled in ((declared, False), ("\nLicense-Expression: MIT\n", True)):
        site = tmp_path / header.strip().rsplit(" ", 1)[-1] / "site"
        info = site / "nvidia_cudnn_cu13-9.26.0.51.dist-info"
        (info / "licenses").mkdir(parents=True)
        (info / "METADATA").write_text(metadata.replace(declared, header), encoding="utf-8")
        eula = (texts / "LicenseRef-NVIDIA-Proprietary-cudnn.txt").read_bytes()
        (info / "licenses" / "License.txt").write_bytes(eula)
        (site.parent / "project").mkdir()
        result = scan_dirs(site.parent / "project", site, use_cache=False)
        [cudnn] = result.packages
        licence = next(e for e in cudnn.evidence if e.source == "licenses/License.txt")
        assert licence.expression == "LicenseRef-scancode-nvidia-sdk-eula-v0.11", licence
        assert bool(cudnn.verdict.bundled) is bundled, cudnn.verdict
