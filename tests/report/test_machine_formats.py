"""Machine formats validated against their schemas: json (own schema), SARIF 2.1.0,
CycloneDX 1.6 (cyclonedx-python-lib's validator) and SPDX 2.3 (spdx-tools' validator)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dllicense.models import ScanResult
from dllicense.report import render
from dllicense.report.csv_report import COLUMNS
from dllicense.report.sarif import SCHEMA_URI
from dllicense.rules import rules
from tests.report.conftest import ALL_RESULTS, REQUIREMENTS

JSON_SCHEMA = Path(__file__).parents[2] / "src/dllicense/report/schema/scan-result.schema.json"
# The official OASIS schema, copied unmodified (tests/fixtures/schemas/README.md)
SARIF_SCHEMA = Path(__file__).parents[1] / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ALL_RESULTS)
def test_json_matches_its_schema(name: str, request: pytest.FixtureRequest) -> None:
    result: ScanResult = request.getfixturevalue(name)
    schema = _load(JSON_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    data = json.loads(render(result, "json"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors
    assert data["generated"] == "2023-11-14T22:13:20+00:00"


def test_json_schema_rejects_drift(project_result: ScanResult) -> None:
    validator = jsonschema.Draft202012Validator(_load(JSON_SCHEMA))
    data = json.loads(render(project_result, "json"))
    data["packages"][0]["surprise"] = 1
    data["findings"][0]["severity"] = "fatal"
    assert len(list(validator.iter_errors(data))) == 2


def test_json_schema_trait_values_follow_the_vocabulary() -> None:
    from dllicense.knowledge import vocabulary

    traits = _load(JSON_SCHEMA)["$defs"]["traits"]["properties"]
    for axis in ("family", "patent", "commercial"):
        assert set(traits[axis]["enum"]) == set(vocabulary()[axis]), axis
    assert set(traits["obligations"]["items"]["enum"]) == set(vocabulary()["obligations"])


@pytest.mark.parametrize("name", ALL_RESULTS)
def test_sarif_is_valid_2_1_0(name: str, request: pytest.FixtureRequest) -> None:
    result: ScanResult = request.getfixturevalue(name)
    log = json.loads(render(result, "sarif"))
    jsonschema.Draft4Validator(_load(SARIF_SCHEMA)).validate(log)
    assert log["$schema"] == SCHEMA_URI and log["version"] == "2.1.0"
    run = log["runs"][0]
    assert len(run["results"]) == len(result.findings)
    driver_rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in driver_rules] == list(rules())
    for r in run["results"]:
        assert driver_rules[r["ruleIndex"]]["id"] == r["ruleId"]
    fingerprints = [r["partialFingerprints"]["dllicenseFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_rules_come_from_the_registry(project_result: ScanResult) -> None:
    run = json.loads(render(project_result, "sarif"))["runs"][0]
    by_id = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for code, rule in rules().items():
        assert by_id[code]["name"] == rule.slug
        assert by_id[code]["shortDescription"]["text"] == rule.summary
        assert by_id[code]["fullDescription"]["text"] == rule.explanation
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity.value]
        assert by_id[code]["defaultConfiguration"]["level"] == level


def _results(result: ScanResult, code: str, package: str) -> list[dict[str, Any]]:
    run = json.loads(render(result, "sarif"))["runs"][0]
    return [
        r
        for r in run["results"]
        if r["ruleId"] == code and r["properties"].get("package") == package
    ]


def test_sarif_points_at_the_declaring_line(project_result: ScanResult) -> None:
    (missing,) = _results(project_result, "DL001", "h5py")
    physical = missing["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "requirements.txt", "uriBaseId": "SRCROOT"}
    assert physical["region"] == {"startLine": 7}
    assert missing["level"] == "error"


def test_sarif_paths_are_relative_to_the_repository(tmp_path: Path) -> None:
    """A project in a sub-folder of its repository: code scanning resolves paths from the
    repository root, so the SARIF uri carries the sub-folder (found by its .git, a file in
    worktrees); outside any repository it is the project-relative path."""
    from tests.report.conftest import scan_project, write_project

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    project = write_project(repo / "services" / "train", "h5py\n")
    empty = tmp_path / "site-packages"  # an environment without h5py: DL001 at its line
    empty.mkdir()
    (missing,) = _results(scan_project(project, empty), "DL001", "h5py")
    uri = missing["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "services/train/requirements.txt"
    worktree = tmp_path / "worktree"
    worktree.mkdir()
    (worktree / ".git").write_text("gitdir: /elsewhere/.git/worktrees/w\n", "utf-8")
    at_root = write_project(worktree, "h5py\n")
    (missing,) = _results(scan_project(at_root, empty), "DL001", "h5py")
    assert missing["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "requirements.txt"
    )


def test_sarif_locates_transitive_findings_in_the_manifest(project_result: ScanResult) -> None:
    (numpy,) = _results(project_result, "DL201", "numpy")
    location = numpy["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "requirements.txt"
    path = numpy["properties"]["dependencyPath"]
    assert len(path) == 2 and path[-1] == "numpy"
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "/".join(path)
    assert "brought in by" in numpy["message"]["text"]


def test_sarif_transitive_finding_has_the_line_of_its_direct_dependency(
    project_result: ScanResult,
) -> None:
    (numpy,) = _results(project_result, "DL201", "numpy")
    direct = numpy["properties"]["dependencyPath"][0]
    lines = [line.split("=")[0] for line in REQUIREMENTS.splitlines()]
    region = numpy["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": lines.index(direct) + 1}


@pytest.mark.parametrize("name", ALL_RESULTS)
def test_cyclonedx_1_6_is_valid(name: str, request: pytest.FixtureRequest) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    result: ScanResult = request.getfixturevalue(name)
    text = render(result, "cyclonedx")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    assert bom["metadata"]["timestamp"].startswith("2023-11-14T22:13:20")
    components = {c["name"]: c for c in bom["components"]}
    assert set(components) == {p.node.name for p in result.packages}
    refs = {c["bom-ref"] for c in bom["components"]} | {bom["metadata"]["component"]["bom-ref"]}
    for dep in bom["dependencies"]:
        assert dep["ref"] in refs and set(dep.get("dependsOn", [])) <= refs
    for p in result.packages:
        c = components[p.node.name]
        assert c["purl"] == f"pkg:pypi/{p.node.name}@{p.node.version}"
        licences = c.get("licenses", [])
        if " " in p.verdict.expression:
            assert licences == [
                {"expression": p.verdict.expression, "acknowledgement": "concluded"}
            ]
        elif p.verdict.expression:
            (only,) = licences
            assert p.verdict.expression in (only["license"].get("id"), only["license"].get("name"))


def test_cyclonedx_dependencies_follow_requires(project_result: ScanResult) -> None:
    bom = json.loads(render(project_result, "cyclonedx"))
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert deps["pkg:pypi/keras@2.4.3"] == {"pkg:pypi/numpy@1.26.4", "pkg:pypi/scipy@1.17.1"}
    root = bom["metadata"]["component"]["bom-ref"]
    assert deps[root] == {
        f"pkg:pypi/{p.node.name}@{p.node.version}" for p in project_result.packages if p.node.direct
    }


@pytest.mark.parametrize("name", ALL_RESULTS)
def test_spdx_2_3_is_valid(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from spdx_tools.spdx.parser.json.json_parser import parse_from_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    result: ScanResult = request.getfixturevalue(name)
    path = tmp_path / "scan.spdx.json"
    path.write_text(render(result, "spdx"), encoding="utf-8")
    document = parse_from_file(str(path))
    messages = validate_full_spdx_document(document, "SPDX-2.3")
    assert not messages, [m.validation_message for m in messages]
    assert document.creation_info.created.isoformat() == "2023-11-14T22:13:20"
    names = {p.name for p in document.packages}
    assert names == {p.node.name for p in result.packages} | {result.project}
    concluded = {p.name: str(p.license_concluded) for p in document.packages}
    for p in result.packages:
        assert concluded[p.node.name] == (p.verdict.expression or "NOASSERTION")


def test_spdx_declares_every_licenseref(project_result: ScanResult) -> None:
    data = json.loads(render(project_result, "spdx"))
    ids = {e["licenseId"] for e in data["hasExtractedLicensingInfos"]}
    assert "LicenseRef-dllicense-unspecified-BSD" in ids
    relations = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
        for r in data["relationships"]
    }
    assert (
        "SPDXRef-Package-pypi-keras-2.4.3",
        "DEPENDS_ON",
        "SPDXRef-Package-pypi-numpy-1.26.4",
    ) in relations


@pytest.mark.parametrize("name", ALL_RESULTS)
def test_csv_has_one_row_per_package(name: str, request: pytest.FixtureRequest) -> None:
    result: ScanResult = request.getfixturevalue(name)
    rows = list(csv.DictReader(io.StringIO(render(result, "csv"))))
    assert list(rows[0]) == list(COLUMNS)
    assert [r["name"] for r in rows] == [p.node.name for p in result.packages]
    for row, p in zip(rows, result.packages, strict=True):
        assert row["version"] == p.node.version
        assert row["license"] == p.verdict.expression
        assert row["status"] == p.status
        assert row["path"] == " > ".join(p.node.path)
        assert row["direct"] == str(p.node.direct).lower()


def test_csv_rows(project_result: ScanResult) -> None:
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(render(project_result, "csv")))}
    assert rows["numpy"]["status"] == "error"
    assert rows["numpy"]["family"] == "permissive"
    assert rows["numpy"]["path"].endswith("> numpy")
    assert rows["keras"]["decided_by"] == "METADATA:License"
    assert rows["torch"]["patent"] in {"silent", "unknown", "grant-with-retaliation"}


def test_sarif_fingerprints_survive_upgrades_and_rewording(project_result: ScanResult) -> None:
    from dataclasses import replace

    def prints(result: ScanResult) -> list[str]:
        run = json.loads(render(result, "sarif"))["runs"][0]
        return [r["partialFingerprints"]["dllicenseFinding/v1"] for r in run["results"]]

    changed = tuple(
        replace(f, version=f.version + ".post1", message=f.message + " (reworded)")
        if f.package
        else f
        for f in project_result.findings
    )
    assert prints(replace(project_result, findings=changed)) == prints(project_result)


@pytest.mark.parametrize("name", ALL_RESULTS)
def test_json_rows_encoded_piecewise_equal_the_whole_document(
    name: str, request: pytest.FixtureRequest
) -> None:
    """render() splices pre-encoded traits into each package row; the document it writes
    parses to exactly to_dict's value."""
    from dllicense.report.json_report import to_dict

    result: ScanResult = request.getfixturevalue(name)
    text = render(result, "json")
    expected = to_dict(result)
    assert json.loads(text) == expected
    assert any(p["traits"] for p in expected["packages"])  # the spliced part is exercised


def test_spdx_ids_name_the_ecosystem(tmp_path: Path) -> None:
    """A conda package of a real pixi.lock and a Hugging Face model are not PyPI
    distributions: their SPDX ids say their ecosystem (every id was 'SPDXRef-Package-pypi-',
    e.g. ...-pypi-libgcc-15.2.0 for conda's libgcc in 0xNOY/rex_omni_ros); ids stay unique
    and the document valid."""
    from spdx_tools.spdx.parser.json.json_parser import parse_from_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    from dllicense.pipeline import ScanOptions, scan

    pixi = Path(__file__).parents[1] / "fixtures" / "conda" / "pixi" / "deep_learning_course"
    project = tmp_path / "project"
    shutil.copytree(pixi, project)
    (project / "app.py").write_text(
        'from transformers import AutoModel\nAutoModel.from_pretrained("google/gemma-2b")\n',
        encoding="utf-8",
    )
    options = ScanOptions(project=project, texts="none", models=True, platform="linux")
    result = scan(options)
    path = tmp_path / "scan.spdx.json"
    path.write_text(render(result, "spdx"), encoding="utf-8")
    data = _load(path)
    listed = [p["SPDXID"] for p in data["packages"]]
    assert len(set(listed)) == len(listed)
    ids = {p["name"]: p["SPDXID"] for p in data["packages"]}
    assert ids["pytorch"].startswith("SPDXRef-Package-conda-pytorch-")
    assert ids["torch-tb-profiler"].startswith("SPDXRef-Package-pypi-torch-tb-profiler-")
    assert ids["google/gemma-2b"] == "SPDXRef-Package-huggingface-model-google-gemma-2b-"
    messages = validate_full_spdx_document(parse_from_file(str(path)), "SPDX-2.3")
    assert not messages, [m.validation_message for m in messages]
