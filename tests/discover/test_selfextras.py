"""``mypkg[a]`` inside mypkg's own extras and groups stands for the requirements of extra a."""

from __future__ import annotations

from pathlib import Path

from packaging.markers import Marker

from dllicense.discover.pyproject import read_pyproject

PYPROJECT = """\
[project]
name = "My.Demo"
version = "1"
dependencies = ["idna"]

[project.optional-dependencies]
Win_Extra = ["colorama; python_version >= '3.8'"]
a = ["six", "my-demo[b]"]
b = ["text-unidecode", "my_demo[a]"]
all = ["MY-DEMO[win-extra,a]; sys_platform == 'win32'"]
ghost = ["my-demo[nope]"]

[dependency-groups]
dev = ["my.demo[all]>=1", "iniconfig"]
"""


def _read(tmp_path: Path) -> dict[tuple[str, str], str]:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT, encoding="utf-8")
    name, declared, problems, _ = read_pyproject(path, "pyproject.toml")
    assert (name, problems) == ("My.Demo", [])
    return {(d.scope, d.name): d.marker for d in declared}


def test_self_references_expand_recursively_and_cycles_end(tmp_path: Path) -> None:
    got = _read(tmp_path)
    assert sorted(got) == [
        ("extra:a", "six"),
        ("extra:a", "text-unidecode"),  # a -> b
        ("extra:all", "colorama"),
        ("extra:all", "six"),
        ("extra:all", "text-unidecode"),
        ("extra:b", "six"),  # b -> a, and a -> b ends there
        ("extra:b", "text-unidecode"),
        ("extra:win-extra", "colorama"),
        ("group:dev", "colorama"),  # dev -> all -> win-extra
        ("group:dev", "iniconfig"),
        ("group:dev", "six"),
        ("group:dev", "text-unidecode"),
        ("runtime", "idna"),
    ]  # the project itself is never a requirement; extra "nope" does not exist


def test_the_markers_of_both_must_hold(tmp_path: Path) -> None:
    got = _read(tmp_path)
    marker = Marker(got[("group:dev", "colorama")])
    linux = {"sys_platform": "linux", "python_version": "3.11"}
    assert not marker.evaluate(linux)
    assert marker.evaluate({**linux, "sys_platform": "win32"})
    assert not marker.evaluate({"sys_platform": "win32", "python_version": "3.7"})
    assert got[("extra:a", "six")] == ""
