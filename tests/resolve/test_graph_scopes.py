"""Scopes of the installed graph: an extra counts only in the scopes whose paths activate it,
and ``--all`` lists every installed distribution, whatever scope declares it.

The environment is real dist-info metadata from ``tests/fixtures/dists``: chainer 7.8.1
(``theano; extra == "doctest"``), theano 1.0.5 (numpy, scipy, six), numpy, scipy.
"""

from __future__ import annotations

from pathlib import Path

from dllicense.discover.environment import select_environment
from dllicense.discover.project import discover_project
from dllicense.models import Graph
from dllicense.resolve.graph import resolve
from tests.conftest import DISTS, scan_dirs

INSTALLED = [DISTS / d for d in ("chainer-7.8.1", "theano-1.0.5", "numpy-1.26.4", "scipy-1.17.1")]


def _project(tmp_path: Path, body: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    text = f'[project]\nname = "demo"\nversion = "1"\n{body}'
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    return project


def _graph(project: Path, include_all: bool = False) -> Graph:
    env = select_environment(project, None, [str(d) for d in INSTALLED])
    return resolve(discover_project(project), env, include_all=include_all)


def test_an_extra_activated_by_a_group_stays_in_that_group(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        'dependencies = ["chainer"]\n[dependency-groups]\ndev = ["chainer[doctest]"]\n',
    )
    scopes = {n.name: n.scopes for n in _graph(project).nodes}
    assert scopes == {
        "chainer": ("runtime", "group:dev"),
        "numpy": ("runtime", "group:dev"),  # chainer needs it at runtime
        "theano": ("group:dev",),  # chainer[doctest] only
        "scipy": ("group:dev",),  # through theano
    }


def test_a_self_referencing_extra_activates_the_extras_it_names(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        'dependencies = ["chainer"]\n[project.optional-dependencies]\n'
        'docs = ["chainer[doctest]"]\nall = ["demo[docs]"]\n',
    )
    scopes = {n.name: n.scopes for n in _graph(project).nodes}
    assert scopes["theano"] == ("extra:all", "extra:docs")
    assert scopes["chainer"] == ("runtime", "extra:all", "extra:docs")


def test_all_lists_a_distribution_declared_only_in_an_unselected_extra(tmp_path: Path) -> None:
    project = _project(
        tmp_path, 'dependencies = ["numpy"]\n[project.optional-dependencies]\ndev = ["theano"]\n'
    )
    scopes = {n.name: n.scopes for n in _graph(project, include_all=True).nodes}
    assert scopes == {
        "numpy": ("runtime", "extra:dev"),
        "theano": ("extra:dev", "environment"),  # what it is, and installed
        "scipy": ("extra:dev", "environment"),
        "chainer": ("environment",),  # installed, declared nowhere
    }
    listed = {p.node.name for p in scan_dirs(project, *INSTALLED, texts="none").packages}
    assert listed == {"numpy"}  # the runtime scope only
    result = scan_dirs(project, *INSTALLED, texts="none", include_all=True)
    assert {p.node.name for p in result.packages} == {"numpy", "theano", "scipy", "chainer"}


def test_a_declared_package_not_installed_is_dl001_only_in_a_chosen_scope(tmp_path: Path) -> None:
    # haotian-liu/LLaVA@c121f043 declares `train = ["deepspeed==0.12.6", "ninja", "wandb"]`;
    # with its runtime dependencies installed, the default scan (runtime) said DL001 "declared
    # but not installed" (an error, exit 1) for each package of the extras it does not check
    project = _project(
        tmp_path,
        'dependencies = ["numpy"]\n[project.optional-dependencies]\ntrain = ["theano"]\n'
        '[dependency-groups]\ndev = ["chainer"]\n',
    )
    numpy = DISTS / "numpy-1.26.4"

    def missing(**options: object) -> list[str]:
        found = scan_dirs(project, numpy, texts="none", **options).findings
        return sorted(f.package for f in found if f.code == "DL001")

    assert missing() == []  # runtime only: the extra and the group are not checked
    assert missing(scopes=("extras",)) == ["theano"]
    assert missing(scopes=("groups",)) == ["chainer"]
    assert missing(scopes=("all",)) == ["chainer", "theano"]
    # resolve alone (no scopes given) still says every one is missing
    env = select_environment(project, None, [str(numpy)])
    skipped = resolve(discover_project(project), env).skipped
    assert sorted(s.package for s in skipped) == ["chainer", "theano"]
