"""Frameworks declared outside PyPI: Maven, Gradle, conda and LuaRocks fixture projects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dllicense.collect.ecosystems import ecosystem_packages
from dllicense.discover import ecosystems
from dllicense.discover.ecosystems import (
    DIRECT_ONLY,
    conda_version,
    ecosystem_declarations,
    pip_declared,
)
from dllicense.models import Location, PackageResult, ScanResult
from dllicense.pipeline import ScanOptions, scan
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
    }
    assert "python" not in patent_safe and "pip" not in patent_safe
    default = _by_name(_scan("conda-frameworks", no_env, "default"))
    assert {n: p.status for n, p in default.items() if n != "numpy"} == dict.fromkeys(
        ("pytorch", "caffe", "tensorflow"), "ok"
    )


def test_the_pip_list_is_declared_like_requirements(no_env: Path) -> None:
    """environment.yml's pip: entries are the project's runtime requirements: not installed
    in an environment, they are DL001 at their line; with nothing installed they are listed
    (an exact pin gives the knowledge base its version) beside DL006."""
    result = _scan("conda-frameworks", no_env, "patent-safe")
    (missing,) = [f for f in result.findings if f.code == "DL001"]
    assert missing.package == "cntk" and missing.location == Location("environment.yml", 15)
    nothing = scan(ScanOptions(project=FIXTURES / "conda-frameworks", policy="default"))
    cntk = _by_name(nothing)["cntk"]
    assert (cntk.node.version, cntk.node.scopes, cntk.verdict.expression) == (
        "2.7",
        ("runtime",),
        "MIT",
    )
    assert "DL006" in {f.code for f in nothing.findings}


def test_conda_version_not_pinned_for_a_framework_whose_licence_changed(tmp_path: Path) -> None:
    (tmp_path / "environment.yml").write_text(
        "dependencies:\n  - pytorch>=2.0\n  - pip:\n    - cntk\n", "utf-8"
    )
    packages, problems = ecosystem_packages(tmp_path)
    assert not problems
    by_name = {p.node.name: p for p in packages}
    pytorch = next(e for e in by_name["pytorch"].evidence if e.kind == "knowledge")
    assert pytorch.expression == "BSD-3-Clause"  # conda pytorch: one known licence
    assert "cntk" not in by_name  # the pip: list is declared, not an external package
    (cntk,) = pip_declared(tmp_path)[0]
    assert (cntk.name, cntk.scope, cntk.specifier) == ("cntk", "runtime", "")


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
    monkeypatch.setattr(ecosystems.common, "MAX_MANIFEST_BYTES", 64)
    (tmp_path / "environment.yml").write_text("dependencies:\n" + "  - numpy\n" * 20, "utf-8")
    [problem] = ecosystem_declarations(tmp_path)[1]
    assert "larger than" in str(problem.message)


# -- Gradle version catalogs ----------------------------------------------------------


def _found(root: Path) -> list[tuple[str, str, str, str]]:
    declarations, problems, _ = ecosystem_declarations(root)
    assert not problems, problems
    return [
        (d.name, d.version, d.scope, f"{d.location.file}:{d.location.line}") for d in declarations
    ]


def test_gradle_version_catalog_dl4j() -> None:
    root = FIXTURES / "gradle-catalog-dl4j"
    assert _found(root) == [
        # libs.bundles.dl4j: both libraries, at the line of the bundle's reference
        ("org.deeplearning4j:deeplearning4j-core", "1.0.0-M2.1", "maven", "build.gradle.kts:12"),
        ("org.nd4j:nd4j-native-platform", "1.0.0-M2.1", "maven", "build.gradle.kts:12"),
        ("org.datavec:datavec-api", "1.0.0-M2.1", "maven", "build.gradle.kts:13"),  # "g:a:v"
        ("ch.qos.logback:logback-classic", "1.2.3", "maven", "build.gradle.kts:14"),  # strictly
        ("com.google.guava:guava", "", "maven", "build.gradle.kts:15"),  # a range
        # "...:${libs.versions.dl4j.get()}" in a string notation
        ("org.deeplearning4j:deeplearning4j-ui", "1.0.0-M2.1", "maven", "build.gradle.kts:16"),
        ("org.junit.jupiter:junit-jupiter", "5.9.2", "group:test", "build.gradle.kts:18"),
    ]
    declarations, _, files = ecosystem_declarations(root)
    assert files == ["gradle/libs.versions.toml", "build.gradle.kts"]
    nd4j = next(d for d in declarations if d.name == "org.nd4j:nd4j-native-platform")
    assert "libs.bundles.dl4j" in nd4j.note and "gradle/libs.versions.toml:9" in nd4j.note
    guava = next(d for d in declarations if d.name == "com.google.guava:guava")
    assert "version range [31.0,32.0)" in guava.note


def test_gradle_version_catalog_through_the_scan(no_env: Path) -> None:
    packages = _by_name(_scan("gradle-catalog-dl4j", no_env, "patent-safe"))
    dl4j = packages["org.deeplearning4j:deeplearning4j-core"]
    assert (dl4j.node.version, dl4j.verdict.expression, dl4j.status) == (
        "1.0.0-M2.1",
        "Apache-2.0",
        "ok",
    )
    assert dl4j.node.scopes == ("maven",)
    assert [e.source for e in dl4j.evidence if e.kind == "declaration"] == ["build.gradle.kts:12"]
    nd4j = packages["org.nd4j:nd4j-native-platform"]
    assert (nd4j.node.version, nd4j.verdict.expression) == ("1.0.0-M2.1", "Apache-2.0")
    assert "org.junit.jupiter:junit-jupiter" not in packages  # testImplementation


def test_gradle_alias_separators_and_groovy(tmp_path: Path) -> None:
    (tmp_path / "gradle").mkdir()
    (tmp_path / "gradle" / "libs.versions.toml").write_text(
        '[versions]\nnd4j = "1.0.0-M2.1"\n\n[libraries]\n'
        'nd4j_cuda-platform = { module = "org.nd4j:nd4j-cuda-11.6-platform",'
        ' version.ref = "nd4j" }\n'
        "nd4jNative.module = 'org.nd4j:nd4j-native'\n"
        'nd4jNative.version.ref = "nd4j"\n',
        "utf-8",
    )
    (tmp_path / "build.gradle").write_text(
        "dependencies {\n"
        "    implementation libs.nd4j.cuda.platform\n"
        "    implementation(libs.nd4jNative.get())\n"
        "    implementation platform(libs.nd4jNative)\n"  # a platform: not a dependency
        "}\n",
        "utf-8",
    )
    assert _found(tmp_path) == [
        ("org.nd4j:nd4j-cuda-11.6-platform", "1.0.0-M2.1", "maven", "build.gradle:2"),
        ("org.nd4j:nd4j-native", "1.0.0-M2.1", "maven", "build.gradle:3"),
    ]


def test_broken_version_catalog_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "gradle").mkdir()
    (tmp_path / "gradle" / "libs.versions.toml").write_text(
        '[versions]\ndl4j = "1.0.0-M2.1"\nnd4j = \n\n[libraries]\n', "utf-8"
    )
    (tmp_path / "build.gradle").write_text(
        "dependencies {\n"
        "    implementation libs.deeplearning4j.core\n"
        "    implementation 'org.nd4j:nd4j-native-platform:1.0.0-M2.1'\n"
        "}\n",
        "utf-8",
    )
    declarations, problems, files = ecosystem_declarations(tmp_path)
    [problem] = problems
    assert problem.code == "DL070" and "not valid TOML" in problem.message
    assert problem.location == Location("gradle/libs.versions.toml", 3)
    assert "libs.* dependencies are not checked" in problem.message
    # the build file is still read: its string notation is checked
    assert [(d.name, d.location.line) for d in declarations] == [
        ("org.nd4j:nd4j-native-platform", 3)
    ]
    assert files == ["build.gradle"]


def test_version_catalog_entries_it_cannot_answer(tmp_path: Path) -> None:
    (tmp_path / "gradle").mkdir()
    (tmp_path / "gradle" / "libs.versions.toml").write_text(
        "[versions]\n"
        'dl4j = "1.0.0-M2.1"\n'
        "\n"
        "[libraries]\n"
        'dl4j-core = { module = "org.deeplearning4j:deeplearning4j-core", version.ref = "dl4jj" }\n'
        'nameless = { version = "1.0" }\n'
        "\n"
        "[bundles]\n"
        'dl4j = ["dl4j-core", "nd4j-native"]\n',
        "utf-8",
    )
    (tmp_path / "build.gradle.kts").write_text(
        "dependencies {\n"
        "    implementation(libs.bundles.dl4j)\n"
        "    implementation(libs.nd4j.native)\n"
        "}\n",
        "utf-8",
    )
    declarations, problems, _ = ecosystem_declarations(tmp_path)
    assert [(d.name, d.version, d.location.line) for d in declarations] == [
        ("org.deeplearning4j:deeplearning4j-core", "", 2),
    ]
    assert "version.ref dl4jj is not in [versions]" in declarations[0].note
    assert [(p.code, p.location) for p in problems] == [
        ("DL070", Location("gradle/libs.versions.toml", 6)),
        ("DL070", Location("gradle/libs.versions.toml", 9)),
        ("DL070", Location("build.gradle.kts", 3)),
    ]
    assert "library nameless names no group:artifact" in problems[0].message
    assert "nd4j-native not in [libraries]" in problems[1].message
    assert "libs.nd4j.native is not a library or bundle" in problems[2].message


def test_catalog_reference_without_a_catalog(tmp_path: Path) -> None:
    (tmp_path / "build.gradle").write_text(
        "dependencies {\n    implementation libs.deeplearning4j.core\n}\n", "utf-8"
    )
    declarations, problems, _ = ecosystem_declarations(tmp_path)
    [problem] = problems
    assert not declarations and problem.location == Location("build.gradle", 2)
    assert "there is no gradle/libs.versions.toml" in problem.message


# -- Maven parents -------------------------------------------------------------------


def test_maven_parent_pom_in_the_project() -> None:
    root = FIXTURES / "maven-parent-dl4j"
    assert _found(root) == [
        # <dependencies> of the parent are inherited
        ("ch.qos.logback:logback-classic", "1.2.3", "maven", "parent/pom.xml:48"),
        # versions from the parent's <dependencyManagement> and <properties>
        ("org.deeplearning4j:deeplearning4j-core", "1.0.0-M2.1", "maven", "pom.xml:18"),
        ("org.nd4j:nd4j-native-platform", "1.0.0-M2.1", "maven", "pom.xml:22"),
        (
            "org.deeplearning4j:deeplearning4j-ui",
            "1.0.0-M2.1",
            "maven",
            "pom.xml:26",
        ),  # ${project.version}
        ("org.datavec:datavec-api", "", "maven", "pom.xml:31"),
        ("org.junit.jupiter:junit-jupiter", "", "group:test", "pom.xml:36"),
    ]
    by_name = {d.name: d for d in ecosystem_declarations(root)[0]}
    core = by_name["org.deeplearning4j:deeplearning4j-core"]
    assert "version from <dependencyManagement> of parent/pom.xml" in core.note
    # the grandparent is remote: unresolved versions say so
    datavec = by_name["org.datavec:datavec-api"].note
    assert "version ${datavec.version} not resolved" in datavec
    assert "parent POM org.example:corporate-parent:7 is not read" in datavec
    junit = by_name["org.junit.jupiter:junit-jupiter"].note
    assert "no <version>" in junit and "imported BOM org.junit:junit-bom:5.9.2 (not read)" in junit


def test_maven_parent_pom_through_the_scan(no_env: Path) -> None:
    packages = _by_name(_scan("maven-parent-dl4j", no_env, "patent-safe"))
    nd4j = packages["org.nd4j:nd4j-native-platform"]
    assert (nd4j.node.version, nd4j.verdict.expression, nd4j.status) == (
        "1.0.0-M2.1",
        "Apache-2.0",
        "ok",
    )
    assert nd4j.node.scopes == ("maven",)
    assert [e.source for e in nd4j.evidence if e.kind == "declaration"] == ["pom.xml:22"]


PARENT_POM = """<project>
  <groupId>org.example</groupId><artifactId>parent</artifactId><version>1</version>
  <properties><dl4j.version>1.0.0-M2.1</dl4j.version></properties>
</project>
"""
CHILD_POM = """<project>
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>1</version>
    {relative}
  </parent>
  <artifactId>app</artifactId>
  <dependencies>
    <dependency><groupId>org.deeplearning4j</groupId><artifactId>deeplearning4j-core</artifactId>
      <version>${{dl4j.version}}</version></dependency>
  </dependencies>
</project>
"""


@pytest.mark.parametrize(
    ("relative", "why"),
    [
        ("", "<relativePath> ../pom.xml is outside the project folder"),
        ("<relativePath>../../outer/pom.xml</relativePath>", "is outside the project folder"),
        ("<relativePath>/etc/pom.xml</relativePath>", "is outside the project folder"),
        ("<relativePath/>", "<relativePath/> is empty"),
        ("<relativePath>escape</relativePath>", "leads outside the project folder"),  # symlink
        ("<relativePath>missing/pom.xml</relativePath>", "is not a file of the project"),
    ],
)
def test_maven_parent_outside_the_project_is_not_read(
    tmp_path: Path, relative: str, why: str
) -> None:
    (tmp_path / "pom.xml").write_text(PARENT_POM, "utf-8")  # a parent just outside the project
    project = tmp_path / "app"
    project.mkdir()
    (project / "escape").symlink_to(tmp_path, target_is_directory=True)
    (project / "pom.xml").write_text(CHILD_POM.format(relative=relative), "utf-8")
    [declaration], problems, _ = ecosystem_declarations(project)
    assert not problems
    assert declaration.version == ""
    assert "version ${dl4j.version} not resolved" in declaration.note
    assert "parent POM org.example:parent:1 is not read" in declaration.note
    assert why in declaration.note, declaration.note


def test_maven_parent_in_a_folder_and_broken_parent(tmp_path: Path) -> None:
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "pom.xml").write_text(PARENT_POM, "utf-8")
    child = CHILD_POM.format(relative="<relativePath>build</relativePath>")
    (tmp_path / "pom.xml").write_text(child, "utf-8")
    [declaration] = _found(tmp_path) and ecosystem_declarations(tmp_path)[0]
    assert declaration.version == "1.0.0-M2.1"  # a folder: its pom.xml
    # another project at the relative path is not the parent
    (tmp_path / "build" / "pom.xml").write_text(PARENT_POM.replace(">parent<", ">other<"), "utf-8")
    [declaration] = ecosystem_declarations(tmp_path)[0]
    assert declaration.version == "" and "build/pom.xml is org.example:other:1" in declaration.note
    # a broken parent is a finding of its own; the child is still read
    (tmp_path / "build" / "pom.xml").write_text("<project>\n<properties>\n</project>\n", "utf-8")
    declarations, problems, files = ecosystem_declarations(tmp_path)
    [problem] = problems
    assert problem.code == "DL070" and "not well-formed XML" in problem.message
    assert problem.location == Location("build/pom.xml", 3)
    assert [d.name for d in declarations] == ["org.deeplearning4j:deeplearning4j-core"]
    assert files == ["pom.xml"]
