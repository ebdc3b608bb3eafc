"""The result cache: what invalidates it, that it is used, and what a cached run imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dllicense import resultcache
from tests.conftest import DISTS
from tests.gate.conftest import dllicense, project

HEAVY = ("dllicense.pipeline", "license_expression", "dllicense.knowledge", "jinja2", "scancode")
HEAVY += ("licensedcode", "dllicense.config.policy", "dllicense.models", "packaging")


def _key(proj: Path, site: Path, **options: object) -> str | None:
    return resultcache.run_key(proj, {"formats": ["table"], **options}, paths=(str(site),))


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "six-1.0.dist-info").mkdir()
    (site / "six-1.0.dist-info" / "METADATA").write_text("Name: six\nVersion: 1.0\n", "utf-8")
    return site


def test_the_key_follows_options_and_not_files(tmp_path: Path) -> None:
    """Files are the journal's business: the key holds the options, the tool, the date."""
    proj = project(tmp_path / "p", ["six"])
    site = _site(tmp_path)
    first = _key(proj, site)
    assert first is not None and first == _key(proj, site)
    assert _key(proj, site, fail_on="warning") != first
    (proj / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    assert _key(proj, site) == first
    assert resultcache.run_key(tmp_path / "missing", {}) is None


def _scanned(*args: str | Path) -> bool:
    """Run the CLI in a fresh process; True when it scanned, False when it replayed."""
    return "dllicense.pipeline" in _heavy_imports(*map(str, args))


@pytest.mark.slow
def test_every_kind_of_input_changed_is_a_new_scan(tmp_path: Path) -> None:
    """The cache replays only while everything the scan read holds: each kind of input the
    readers read is changed in turn, and each change is scanned, then replayed."""
    proj = project(tmp_path / "p", ["six"])
    (proj / "requirements.txt").write_text("-r more/base.txt\n", encoding="utf-8")
    (proj / "more").mkdir()
    (proj / "more" / "base.txt").write_text("six\n", encoding="utf-8")
    (proj / "dllicense.toml").write_text('extends = "shared.toml"\n', encoding="utf-8")
    (proj / "shared.toml").write_text('allow = ["MIT"]\n', encoding="utf-8")
    (proj / "build.gradle").write_text("dependencies {}\n", encoding="utf-8")
    (proj / "gradle").mkdir()
    site = _site(tmp_path)
    args: tuple[str | Path, ...] = ("scan", proj, "--cache-dir", tmp_path / "cache")
    args += ("--texts", "none")
    with_site = (*args, "--path", site)
    assert _scanned(*with_site) and not _scanned(*with_site)

    def changed(what: str, *run: str | Path) -> None:
        run = run or with_site
        assert _scanned(*run), f"{what}: replayed a stale result"
        assert not _scanned(*run), f"{what}: not replayed the second time"

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    metadata = site / "six-1.0.dist-info" / "METADATA"
    steps = [
        ("pyproject.toml", proj / "pyproject.toml", "[project]\nname = 'p'\ndependencies = []\n"),
        ("a file included with -r", proj / "more" / "base.txt", "six>=1\n"),
        ("a new requirements file", proj / "requirements-dev.txt", "six\n"),
        ("requirements/ gains a file", proj / "requirements" / "base.txt", "six\n"),
        ("an extended policy file", proj / "shared.toml", 'allow = ["MIT", "BSD-3-Clause"]\n'),
        ("a distribution installed", site / "idna-3.0.dist-info" / "METADATA", "Name: idna\n"),
        ("METADATA rewritten, same size", metadata, "Name: six\nVersion: 1.1\n"),
        ("a licence file added", site / "six-1.0.dist-info" / "LICENSE", "MIT License\n"),
        ("a Gradle version catalog", proj / "gradle" / "libs.versions.toml", "[versions]\n"),
        (
            "pom.xml",
            proj / "pom.xml",
            "<project><parent><relativePath>parent\\pom.xml</relativePath></parent></project>\n",
        ),
        ("environment.yml", proj / "environment.yml", "dependencies:\n  - numpy\n"),
        ("setup.cfg", proj / "setup.cfg", "[options]\ninstall_requires = six\n"),
        ("a lock file", proj / "uv.lock", "version = 1\n"),
        (
            "a parent POM behind a backslash relativePath",
            proj / "parent" / "pom.xml",
            "<project/>\n",
        ),
        (
            "the parent POM edited",
            proj / "parent" / "pom.xml",
            "<project><version>2</version></project>\n",
        ),
    ]
    for what, path, text in steps:
        write(path, text)
        changed(what)
    touched = proj / "more" / "base.txt"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert not _scanned(*with_site), "touched without a change: the same bytes still count"
    # the project's own .venv (no --path): created, then a distribution installed in it
    venv_site = proj / ".venv" / "lib" / "python3.11" / "site-packages"
    write(proj / ".venv" / "pyvenv.cfg", "version = 3.11.7\n")
    venv_site.mkdir(parents=True)
    changed("the project's .venv created", *args)
    write(venv_site / "six-1.0.dist-info" / "METADATA", "Name: six\nVersion: 1.0\n")
    changed("a distribution installed in .venv", *args)


def test_a_no_change_run_is_answered_from_the_cache(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", [], 'allow = ["MIT"]')
    cache = tmp_path / "cache"
    args = ["scan", proj, "--path", DISTS / "keras-3.15.1", "--cache-dir", cache, "--texts", "none"]
    first = dllicense(*args)
    assert first.returncode == 1 and "DL201" in first.stdout
    assert dllicense(*args).stdout == first.stdout
    # prove the replay: doctor the stored result, the next run prints it as it is
    (entry,) = (cache / "results").glob("*.json")
    data = json.loads(entry.read_text("utf-8"))
    data["outputs"] = [["table", "from the cache\n"]]
    data["exit_code"] = 0
    entry.write_text(json.dumps(data), encoding="utf-8")
    replay = dllicense(*args)
    assert (replay.stdout, replay.returncode) == ("from the cache\n", 0)
    assert dllicense(*args, "--no-cache").stdout == first.stdout
    # a changed input is a new scan
    (proj / "pyproject.toml").write_text(
        (proj / "pyproject.toml").read_text("utf-8") + "# edited\n", encoding="utf-8"
    )
    assert dllicense(*args).stdout == first.stdout


def test_a_corrupt_or_unwritable_cache_is_no_cache(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", [])
    cache = tmp_path / "cache"
    args = ["scan", proj, "--path", DISTS / "keras-2.4.3", "--cache-dir", cache, "--texts", "none"]
    good = dllicense(*args)
    (entry,) = (cache / "results").glob("*.json")
    entry.write_bytes(b"\xff not json")
    again = dllicense(*args)
    assert (again.stdout, again.returncode) == (good.stdout, good.returncode)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    blocked = dllicense(
        "scan",
        proj,
        "--path",
        DISTS / "keras-2.4.3",
        "--texts",
        "none",
        "--cache-dir",
        tmp_path / "file" / "c",
    )
    assert (blocked.stdout, blocked.returncode) == (good.stdout, good.returncode), blocked.stderr


def test_outputs_are_written_again_on_a_cached_run(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", [])
    out = tmp_path / "out"
    args = [
        "scan",
        proj,
        "--path",
        DISTS / "keras-2.4.3",
        "--format",
        "json,markdown",
        "--texts",
        "none",
    ]
    args += ["-o", out, "--cache-dir", tmp_path / "cache"]
    dllicense(*args)
    first = (out / "dllicense.json").read_text("utf-8")
    for f in out.iterdir():
        f.unlink()
    dllicense(*args)
    assert (out / "dllicense.json").read_text("utf-8") == first
    assert (out / "dllicense.md").is_file()


_PROBE = """
import sys
from dllicense.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.startswith({heavy!r}))
print("HEAVY=" + ",".join(heavy))
"""


def _heavy_imports(*args: str, heavy: tuple[str, ...] = HEAVY) -> str:
    code = _PROBE.format(heavy=heavy)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.rsplit("HEAVY=", 1)[1].strip()


def test_start_up_and_cached_runs_import_only_what_they_need(tmp_path: Path) -> None:
    assert _heavy_imports("--version") == ""
    proj = project(tmp_path / "p", [])
    args = ("scan", str(proj), "--path", str(DISTS / "keras-2.4.3"), "--texts", "none")
    assert "dllicense.pipeline" in _heavy_imports(*args)  # the first run scans
    assert _heavy_imports(*args) == ""  # the second one answers from the cache


# What a metadata scan of a project with no lock, setup.py or conda environment never needs.
UNUSED_BY_A_METADATA_SCAN = (
    "license_expression",  # expressions _parsed reads itself
    "multiprocessing",  # below parallel.MIN_ITEMS
    "concurrent",
    "importlib.resources",  # package data: resources.package_text
    "email",  # packaging.metadata: only for METADATA fast_headers cannot read
    "configparser",  # setup.cfg
    "dllicense.discover.setuppy",
    "dllicense.discover.setupcfg",
    "dllicense.cli.diff",  # the other subcommands
    "dllicense.cli.why",
    "dllicense.cli.models",
    "dllicense.cli.explain",
    "dllicense.cli.init",
    "dllicense.cli.cache",
    "scancode",
    "jinja2",
)


def test_a_metadata_scan_imports_only_what_it_needs(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", [])
    args = ["scan", str(proj), "--texts", "none", "--no-cache", "--format", "json"]
    for name in ("keras-2.4.3", "certifi-2026.10.19.post1", "chardet-5.2.0"):
        args += ["--path", str(DISTS / name)]
    assert _heavy_imports(*args, heavy=UNUSED_BY_A_METADATA_SCAN) == ""
    assert "dllicense.pipeline" in _heavy_imports(*args)  # it did scan


def test_models_in_the_policy_turn_the_result_cache_off(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", [])
    (proj / "dllicense.toml").write_text('extends = "team.toml"\n', encoding="utf-8")
    (proj / "team.toml").write_text("models = true\n", encoding="utf-8")
    assert resultcache.policy_flag(proj, None, "models")
    (proj / "team.toml").write_text("models = false\n", encoding="utf-8")
    assert not resultcache.policy_flag(proj, None, "models")
    assert not resultcache.policy_flag(proj, "default", "models")


def test_cache_clear_removes_the_results(tmp_path: Path) -> None:
    proj = project(tmp_path / "p", [])
    cache = tmp_path / "cache"
    dllicense(
        "scan", proj, "--path", DISTS / "keras-2.4.3", "--texts", "none", "--cache-dir", cache
    )
    assert len(list((cache / "results").glob("*.json"))) == 1
    done = dllicense("cache", "clear", "--cache-dir", cache)
    assert "removed 1 cached scan results" in done.stdout
    assert not list((cache / "results").glob("*.json"))


def test_formats_that_show_the_commit_are_keyed_on_it(tmp_path: Path) -> None:
    """A replayed Markdown (or JSON, HTML, PDF) report never shows another commit's id;
    a table, which shows none, still replays across commits."""
    project = tmp_path / "p"
    (project / ".git" / "refs" / "heads").mkdir(parents=True)
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    head = project / ".git" / "refs" / "heads" / "main"

    def keys(commit: str) -> dict[str, str | None]:
        head.write_text(commit + "\n", encoding="utf-8")
        return {f: resultcache.run_key(project, {"formats": [f]}) for f in ("markdown", "table")}

    first, second = keys("a" * 40), keys("b" * 40)
    assert first["markdown"] != second["markdown"]
    assert first["table"] == second["table"]
