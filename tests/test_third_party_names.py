"""A licence file named for bundled third parties by its suffix (fonttools' LICENSE.external)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import scan_dirs

FONTTOOLS = Path(__file__).parent / "fixtures" / "third-party-names" / "fonttools-4.59.0"


def test_license_external_is_a_bundled_licence_not_a_disagreement(tmp_path: Path) -> None:
    """fontTools is MIT; LICENSE.external holds the OFL-1.1 of the fonts it bundles for its
    tests: a bundled licence (DL116), never a disagreement with the package's own (DL103)."""
    result = scan_dirs(tmp_path, FONTTOOLS, texts="all", use_cache=False)
    [fonttools] = result.packages
    assert fonttools.verdict.expression == "MIT"
    kinds = {e.source: e.kind for e in fonttools.evidence if e.sha256}
    assert kinds == {
        "licenses/LICENSE": "license-file",
        "licenses/LICENSE.external": "third-party-file",
    }
    assert [f.code for f in result.findings] == ["DL116"]
    assert "licenses/LICENSE.external is OFL-1.1" in result.findings[0].message
