"""No lock and nothing installed: the complete set comes from a real resolver (uv, else pip)
run against the recorded index on 127.0.0.1, never from the interpreter dllicense runs in."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dllicense.discover.choice import choose_environment
from dllicense.models import ScanResult
from dllicense.pipeline import ScanOptions, scan
from dllicense.resolve import online
from tests.conftest import FIXTURES
from tests.index.server import RecordedIndex

Serve = Callable[..., RecordedIndex]


@pytest.fixture(autouse=True)
def _nothing_active(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No active environment, and none of this machine's pip configuration."""
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX", "PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))


def _project(tmp_path: Path, *deps: str) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    listed = ", ".join(f'"{d}"' for d in deps)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "0"\ndependencies = [{listed}]\n'
        '[project.optional-dependencies]\ndev = ["pytest"]\n',
        "utf-8",
    )
    return root


def _scan(root: Path, server: RecordedIndex | None, tmp_path: Path, **more: object) -> ScanResult:
    online_ = bool(more.pop("online", server is not None))
    return scan(
        ScanOptions(
            project=root,
            online=online_,
            index_url=server.index_url if server else None,
            cache_dir=tmp_path / "cache",
            texts="none",
            python_version="3.11",
            platform="linux",
            **more,  # type: ignore[arg-type]
        )
    )


def _codes(result: ScanResult) -> set[str]:
    return {f.code for f in result.findings}


def _set(result: ScanResult) -> set[tuple[str, str]]:
    return {(p.node.name, p.node.version) for p in result.packages}


@pytest.mark.parametrize("resolver", ["uv", "pip"])
def test_the_resolver_answer_is_the_set(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resolver: str
) -> None:
    if resolver == "pip":
        monkeypatch.setattr(online, "find_uv", lambda: None)
    else:
        assert online.find_uv() is not None, "the dev install brings uv"
    server = serve()
    root = _project(tmp_path, "six>=1.16", "text-unidecode")
    result = _scan(root, server, tmp_path)
    assert _set(result) == {("six", "1.17.0"), ("text-unidecode", "1.3")}
    assert result.environment.startswith(f"{resolver} ")
    assert "resolution for Python 3.11 on linux (nothing installed" in result.environment
    # the dev extra was not asked for: pytest was neither resolved nor called out of date
    assert not _codes(result) & {"DL006", "DL007", "DL031", "DL111", "DL115"}, result.findings
    unidecode = next(p for p in result.packages if p.node.name == "text-unidecode")
    assert unidecode.verdict.expression  # metadata really read from the index
    assert not any(f.code == "DL101" for f in result.findings)
    # the resolver ran once per scan and asked the local index only
    assert server.paths("/simple/six/") and server.paths("/simple/text-unidecode/")


def test_a_package_the_index_cannot_satisfy_is_dl007_with_the_reason(
    serve: Serve, tmp_path: Path
) -> None:
    server = serve()
    root = _project(tmp_path, "six", "no-such-package-dllicense")
    result = _scan(root, server, tmp_path)
    (failed,) = [f for f in result.findings if f.code == "DL007"]
    assert "no-such-package-dllicense" in failed.message
    assert "\n" not in failed.message and failed.message.startswith("uv ")
    # the declared packages are still listed, and the scan says what is missing
    assert {p.node.name for p in result.packages} == {"six", "no-such-package-dllicense"}
    assert "DL006" in _codes(result)
    assert not {"DL031", "DL034"} & _codes(result)  # no "not locked" for a failed resolution
    # already --online: DL006 does not advise it, and no per-package DL033 repeats DL006
    (unknown,) = [f for f in result.findings if f.code == "DL006"]
    assert "--online" not in unknown.message and "fix what DL007 names" in unknown.message
    assert "DL033" not in _codes(result), result.findings


def test_no_build_an_sdist_only_version_fails_instead_of_building(
    serve: Serve, tmp_path: Path
) -> None:
    """An exact pin of a version with no wheel for the target would need a build: the
    resolver refuses (--no-build), the scan says so, and nothing is written anywhere."""
    server = serve()
    root = _project(tmp_path, "onnx==1.7.0")  # the recorded onnx 1.7.0 is sdist-only for 3.11
    result = _scan(root, server, tmp_path)
    assert "DL007" in _codes(result), result.findings
    assert not (root / "build").exists() and sorted(p.name for p in root.iterdir()) == [
        "pyproject.toml"
    ]


def test_nothing_installed_offline_is_dl006_and_never_the_running_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)  # dllicense's own environment is active
    root = _project(tmp_path, "six", "torch>=2")
    result = _scan(root, None, tmp_path)
    assert {(p.node.name, p.node.version) for p in result.packages} == {("six", ""), ("torch", "")}
    (unknown,) = [f for f in result.findings if f.code == "DL006"]
    assert unknown.severity.value == "error"
    for way in ("--online", "lock file", "--python"):
        assert way in unknown.message
    assert "dllicense's own environment" in unknown.message
    assert not {"DL001", "DL101"} & _codes(result)


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    return where


def test_the_environment_order(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    active = _venv(tmp_path / "active")
    conda = tmp_path / "conda"
    (conda / "conda-meta").mkdir(parents=True)
    env = {"VIRTUAL_ENV": str(active), "CONDA_PREFIX": str(conda)}

    def chosen(**given: object) -> tuple[str, str] | None:
        decision = choose_environment(root, environ=env, **given)  # type: ignore[arg-type]
        return (decision.choice.kind, decision.choice.label) if decision.choice else None

    assert chosen() == ("venv", "$VIRTUAL_ENV")
    env["VIRTUAL_ENV"] = sys.prefix  # dllicense's own: passed over, said why
    assert chosen() == ("conda", "$CONDA_PREFIX")
    env["CONDA_PREFIX"] = sys.prefix
    decision = choose_environment(root, environ=env)
    assert decision.choice is None
    assert "$VIRTUAL_ENV is dllicense's own environment" in decision.skipped
    _venv(root / "venv")
    assert chosen() == ("venv", "venv")
    _venv(root / ".venv")
    assert chosen() == ("venv", ".venv")
    assert chosen(python=sys.executable)[0] == "python"  # type: ignore[index]
    assert chosen(python=sys.executable, paths=[str(tmp_path)])[0] == "path"  # type: ignore[index]


def test_why_walks_the_same_resolved_graph(serve: Serve, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dllicense.cli import main

    server = serve()
    root = _project(tmp_path, "six", "text-unidecode")
    args = ["why", "text-unidecode", str(root), "--scope", "runtime", "--platform", "linux"]
    offline = CliRunner().invoke(main, args)
    assert offline.exit_code == 0 and "text-unidecode (runtime)" in offline.output  # declared
    online_args = [*args, "--online", "--index-url", server.index_url, "--python-version", "3.11"]
    answer = CliRunner().invoke(main, online_args)
    assert answer.exit_code == 0, answer.output
    assert "text-unidecode 1.3 (runtime)" in answer.output
    missing = CliRunner().invoke(main, [*online_args[:1], "keras", *online_args[2:]])
    assert missing.exit_code == 1


def test_an_online_scan_without_a_lock_is_never_replayed(serve: Serve, tmp_path: Path) -> None:
    """Which versions the index offers changes from day to day: no result-cache replay."""
    from click.testing import CliRunner

    from dllicense.cli import main

    server = serve()
    root = _project(tmp_path, "six")
    args = ["scan", str(root), "--online", "--index-url", server.index_url, "--texts", "none"]
    args += ["--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    for run in (1, 2):
        assert CliRunner().invoke(main, args).exit_code == 0
        assert len(server.paths("/simple/six/")) >= run  # the resolver asked the index again
    (root / "requirements.txt").write_text("six==1.17.0\n", encoding="utf-8")  # a pinned lock
    asked = len(server.requests)
    first = CliRunner().invoke(main, args)
    assert '"code": "DL006"' not in first.output and '"six"' in first.output, first.output
    assert CliRunner().invoke(main, args).exit_code == first.exit_code
    assert len(server.requests) == asked  # locked versions: the metadata was cached, then replayed


@pytest.mark.parametrize("resolver", ["uv", "pip"])
def test_the_resolver_uses_pip_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resolver: str
) -> None:
    """No --index-url: the sources are pip's own configuration (here a find-links folder of
    real wheels with no-index), for the resolver and for the metadata alike; requests
    brings in its four dependencies (the wheels' own Requires-Dist)."""
    import shutil

    from tests.conftest import WHEELS

    if resolver == "pip":
        monkeypatch.setattr(online, "find_uv", lambda: None)
    links = tmp_path / "wheels"
    links.mkdir()
    for wheel in WHEELS.glob("*.whl"):
        shutil.copy2(wheel, links / wheel.name)
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nno-index = true\nfind-links = {links}\n", encoding="utf-8")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    root = _project(tmp_path, "requests")
    result = _scan(root, None, tmp_path, online=True)
    assert _set(result) == {
        ("requests", "2.34.2"),
        ("certifi", "2026.10.19.post1"),
        ("charset-normalizer", "3.5.3"),
        ("idna", "3.20"),
        ("urllib3", "2.8.0"),
    }, result.findings
    urllib3 = next(p for p in result.packages if p.node.name == "urllib3")
    assert urllib3.node.path == ("requests", "urllib3") and not urllib3.node.direct
    assert not _codes(result) & {"DL006", "DL007", "DL120", "DL121", "DL125"}
    config.write_text("not ini at all\n", encoding="utf-8")
    broken = _scan(root, None, tmp_path, online=True)
    assert "DL125" in _codes(broken)


@pytest.mark.parametrize("resolver", ["uv", "pip"])
def test_every_index_of_pip_configuration_offers_its_versions(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resolver: str
) -> None:
    """pip takes a version from any of its indexes: six==1.17.0 is on the index-url while an
    extra index lists only six 1.16.0 (a real wheel, tests/fixtures/tryout/index-strategy);
    uv, given the same sources, must not stop at the first index that lists six."""
    if resolver == "pip":
        monkeypatch.setattr(online, "find_uv", lambda: None)
    wheel = FIXTURES / "tryout" / "index-strategy" / "six-1.16.0-py2.py3-none-any.whl"
    page = tmp_path / "extra" / "six"
    page.mkdir(parents=True)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    link = f'<a href="{wheel.as_uri()}#sha256={digest}">{wheel.name}</a>'
    (page / "index.html").write_text(f"<html><body>{link}</body></html>\n", "utf-8")
    server = serve()
    config = tmp_path / "pip.conf"
    extra = (tmp_path / "extra").as_uri()
    config.write_text(f"[global]\nindex-url = {server.index_url}\nextra-index-url = {extra}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    result = _scan(_project(tmp_path, "six==1.17.0"), None, tmp_path, online=True)
    assert _set(result) == {("six", "1.17.0")}, result.findings
    assert not _codes(result) & {"DL006", "DL007"}
