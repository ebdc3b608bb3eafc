"""setup.py (read with ast, never run) and setup.cfg, on real files of public ML repositories
(tests/fixtures/manifests/README.md), and the PEP 621 precedence of pyproject.toml."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from dllicense.discover.project import discover_project
from dllicense.discover.setupcfg import read_setup_cfg
from dllicense.discover.setuppy import read_setup_py
from dllicense.models import Declared, Project

FIXTURES = Path(__file__).parents[1] / "fixtures" / "manifests"


def _declared(project: Project, file: str) -> dict[str, Declared]:
    return {d.name: d for d in project.declared if d.location.file == file}


def test_detectron2_literal_lists_with_a_direct_reference() -> None:
    project = discover_project(FIXTURES / "detectron2")
    assert not project.problems  # version=get_version() and cmdclass are not requirements
    assert project.name == "detectron2"
    counts = Counter((d.scope, d.kind) for d in project.declared)
    assert counts == {
        ("runtime", "pypi"): 16,
        ("extra:all", "pypi"): 6,
        ("extra:all", "url"): 1,
        ("extra:dev", "pypi"): 5,
    }
    runtime = {d.name: d for d in project.declared if d.scope == "runtime"}
    assert (runtime["pillow"].specifier, runtime["pillow"].location.line) == (">=7.1", 166)
    assert runtime["dataclasses"].marker == 'python_version < "3.7"'
    [panoptic] = [d for d in project.declared if d.kind == "url"]
    assert (panoptic.name, panoptic.location.line) == ("panopticapi", 206)
    assert project.sources == ("setup.py",)


def test_module_level_names_are_followed() -> None:
    result = read_setup_py(FIXTURES / "audiosr" / "setup.py", "setup.py")
    assert not result.problems
    assert result.install_requires is not None
    names = [raw for raw, _ in result.install_requires]
    assert names[0] == "torch>=1.13.0" and len(names) == 21  # REQUIRED = [...], line 37 on
    assert result.install_requires[0][1] == 38
    assert result.extras_require == {}  # EXTRAS = {}


def test_a_comprehension_over_the_scanned_requirements_txt_hides_nothing() -> None:
    """CLIP's install_requires only reads requirements.txt, which the scan reads: no DL013."""
    project = discover_project(FIXTURES / "clip")
    assert not project.problems
    assert set(_declared(project, "requirements.txt")) == {
        "ftfy",
        "packaging",
        "regex",
        "tqdm",
        "torch",
        "torchvision",
    }
    assert [d.scope for d in _declared(project, "setup.py").values()] == ["extra:dev"]  # pytest


def test_audiocraft_reads_its_requirements_txt_through_a_module_level_name() -> None:
    """``REQUIRED = [i.strip() for i in open(HERE / 'requirements.txt') ...]``: the file is
    the scan's own runtime requirements file, so install_requires hides nothing (issue 15)."""
    project = discover_project(FIXTURES / "audiocraft")
    assert not project.problems
    runtime = _declared(project, "requirements.txt")
    assert len(runtime) == 28 and runtime["torch"].specifier == "==2.1.0"
    assert {d.scope for d in runtime.values()} == {"runtime"}
    assert set(_declared(project, "setup.py")) == {
        "coverage",
        "flake8",
        "mypy",
        "pdoc3",
        "pytest",
        "audioseal",
    }


@pytest.mark.parametrize(
    ("files", "setup"),
    [
        # the file it reads is not one the scan reads
        ({"deps.txt": "torch\n"}, "REQ = [x.strip() for x in open('deps.txt')]"),
        # the scan reads it, but as a dev group, not runtime
        ({"requirements-dev.txt": "torch\n"}, "REQ = open('requirements-dev.txt').readlines()"),
        # it adds a literal to what it reads
        ({"requirements.txt": "torch\n"}, "REQ = open('requirements.txt').readlines() + ['a']"),
        # a function of its own may do anything
        ({"requirements.txt": "torch\n"}, "REQ = load(open('requirements.txt'))"),
    ],
)
def test_reading_other_files_or_more_is_still_a_finding(
    tmp_path: Path, files: dict[str, str], setup: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    source = f"from setuptools import setup\n{setup}\nsetup(install_requires=REQ)\n"
    (tmp_path / "setup.py").write_text(source, encoding="utf-8")
    assert [p.code for p in discover_project(tmp_path).problems] == ["DL013"]


def test_names_bound_to_calls_are_findings_naming_the_binding() -> None:
    project = discover_project(FIXTURES / "demucs")
    problems = sorted(project.problems, key=lambda p: p.message)
    assert [p.code for p in problems] == ["DL013", "DL013"]
    assert "REQUIRED, bound at line 39 to a call of load_requirements()" in problems[1].message
    assert "extras_require['dev']" in problems[0].message
    assert not _declared(project, "setup.py")  # nothing guessed
    assert _declared(project, "requirements_minimal.txt")  # read by the requirements reader


def test_setup_cfg_lists_and_extras() -> None:
    result = read_setup_cfg(FIXTURES / "kornia-setupcfg" / "setup.cfg", "setup.cfg")
    assert result.name == "kornia"
    assert result.install_requires == [("packaging", 38), ("torch>=1.9.1", 39)]
    assert result.extras_require is not None
    assert sorted(result.extras_require) == ["dev", "docs", "x"]
    assert result.extras_require["x"] == [("accelerate==0.15.0", 83)]
    project = discover_project(FIXTURES / "kornia-setupcfg")  # setup.py is a bare setup()
    assert Counter(d.scope for d in project.declared) == {
        "runtime": 2,
        "extra:dev": 10,
        "extra:docs": 15,
        "extra:x": 1,
    }
    assert not project.problems


def test_setup_py_keywords_win_over_setup_cfg(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "kornia-setupcfg" / "setup.cfg", tmp_path / "setup.cfg")
    shutil.copy(FIXTURES / "kornia-setuppy" / "setup.py", tmp_path / "setup.py")
    project = discover_project(tmp_path)
    files = {d.location.file for d in project.declared}
    assert files == {"setup.py"}  # setup.py gives install_requires and extras_require
    docs = [d for d in project.declared if d.scope == "extra:docs"]
    assert len(docs) == 14  # setup.py's docs extra, not setup.cfg's 15


@pytest.mark.parametrize(
    ("project_table", "expected_files"),
    [
        ("", {"setup.cfg"}),  # no [project]: setuptools' files declare everything
        (
            '[project]\nname = "k"\ndynamic = ["dependencies", "optional-dependencies"]\n',
            {"setup.cfg"},
        ),
        ('[project]\nname = "k"\ndynamic = ["dependencies"]\n', {"setup.cfg"}),
        ('[project]\nname = "k"\ndependencies = ["numpy"]\n', {"pyproject.toml"}),
    ],
)
def test_pep621_precedence(tmp_path: Path, project_table: str, expected_files: set[str]) -> None:
    shutil.copy(FIXTURES / "kornia-setupcfg" / "setup.cfg", tmp_path / "setup.cfg")
    (tmp_path / "pyproject.toml").write_text(project_table, encoding="utf-8")
    project = discover_project(tmp_path)
    assert {d.location.file for d in project.declared} == expected_files
    extras_from_cfg = any(d.scope.startswith("extra:") for d in project.declared)
    assert extras_from_cfg == ("optional-dependencies" in project_table or not project_table)


def test_pyproject_owning_the_field_silences_an_unreadable_setup_py(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "clip" / "setup.py", tmp_path / "setup.py")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "clip"\ndependencies = ["torch"]\n', encoding="utf-8"
    )
    project = discover_project(tmp_path)
    assert not project.problems
    assert [d.name for d in project.declared] == ["torch"]


@pytest.mark.parametrize(
    ("source", "what"),
    [
        (
            "from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n",
            "a call of open('r.txt').read().split()",
        ),
        (
            "import setuptools\nDEPS = ['a']\nDEPS += ['b']\n"
            "setuptools.setup(install_requires=DEPS)\n",
            "DEPS, not bound to a literal",
        ),
        (
            "from setuptools import setup\nsetup(install_requires=[f'torch>={2}'])\n",
            "the expression joinedstr",
        ),
        ("from setuptools import setup\nsetup(**CONFIG)\n", "the name CONFIG"),
        ("setup(install_requires=[\n", "cannot be parsed"),
    ],
)
def test_non_literals_are_findings_with_their_line(tmp_path: Path, source: str, what: str) -> None:
    (tmp_path / "setup.py").write_text(source, encoding="utf-8")
    project = discover_project(tmp_path)
    [problem] = project.problems
    assert problem.code == "DL013" and what in problem.message, problem.message
    assert problem.location is not None and problem.location.line is not None
    assert not project.declared


def test_literals_concatenated_and_a_string(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\n"
        "BASE = ['numpy>=1.26']\n"
        "GPU = ('cupy-cuda12x',)\n"
        "setup(name='demo', install_requires=BASE + ['torch'],\n"
        "      extras_require={'gpu': GPU, 'docs': 'sphinx\\nfuro'})\n",
        encoding="utf-8",
    )
    project = discover_project(tmp_path)
    assert not project.problems
    got = sorted((d.scope, d.name, d.location.line) for d in project.declared)
    assert got == [
        ("extra:docs", "furo", 6),
        ("extra:docs", "sphinx", 5),
        ("extra:gpu", "cupy-cuda12x", 3),
        ("runtime", "numpy", 2),
        ("runtime", "torch", 4),
    ]


def test_setup_py_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "setup.py").write_text(
        f"open({str(marker)!r}, 'w').write('x')\n"
        "from setuptools import setup\nsetup(install_requires=['six'])\n",
        encoding="utf-8",
    )
    project = discover_project(tmp_path)
    assert [d.name for d in project.declared] == ["six"]
    assert not marker.exists()


def test_setup_cfg_file_directive_and_semicolons(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[options]\ninstall_requires = file: reqs/base.txt\n"
        "[options.extras_require]\ncli = click; rich>=13\n",
        encoding="utf-8",
    )
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "base.txt").write_text("numpy\n-e git+https://x.invalid/r#egg=r\n")
    project = discover_project(tmp_path)
    got = sorted((d.scope, d.name, d.kind, d.location.file) for d in project.declared)
    assert got == [
        ("extra:cli", "click", "pypi", "setup.cfg"),
        ("extra:cli", "rich", "pypi", "setup.cfg"),
        ("runtime", "numpy", "pypi", "reqs/base.txt"),
        ("runtime", "r", "editable", "reqs/base.txt"),
    ]


def test_broken_setup_cfg_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[options\ninstall_requires = x\n", encoding="utf-8")
    project = discover_project(tmp_path)
    assert [p.code for p in project.problems] == ["DL013"]
    assert not project.declared


@pytest.mark.parametrize(
    "source",
    [
        "from setuptools import setup\nsetup(install_requires=" + "[" * 5000 + "]" * 5000 + ")\n",
        "A = ['a']\nsetup(install_requires=" + " + ".join(["A"] * 5000) + ")\n",
    ],
)
def test_hostile_nesting_is_a_finding_not_a_traceback(tmp_path: Path, source: str) -> None:
    (tmp_path / "setup.py").write_text(source, encoding="utf-8")
    project = discover_project(tmp_path)
    assert [p.code for p in project.problems] == ["DL013"]
