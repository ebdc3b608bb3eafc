"""A package's JSON row, built for speed (tuples as they are, traits encoded once per licence),
is byte for byte the compact encoding of ``to_dict``'s package, on every fixture distribution."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from dllicense.models import PackageResult, ScanResult
from dllicense.pipeline.findings import evidence_findings
from dllicense.report.json_report import _package, _package_json, render
from tests.conftest import scan_dirs

DISTS = Path(__file__).parents[1] / "fixtures" / "dists"


def test_rows_equal_the_dict_encoding(tmp_path: Path) -> None:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    result = scan_dirs(tmp_path, *sorted(p for p in DISTS.iterdir() if p.is_dir()), texts="none")
    assert len(result.packages) >= 30
    assert any(p.verdict.traits for p in result.packages)
    for package in result.packages:
        assert _package_json(package) == encode(_package(package)), package.node.name


def _odd(package: PackageResult, i: int) -> PackageResult:
    """The package with every string field holding what JSON must escape or keep as is."""
    odd = f'q"uote\\back\nline\tT\x01 é ☃ \U0001f600 </script> {i}'
    node = replace(
        package.node,
        name=f"{package.node.name}{odd}",
        version=odd,
        scopes=(*package.node.scopes, odd),
        path=(odd,),
        parents=(odd, "b"),
        requires=(),
        depends=((odd, odd), ("a", "1")),
        direct=bool(i % 2),
    )
    verdict = replace(
        package.verdict,
        expression=odd if i % 3 else "",
        decided_by=(odd,),
        disagreements=(odd, odd),
        notes=(odd,),
    )
    evidence = tuple(replace(e, note=odd, holders=(odd, "Jane Doé")) for e in package.evidence)
    return replace(package, node=node, verdict=verdict, evidence=evidence, chosen=odd * (i % 2))


def test_rows_with_odd_strings_and_shared_parts(tmp_path: Path) -> None:
    """Escapes, non-ASCII, empty lists, null ``license`` and ``chosen``; and a whole render,
    where equal evidence, origins and one verdict object shared by several packages are
    encoded once, gives each package's own encoding on its line."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    result = scan_dirs(tmp_path, *sorted(p for p in DISTS.iterdir() if p.is_dir()), texts="none")
    odd = [_odd(p, i) for i, p in enumerate(result.packages)]
    shared = odd[0].verdict  # one verdict object for packages of different evidence
    packages = [*odd, *(replace(p, verdict=shared) for p in odd[:5]), *result.packages]
    # the end of a row is shared by packages of one verdict object, origin and evidence:
    # each of the three differing alone gives another end
    first = packages[-1]
    holder = tuple(replace(e, holders=("Someone Else",)) for e in first.evidence)
    packages += [
        replace(first, node=replace(first.node, name="same-end")),
        replace(first, origin=replace(first.origin, files="not-fetched")),
        replace(first, evidence=holder),
        replace(first, verdict=replace(first.verdict)),  # an equal verdict, another object
    ]
    assert first.evidence and holder != first.evidence
    for package in packages:
        assert _package_json(package) == encode(_package(package)), package.node.name
    lines = render(replace(result, packages=tuple(packages))).splitlines()
    start = lines.index('  "packages": [') + 1
    rows = [line.removeprefix("    ").removesuffix(",") for line in lines[start:]][: len(packages)]
    assert rows == [encode(_package(p)) for p in packages]


def _mirrors(tmp_path: Path, fixture: str, name: str) -> ScanResult:
    """A scan of two copies of a fixture's real dist-info, renamed mirror-one and
    mirror-two (``name``: the ``Name`` field it has)."""
    source = next((DISTS / fixture).glob("*.dist-info"))
    site = tmp_path / "site"
    for mirror in ("mirror_one", "mirror_two"):
        folder = site / f"{mirror}-1.0.dist-info"
        shutil.copytree(source, folder)
        metadata = folder / "METADATA"
        text = metadata.read_text("utf-8").replace(f"Name: {name}", f"Name: {mirror}", 1)
        metadata.write_text(text, "utf-8")
    project = tmp_path / "project"
    project.mkdir()
    return scan_dirs(project, site, texts="none")


def test_equal_evidence_is_one_tuple(tmp_path: Path) -> None:
    """Two distributions that differ only in name (certifi's real dist-info, renamed twice)
    find equal evidence: the scan gives them one evidence tuple (the JSON rows share their
    end by its identity), and each row is still its own package's encoding."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    result = _mirrors(tmp_path, "certifi-2026.10.19.post1", "certifi")
    one, two = sorted(result.packages, key=lambda p: p.node.name)
    assert (one.node.name, two.node.name) == ("mirror-one", "mirror-two")
    assert one.evidence and one.evidence == two.evidence
    assert one.evidence is two.evidence
    lines = render(result).splitlines()
    start = lines.index('  "packages": [') + 1
    rows = [line.removeprefix("    ").removesuffix(",") for line in lines[start : start + 2]]
    assert rows == [encode(_package(p)) for p in (one, two)]


def test_what_equal_evidence_says_is_said_of_each_package(tmp_path: Path) -> None:
    """text-unidecode 1.3 states only licence families (DL102): two renamed copies share one
    evidence tuple, and the scan, which works out what evidence says once per distinct
    evidence, still gives each package its own finding, as ``evidence_findings`` does."""
    result = _mirrors(tmp_path, "text-unidecode-1.3", "text-unidecode")
    one, two = sorted(result.packages, key=lambda p: p.node.name)
    assert one.evidence is two.evidence
    said = sorted((f.package, f.code, f.message) for f in result.findings if f.code == "DL102")
    expected = sorted(
        (f.package, f.code, f.message)
        for p in (one, two)
        for f in evidence_findings(p.node, p.verdict, p.evidence)
    )
    assert [package for package, *_ in said] == ["mirror-one", "mirror-two"]
    assert said == expected
