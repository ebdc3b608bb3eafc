"""Requirements files read the way pip would, without running pip."""

from __future__ import annotations

from pathlib import Path

from dllicense.discover.project import discover_project
from dllicense.discover.requirements import read_requirements, scope_for


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_requirements_features(tmp_path: Path) -> None:
    write(tmp_path / "base.txt", "numpy>=1.26\n")
    write(tmp_path / "constraints.txt", "torch==2.13.0\n")
    req = write(
        tmp_path / "requirements.txt",
        """\
# a comment
-r base.txt
-c constraints.txt
--index-url https://example.invalid/simple
torch==2.13.0 \\
    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
keras>=3 ; python_version >= "3.9"   # trailing comment
-e ./local-pkg
git+https://example.invalid/org/repo.git#egg=thing
mypkg @ https://example.invalid/mypkg-1.0-py3-none-any.whl
requests[socks]==2.32.0
not a requirement !!
""",
    )
    declared, problems, files = read_requirements(req, tmp_path)
    by_name = {d.name: d for d in declared if d.name}
    assert set(by_name) == {"numpy", "torch", "keras", "mypkg", "requests", "thing"}
    assert by_name["thing"].kind == "url"  # named by its #egg= fragment
    assert by_name["torch"].specifier == "==2.13.0"
    assert by_name["torch"].location.line == 5
    assert by_name["keras"].marker == 'python_version >= "3.9"'
    assert by_name["mypkg"].kind == "url"
    assert by_name["requests"].extras == ("socks",)
    assert by_name["numpy"].location.file == "base.txt"
    kinds = sorted(d.kind for d in declared if not d.name)
    assert kinds == ["editable"]
    assert files == ["requirements.txt", "base.txt", "constraints.txt"]
    assert [p.code for p in problems] == ["DL004"]
    assert problems[0].location is not None and problems[0].location.line == 12


def test_include_loop_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "-r b.txt\nsix\n")
    write(tmp_path / "b.txt", "-r a.txt\nidna\n")
    declared, problems, _ = read_requirements(tmp_path / "a.txt", tmp_path)
    assert {d.name for d in declared} == {"six", "idna"}
    assert [p.code for p in problems] == ["DL012"]
    assert "includes itself" in problems[0].message


def test_self_include_and_missing_include(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "-r requirements.txt\n-r missing.txt\nsix\n")
    declared, problems, _ = read_requirements(tmp_path / "requirements.txt", tmp_path)
    assert [d.name for d in declared] == ["six"]
    assert sorted(p.code for p in problems) == ["DL012", "DL012"]


def test_scope_from_file_name() -> None:
    assert scope_for(Path("requirements.txt")) == "runtime"
    assert scope_for(Path("requirements-dev.txt")) == "group:dev"
    assert scope_for(Path("test-requirements.txt")) == "group:test"
    assert scope_for(Path("requirements/base.txt")) == "runtime"


def test_project_reads_pyproject_and_requirements(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """\
[project]
name = "demo"
dependencies = ["torch>=2", "keras==2.4.3"]
[project.optional-dependencies]
GPU = ["cupy-cuda12x"]
[dependency-groups]
test = ["pytest", {include-group = "lint"}]
lint = ["ruff"]
loop = [{include-group = "loop"}]
self = ["demo[gpu]"]
""",
    )
    write(tmp_path / "requirements-dev.txt", "hypothesis\n")
    project = discover_project(tmp_path)
    assert project.name == "demo"
    got = {(d.scope, d.name) for d in project.declared}
    assert got == {
        ("runtime", "torch"),
        ("runtime", "keras"),
        ("extra:gpu", "cupy-cuda12x"),
        ("group:test", "pytest"),
        ("group:test", "ruff"),
        ("group:lint", "ruff"),
        ("group:dev", "hypothesis"),
    }
    assert [p.code for p in project.problems] == ["DL011"]
    torch = next(d for d in project.declared if d.name == "torch")
    assert (torch.location.file, torch.location.line) == ("pyproject.toml", 3)
    assert project.sources == ("pyproject.toml", "requirements-dev.txt")


def test_broken_pyproject_is_a_finding_with_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\ndependencies = [\n")
    project = discover_project(tmp_path)
    assert [p.code for p in project.problems] == ["DL010"]
    assert project.problems[0].location is not None
    assert project.problems[0].location.line == 3
