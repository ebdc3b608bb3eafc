"""Frameworks declared outside PyPI: Maven, Gradle, conda and LuaRocks fixture projects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dllicense.discover import ecosystems
from dllicense.discover.ecosystems import (
    DIRECT_ONLY,
    conda_version,
    ecosystem_declarations,
    ecosystem_packages,
)
from dllicense.models import PackageResult, ScanResult
from tests.conftest import scan_dirs

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ecosystems"


@pytest.fixture
def no_env(tmp_path: Path) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    return folder


def _scan(name: str, env: Path, policy: str, **options: object) -> ScanResult:
    return scan_dirs(FIXTURES / name, env, policy=policy, **options)


def _by_name(result: ScanResult) -> dict[str, PackageResult]:
    return {p.node.name: p for p in result.packages}


def test_maven_dl4j_under_patent_safe(no_env: Path) -> None:
    result = _scan("maven-dl4j", no_env, "patent-safe")
    packages = _by_name(result)
    assert sorted(packages) == [
        "ch.qos.logback:logback-classic",
        "org.deeplearning4j:deeplearning4j-core",
        "org.nd4j:nd4j-native-platform",  # ${nd4j.backend} resolved from <properties>
    ]
    dl4j = packages["org.deeplearning4j:deeplearning4j-core"]
    assert (dl4j.node.version, dl4j.verdict.expression, dl4j.status) == (
        "1.0.0-M2.1",
        "Apache-2.0",
        "ok",
    )
    assert dl4j.verdict.decided_by == ("knowledge:deeplearning4j",)
    assert dl4j.node.scopes == ("maven",)
    declared = [e for e in dl4j.evidence if e.kind == "declaration"]
    assert declared[0].source == "pom.xml:39" and DIRECT_ONLY in declared[0].note
    nd4j = packages["org.nd4j:nd4j-native-platform"]
    assert (nd4j.verdict.expression, nd4j.status) == ("Apache-2.0", "ok")
    logback = packages["ch.qos.logback:logback-classic"]
    assert logback.node.version == "1.2.3"  # from <dependencyManagement>
    [unknown] = [f for f in result.findings if f.package == "ch.qos.logback:logback-classic"]
    assert unknown.code == "DL101" and "not a framework of the dllicense knowledge base" in (
        unknown.message
    )
    assert unknown.location is not None and unknown.location.file == "pom.xml"
    # the test-scoped junit is checked only when groups are
    every = _by_name(_scan("maven-dl4j", no_env, "patent-safe", scopes=("all",)))
    assert every["junit:junit"].node.scopes == ("group:test",)


def test_gradle_bigdl(no_env: Path) -> None:
    result = _scan("gradle-bigdl", no_env, "patent-safe")
    packages = _by_name(result)
    bigdl = packages["com.intel.analytics.bigdl:bigdl-dllib-spark_3.1.3"]
    assert (bigdl.node.version, bigdl.verdict.expression, bigdl.status) == (
        "2.4.0",
        "Apache-2.0",
        "ok",
    )
    spark = packages["org.apache.spark:spark-core_2.12"]  # map notation
    assert spark.node.version == "3.1.3" and spark.verdict.expression == ""
    assert "junit:junit" not in packages  # testImplementation
    assert [e.source for e in bigdl.evidence if e.kind == "declaration"] == ["build.gradle:20"]


def test_gradle_kotlin_dsl_with_variables(tmp_path: Path) -> None:
    (tmp_path / "gradle.properties").write_text("nd4jVersion=1.0.0-M2.1\n", "utf-8")
    (tmp_path / "build.gradle.kts").write_text(
        'val dl4jVersion = "1.0.0-M2.1"\n'
        "dependencies {\n"
        '    implementation("org.deeplearning4j:deeplearning4j-nn:$dl4jVersion")\n'
        '    implementation("org.nd4j:nd4j-native:${nd4jVersion}")\n'
        '    // implementation("org.example:commented-out:1.0")\n'
        '    implementation(platform("org.example:bom:1.0"))\n'
        "}\n",
        "utf-8",
    )
    declarations, problems, files = ecosystem_declarations(tmp_path)
    assert not problems and files == ["build.gradle.kts"]
    assert [(d.name, d.version, d.location.line) for d in declarations] == [
        ("org.deeplearning4j:deeplearning4j-nn", "1.0.0-M2.1", 3),
        ("org.nd4j:nd4j-native", "1.0.0-M2.1", 4),
    ]


def test_conda_frameworks(no_env: Path) -> None:
    patent_safe = _by_name(_scan("conda-frameworks", no_env, "patent-safe"))
    outcome = {n: (p.node.version, p.verdict.expression, p.status) for n, p in patent_safe.items()}
    assert outcome == {
        "pytorch": ("2.1.0", "BSD-3-Clause", "error"),  # channel prefix pytorch::
        "caffe": ("1.0", "BSD-2-Clause", "error"),
        "tensorflow": ("", "Apache-2.0", "ok"),  # a range: every known version is Apache-2.0
        "numpy": ("", "", "error"),
        "cntk": ("2.7", "MIT", "error"),  # from the pip: list, a PyPI name
    }
    assert patent_safe["cntk"].node.scopes == ("conda",)
    assert "python" not in patent_safe and "pip" not in patent_safe
    default = _by_name(_scan("conda-frameworks", no_env, "default"))
    assert {n: p.status for n, p in default.items() if n != "numpy"} == dict.fromkeys(
        ("pytorch", "caffe", "tensorflow", "cntk"), "ok"
    )


def test_conda_version_not_pinned_for_a_framework_whose_licence_changed(tmp_path: Path) -> None:
    (tmp_path / "environment.yml").write_text(
        "dependencies:\n  - pytorch>=2.0\n  - pip:\n    - cntk\n", "utf-8"
    )
    packages, problems = ecosystem_packages(tmp_path)
    assert not problems
    by_name = {p.node.name: p for p in packages}
    pytorch = next(e for e in by_name["pytorch"].evidence if e.kind == "knowledge")
    assert pytorch.expression == "BSD-3-Clause"  # conda pytorch: one known licence
    cntk = next(e for e in by_name["cntk"].evidence if e.kind == "knowledge")
    assert cntk.expression == "" and "depends on the version" in cntk.note


def test_luarocks_torch7(no_env: Path) -> None:
    result = _scan("luarocks-torch7", no_env, "patent-safe")
    [torch] = result.packages
    assert (torch.node.name, torch.verdict.expression, torch.status) == (
        "torch",
        "BSD-3-Clause",
        "error",
    )
    [failure] = [f for f in result.findings if f.package == "torch"]
    assert failure.code == "DL201" and "no express patent grant" in failure.message
    assert failure.location is not None
    assert (failure.location.file, failure.location.line) == ("mnist-torch7-scm-1.rockspec", 21)
    assert _by_name(_scan("luarocks-torch7", no_env, "default"))["torch"].status == "ok"


@pytest.mark.parametrize(
    ("spec", "version"),
    [
        ("=2.1.0", "2.1.0"),
        ("==2.1.0", "2.1.0"),
        ("=2.1", "2.1"),
        ("=2.1.*", "2.1"),
        ("2.1.0 py3.10_cuda11.8_0", "2.1.0"),
        ("=2.1.0=py3.10_0", "2.1.0"),
        (">=2.0", ""),
        (">=2.0,<3", ""),
        ("", ""),
    ],
)
def test_conda_versions(spec: str, version: str) -> None:
    assert conda_version(spec) == version


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<project><dependencies><dependency><groupId>&lol2;</groupId><artifactId>a</artifactId>
</dependency></dependencies></project>
"""


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("pom.xml", BILLION_LAUGHS, "DOCTYPE or entity declarations are not accepted"),
        (
            "pom.xml",
            '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE p SYSTEM "file:///etc/passwd">'
            "<project/>".encode("utf-16"),
            "DOCTYPE or entity declarations are not accepted",
        ),
        ("pom.xml", b"<project><dependencies></project>", "not well-formed XML"),
        ("pom.xml", b"<settings/>", "not <project>"),
        ("environment.yml", b"dependencies: &deps\n  - numpy\n", "anchors"),
        ("environment.yml", b"- just\n- a list\n", "not a mapping"),
        ("broken.rockspec", b'package = "x"\nbuild = {}\n', "no top-level 'dependencies"),
        ("open.rockspec", b'dependencies = { "torch >= 7.0",\n', "not closed"),
    ],
)
def test_bad_manifests_are_findings(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(data)
    declarations, problems, files = ecosystem_declarations(tmp_path)
    assert not declarations and not files
    [problem] = problems
    assert problem.code == "DL070" and message in problem.message, problem.message
    assert problem.location is not None and problem.location.file == name


def test_bad_manifest_through_the_scan(tmp_path: Path, no_env: Path) -> None:
    shutil.copytree(FIXTURES / "maven-dl4j", tmp_path / "project")
    (tmp_path / "project" / "environment.yml").write_text("a:\n\tb: 1\n", "utf-8")
    result = scan_dirs(tmp_path / "project", no_env, policy="default")
    [bad] = [f for f in result.findings if f.code == "DL070"]
    assert bad.location is not None and bad.location.line == 2 and "tab" in bad.message
    assert "org.deeplearning4j:deeplearning4j-core" in _by_name(result)


def test_manifest_size_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ecosystems, "MAX_MANIFEST_BYTES", 64)
    (tmp_path / "environment.yml").write_text("dependencies:\n" + "  - numpy\n" * 20, "utf-8")
    [problem] = ecosystem_declarations(tmp_path)[1]
    assert "larger than" in str(problem.message)
