"""A package's JSON row, built for speed (tuples as they are, traits encoded once per licence),
is byte for byte the compact encoding of ``to_dict``'s package, on every fixture distribution."""

from __future__ import annotations

import json
from pathlib import Path

from dllicense.report.json_report import _package, _package_json
from tests.conftest import scan_dirs

DISTS = Path(__file__).parents[1] / "fixtures" / "dists"


def test_rows_equal_the_dict_encoding(tmp_path: Path) -> None:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    result = scan_dirs(tmp_path, *sorted(p for p in DISTS.iterdir() if p.is_dir()), texts="none")
    assert len(result.packages) >= 30
    assert any(p.verdict.traits for p in result.packages)
    for package in result.packages:
        assert _package_json(package) == encode(_package(package)), package.node.name
