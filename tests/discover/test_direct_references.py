"""Editable, VCS, URL and path requirements: read as pip reads them, reported (DL005) with
their file and line, never dropped, never fetched. Real files from
tests/fixtures/manifests (see its README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.discover.declared import egg_name, parse_line, reference_kind
from dllicense.discover.project import discover_project
from dllicense.models import Declared, Location
from tests.conftest import scan_dirs

FIXTURES = Path(__file__).parents[1] / "fixtures" / "manifests"


def test_editable_project_line_of_stablediffusion_v2() -> None:
    project = discover_project(FIXTURES / "stablediffusion-v2")
    [editable] = [d for d in project.declared if d.kind != "pypi"]
    assert (editable.raw, editable.kind, editable.name) == ("-e .", "editable", "")
    assert (editable.location.file, editable.location.line) == ("requirements.txt", 19)
    assert not project.problems


def test_pep508_vcs_reference_of_generative_models() -> None:
    project = discover_project(FIXTURES / "generative-models")
    [clip] = [d for d in project.declared if d.kind != "pypi"]
    assert (clip.name, clip.kind, clip.location.file, clip.location.line) == (
        "clip",
        "url",
        "requirements/pt2.txt",
        3,
    )
    assert len([d for d in project.declared if d.kind == "pypi"]) == 44


def test_scan_reports_each_direct_reference_with_its_line(tmp_path: Path) -> None:
    env = tmp_path / "site-packages"
    env.mkdir()
    result = scan_dirs(FIXTURES / "stablediffusion-v2", env, texts="none")
    dl005 = sorted(
        (f.location.file, f.location.line)
        for f in result.findings
        if f.code == "DL005" and f.location
    )
    # requirements.txt's "-e ." and environment.yaml's pip: "-e ."
    assert dl005 == [("environment.yaml", 29), ("requirements.txt", 19)]


@pytest.mark.parametrize(
    ("line", "kind", "name"),
    [
        ("git+https://github.com/NVIDIA/dllogger#egg=dllogger", "url", "dllogger"),
        ("hg+ssh://hg@example.invalid/repo#egg=Some_Pkg", "url", "some-pkg"),
        ("svn+svn://svn.example.invalid/repo", "url", ""),
        ("https://example.invalid/pkg-1.0-py3-none-any.whl", "url", ""),
        ("file:///opt/wheels/pkg-1.0.tar.gz", "path", ""),
        ("./local/pkg", "path", ""),
        ("local/pkg", "path", ""),
        ("pkg-1.0-py3-none-any.whl", "path", ""),
        ("C:\\wheels\\pkg.zip", "path", ""),
        ("mypkg @ git+https://example.invalid/mypkg.git", "url", "mypkg"),
    ],
)
def test_line_kinds(line: str, kind: str, name: str) -> None:
    item = parse_line(line, "runtime", Location("requirements.txt", 1))
    assert isinstance(item, Declared)
    assert (item.kind, item.name) == (kind, name)


def test_names_and_invalid_lines() -> None:
    assert reference_kind("numpy>=1") == ""
    assert egg_name("git+https://x.invalid/r.git#egg=not a name") == "not"
    assert egg_name("git+https://x.invalid/r.git") == ""
    bad = parse_line("not a requirement !!", "runtime", Location("requirements.txt", 3))
    assert not isinstance(bad, Declared) and bad.code == "DL004"


def test_an_installed_named_url_requirement_is_scanned(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text(
        "chardet @ git+https://github.com/chardet/chardet@5.2.0\n", encoding="utf-8"
    )
    dists = Path(__file__).parents[1] / "fixtures" / "dists" / "chardet-5.2.0"
    result = scan_dirs(project, dists, texts="none")
    [chardet] = result.packages
    assert (chardet.node.name, chardet.node.direct) == ("chardet", True)
    (project / "requirements.txt").write_text("chardet==5.2.0\n", encoding="utf-8")
    [plain] = scan_dirs(project, dists, texts="none").packages
    assert chardet.verdict == plain.verdict and chardet.verdict.expression.startswith("LGPL")
    codes = {f.code for f in result.findings}
    assert "DL005" in codes and "DL001" not in codes
