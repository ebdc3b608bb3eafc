"""PEP 770 SBOMs: bundled components are evidence, never the package's own licence."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import DISTS, scan_dirs


def test_pillow_sbom_lists_bundled_components_without_deciding(tmp_path: Path) -> None:
    result = scan_dirs(tmp_path, DISTS / "pillow-13.0.0", texts="none")
    [pillow] = result.packages
    assert pillow.verdict.expression == "MIT-CMU"
    bundled = {e.value: e.expression for e in pillow.evidence if e.kind == "sbom-component"}
    assert bundled["libimagequant 4.4.1"] == "GPL-3.0-or-later"
    assert bundled["zlib 2.3.3"] == "Zlib"
    assert not pillow.verdict.disagreements  # a bundled GPL library is not a disagreement


def test_broken_sbom_is_a_finding(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(DISTS / "onnx-1.23.2", site)
    [sbom] = site.glob("*.dist-info/sboms/*.json")
    sbom.write_text('{"bomFormat": "CycloneDX", "components": [', encoding="utf-8")
    result = scan_dirs(tmp_path, site, texts="none")
    assert [p.verdict.expression for p in result.packages] == ["Apache-2.0"]
    [broken] = [f for f in result.findings if f.code == "DL114"]
    assert broken.package == "onnx" and "sbom.cdx.json" in broken.message


def test_pillow_licence_file_is_its_own_licence_not_a_bundled_one(tmp_path: Path) -> None:
    """pillow's licenses/LICENSE opens with the PIL text ("Pillow is licensed under the open
    source MIT-CMU License:"), which scancode (reading the file) matches as that MIT-CMU
    reference and pieces of text, before the bundled libraries' whole texts: the statement
    is pillow's licence, not a bundled one the expression leaves out (a false DL116)."""
    result = scan_dirs(tmp_path, DISTS / "pillow-13.0.0", texts="all", use_cache=False)
    [pillow] = result.packages
    assert pillow.verdict.expression == "MIT-CMU"
    assert any(
        e.source == "licenses/LICENSE" and e.expression == "MIT-CMU" for e in pillow.evidence
    )
    assert pillow.verdict.bundled == ()
    assert [f.code for f in result.findings] == []
