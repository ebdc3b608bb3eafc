"""End to end through the CLI: the lock is the graph, the environment (if any) the metadata."""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dllicense.cli import main
from tests.conftest import WHEELS
from tests.locks.conftest import copy_project


def _scan(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["scan", str(project), "--no-cache", *args])


def _json(result: Result) -> dict[str, Any]:
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _findings(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["code"], f["package"], f["version"]) for f in data["findings"])


def test_nothing_installed_every_locked_package_lacks_metadata(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = _scan(project, "--format", "json")
    data = _json(result)
    assert result.exit_code == 1
    assert data["environment"] == "lock file uv.lock (nothing installed)"
    assert "uv.lock" in data["sources"]
    packages = {p["name"]: p["version"] for p in data["packages"]}
    assert packages == {
        "certifi": "2026.10.19.post1",
        "charset-normalizer": "3.5.3",
        "idna": "3.20",
        "requests": "2.34.2" if data["python_version"] >= "3.10" else "2.32.5",
        "text-unidecode": "1.3",
        "urllib3": "2.8.0" if data["python_version"] >= "3.10" else "2.6.3",
    }
    # one DL033 for them all (not one error per package), and no DL101 on top
    (unread,) = data["findings"]
    assert (unread["code"], unread["severity"], unread["package"]) == ("DL033", "error", None)
    assert unread["message"].startswith("6 locked package(s) have no licence metadata")
    assert (
        "certifi, charset-normalizer, idna, requests, text-unidecode and 1 more"
        in (unread["message"])
    )
    assert "--online" in unread["message"]
    assert _scan(project, "--fail-on", "never").exit_code == 0
    assert _scan(project, "--warn", "DL033").exit_code == 0


def test_lock_option_target_and_every_target(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    lock = str(project / "poetry.lock")
    common = ("--lock", lock, "--format", "json", "--scope", "all")
    data = _json(_scan(project, *common, "--python-version", "3.9", "--platform", "win32"))
    assert data["environment"] == "lock file poetry.lock (nothing installed)"
    assert data["python_version"] == "3.9.0"
    found = {(p["name"], p["version"]) for p in data["packages"]}
    assert {("chardet", "5.2.0"), ("colorama", "0.4.6"), ("requests", "2.32.5")} <= found
    data = _json(_scan(project, *common, "--all-targets"))
    found = {(p["name"], p["version"]) for p in data["packages"]}
    assert {("chardet", "5.2.0"), ("chardet", "7.7.0"), ("iniconfig", "2.1.0")} <= found


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--lock", "no-such.lock"), "--lock no-such.lock: no such file"),
        (("--lock", "uv.lock", "--no-lock"), "--lock and --no-lock exclude each other"),
        (("--python-version", "three"), "--python-version 'three': expected X.Y or X.Y.Z"),
    ],
)
def test_bad_lock_options_exit_2_with_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    project = copy_project(tmp_path)
    result = _scan(project, *(str(project / a) if a == "uv.lock" else a for a in args))
    assert result.exit_code == 2
    assert result.stderr == f"dllicense: error: {message}\n"


def test_a_broken_lock_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "uv.lock").write_text("version = 1\n[[package]\n", encoding="utf-8")
    data = _json(_scan(project, "--format", "json"))
    assert [(f["code"], f["location"]) for f in data["findings"]] == [
        ("DL030", {"file": "uv.lock", "line": 2})
    ]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project with a .venv built from the fixture wheels (no index)."""
    project = copy_project(tmp_path_factory.mktemp("installed"))
    env = project / ".venv"
    venv.EnvBuilder(with_pip=True).create(env)
    subprocess.run(
        [
            str(env / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--isolated",
            "--no-index",
            "--find-links",
            str(WHEELS),
            "requests",
            "text-unidecode",
            "chardet",
        ],
        check=True,
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
    )
    return project


@pytest.mark.slow
def test_installed_metadata_of_the_locked_versions(installed: Path) -> None:
    data = _json(_scan(installed, "--format", "json", "--scope", "all"))
    assert data["environment"].startswith(".venv (Python 3.")
    assert data["environment"].endswith(" with lock file uv.lock")
    licences = {p["name"]: p["license"] for p in data["packages"]}
    assert licences["requests"] == "Apache-2.0"
    assert licences["certifi"] == "MPL-2.0"
    assert licences["text-unidecode"] == "Artistic-1.0-Perl OR GPL-2.0-or-later"
    # locked chardet 7.7.0 (0BSD), installed 5.2.0 (LGPL): the installed licence is not used
    assert licences["chardet"] is None
    assert _findings(data) == [
        ("DL032", "chardet", "7.7.0"),
        ("DL033", "chardet", "7.7.0"),
        ("DL033", "iniconfig", "2.3.1"),
    ]
    mismatch = next(f for f in data["findings"] if f["code"] == "DL032")
    assert mismatch["message"].startswith("locked 7.7.0, installed 5.2.0 (")
    assert mismatch["severity"] == "warning"


@pytest.mark.slow
def test_every_target_reads_each_version_that_is_installed(installed: Path) -> None:
    data = _json(_scan(installed, "--format", "json", "--scope", "extras", "--all-targets"))
    chardet = {p["version"]: p["license"] for p in data["packages"] if p["name"] == "chardet"}
    assert chardet == {"5.2.0": "LGPL-2.1-or-later", "7.7.0": None}


@pytest.mark.slow
def test_no_lock_scans_the_environment_as_before(installed: Path) -> None:
    data = _json(_scan(installed, "--format", "json", "--no-lock"))
    assert "lock file" not in data["environment"]
    assert "uv.lock" not in data["sources"]
    assert {"requests", "idna", "text-unidecode"} <= {p["name"] for p in data["packages"]}
    assert not [f for f in data["findings"] if f["code"].startswith("DL03")]


def test_online_reads_the_locked_versions_from_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorded index of tests/index has text-unidecode 1.3 (locked) and not requests."""
    from tests.index.server import RecordedIndex

    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    for proxy in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(proxy, raising=False)
        monkeypatch.delenv(proxy.upper(), raising=False)
    server = RecordedIndex()
    try:
        project = copy_project(tmp_path)
        args = ("--online", "--index-url", server.index_url, "--cache-dir", str(tmp_path / "c"))
        data = _json(_scan(project, "--format", "json", "--texts", "none", *args))
    finally:
        server.stop()
    licences = {p["name"]: p["license"] for p in data["packages"]}
    assert "GPL-2.0-or-later" in licences["text-unidecode"]  # from the index's METADATA
    codes = {(f["code"], f["package"]) for f in data["findings"]}
    assert "DL033" not in {c for c, package in codes if package == "text-unidecode"}
    assert ("DL033", "requests") not in codes  # the index's own finding says why instead
    assert any(c[1] == "requests" and c[0].startswith("DL12") for c in codes)


def test_all_with_a_lock_lists_every_installed_distribution(tmp_path: Path) -> None:
    """--all is every distribution of the environment, lock or not: a locked package of an
    unselected extra that is installed, and one the lock does not have at all."""
    from tests.conftest import DISTS

    project = copy_project(tmp_path)
    paths = [("--path", str(DISTS / n)) for n in ("text-unidecode-1.3", "chardet-7.7.0")]
    paths.append(("--path", str(DISTS / "keras-2.4.3")))
    args = [a for pair in paths for a in pair]
    plain = {p["name"]: p for p in _json(_scan(project, *args, "--format", "json"))["packages"]}
    assert "keras" not in plain and "chardet" not in plain
    every = _json(_scan(project, *args, "--all", "--format", "json"))
    found = {p["name"]: p for p in every["packages"]}
    assert found["keras"]["version"] == "2.4.3" and found["keras"]["scopes"] == ["environment"]
    assert found["keras"]["license"] == "MIT"  # its installed metadata was read
    assert found["chardet"]["version"] == "7.7.0"
    assert found["chardet"]["scopes"] == ["extra:detect", "environment"]
    assert set(plain) <= set(found)


def test_every_locked_version_is_one_sbom_component(tmp_path: Path) -> None:
    """--all-targets lists several versions of a name: the JSON and the CycloneDX and SPDX
    SBOMs all carry every one (components were keyed by name and lost versions)."""
    project = copy_project(tmp_path)
    args = ("--lock", str(project / "poetry.lock"), "--all-targets", "--scope", "all")
    data = _json(_scan(project, *args, "--format", "json"))
    versions = {(p["name"], p["version"]) for p in data["packages"]}
    assert len({n for n, _ in versions}) < len(versions)  # some name has several versions
    bom = json.loads(_scan(project, *args, "--format", "cyclonedx").stdout)
    listed = {(c["name"], c["version"]) for c in bom["components"]}
    assert listed == versions
    refs = {c["bom-ref"] for c in bom["components"]}
    assert all(
        d["ref"] in refs or d["ref"].startswith("dllicense-project:") for d in bom["dependencies"]
    )
    spdx = json.loads(_scan(project, *args, "--format", "spdx").stdout)
    packages = {(p["name"], p.get("versionInfo", "")) for p in spdx["packages"]}
    assert versions <= packages


def test_why_json_and_sboms_agree_on_edges_between_versions(tmp_path: Path) -> None:
    """--all-targets on the real poetry.lock with two versions of requests, urllib3 and
    chardet: every edge (name, version) -> (name, version) is the same in the JSON, the
    CycloneDX and the SPDX output, and why's paths follow those edges."""
    from dllicense.models import Node
    from dllicense.resolve.why import why

    project = copy_project(tmp_path)
    args = ("--lock", str(project / "poetry.lock"), "--all-targets", "--scope", "all")
    data = _json(_scan(project, *args, "--format", "json"))
    json_edges = {
        ((p["name"], p["version"]), (d["name"], d["version"]))
        for p in data["packages"]
        for d in p["depends"]
    }
    assert (("requests", "2.32.5"), ("urllib3", "2.6.3")) in json_edges
    bom = json.loads(_scan(project, *args, "--format", "cyclonedx").stdout)
    ref = {c["bom-ref"]: (c["name"], c["version"]) for c in bom["components"]}
    cdx_edges = {
        (ref[d["ref"]], ref[e])
        for d in bom["dependencies"]
        if d["ref"] in ref
        for e in d.get("dependsOn", [])
    }
    spdx = json.loads(_scan(project, *args, "--format", "spdx").stdout)
    ids = {p["SPDXID"]: (p["name"], p.get("versionInfo", "")) for p in spdx["packages"]}
    spdx_edges = {
        (ids[r["spdxElementId"]], ids[r["relatedSpdxElement"]])
        for r in spdx["relationships"]
        if r["relationshipType"] == "DEPENDS_ON" and r["spdxElementId"] != "SPDXRef-Project"
    }
    assert json_edges == cdx_edges == spdx_edges
    nodes = [
        Node(
            p["name"],
            p["version"],
            tuple(p["scopes"]),
            tuple(p["path"]),
            tuple(p["parents"]),
            tuple(p["requires"]),
            p["direct"],
            depends=tuple((d["name"], d["version"]) for d in p["depends"]),
        )
        for p in data["packages"]
    ]
    answer = why("urllib3", nodes)
    assert answer is not None and answer.version == "2.6.3, 2.8.0"
    assert answer.paths
    for path in answer.paths:  # each step of a path is an edge of the JSON, by name
        steps = list(zip(path.packages, path.packages[1:], strict=False))
        assert all(any(a == p[0] and b == c[0] for p, c in json_edges) for a, b in steps)


def test_diff_of_every_target_against_one_target_matches_versions(tmp_path: Path) -> None:
    """A report of every locked version against one of a single target: the versions both
    hold match by identity (no licence change between different versions of a name), and
    each version only the first holds is removed."""
    from dllicense.baseline import diff_reports, load_report

    project = copy_project(tmp_path)
    args = ("--lock", str(project / "poetry.lock"), "--scope", "all", "--format", "json")
    every, one = tmp_path / "every.json", tmp_path / "one.json"
    every.write_text(_scan(project, *args, "--all-targets").stdout, "utf-8")
    one.write_text(_scan(project, *args, "--python-version", "3.12").stdout, "utf-8")
    old, new = load_report(every, "OLD"), load_report(one, "NEW")
    assert {p.node.version for p in old.packages if p.node.name == "chardet"} == {
        "5.2.0",
        "7.7.0",
    }
    diff = diff_reports(old, new)
    assert [(p.node.name, p.node.version) for p in diff.removed] == [
        ("chardet", "5.2.0"),
        ("colorama", "0.4.6"),  # win32 only
        ("iniconfig", "2.1.0"),  # Python < 3.10
        ("requests", "2.32.5"),
        ("urllib3", "2.6.3"),
    ]
    assert diff.added == () and diff.upgraded == () and diff.downgraded == ()
    assert diff.license_changes == ()
