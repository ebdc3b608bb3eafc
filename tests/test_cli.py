"""The command line contract: exit codes, one-line errors, deterministic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from dllicense import __version__
from dllicense.cli import main
from tests.conftest import DISTS, run_cli


def test_version_via_python_m() -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"dllicense, version {__version__}"


def test_the_quick_exit_runs_exit_handlers_and_keeps_the_code_and_output(tmp_path: Path) -> None:
    """``run`` ends the process with ``os._exit``: what ``atexit`` would do still happens
    (the index cache removes its temporary folder that way), buffered output is flushed,
    and the exit code is the command's."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('exit handler ran', file=sys.stderr))\n"
        "sys.stdout.write('buffered ')\n"
        "from dllicense.cli import run\n"
        "sys.argv = ['dllicense', *sys.argv[1:]]\n"
        "run()\n"
    )
    for args, code, out, err in (
        (["--version"], 0, f"buffered dllicense, version {__version__}", "exit handler ran"),
        (["scan", str(tmp_path), "--format", "docx"], 2, "buffered", "unknown format 'docx'"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == code, done.stderr
        assert done.stdout.strip() == out
        assert err in done.stderr and "exit handler ran" in done.stderr


def _one_line_error(done: subprocess.CompletedProcess[str], needle: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert needle in done.stderr


def test_usage_and_config_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    _one_line_error(run_cli("scan", str(tmp_path), "--format", "docx"), "unknown format 'docx'")
    _one_line_error(run_cli("scan", str(tmp_path / "missing")), "missing")
    _one_line_error(
        run_cli("scan", str(tmp_path), "--path", str(tmp_path / "nope")), "not a directory"
    )
    (tmp_path / "dllicense.toml").write_text('allow = ["MIT"]\nbogus = 1\n', encoding="utf-8")
    _one_line_error(run_cli("scan", str(tmp_path)), "dllicense.toml:2: bogus: unknown policy key")
    (tmp_path / "dllicense.toml").write_text('allow = ["MIT"]\nbogus = 1\nuse = "x"\n', "utf-8")
    both = run_cli("scan", str(tmp_path))
    assert both.returncode == 2 and "Traceback" not in both.stderr
    assert both.stderr.splitlines() == [
        "dllicense: error: dllicense.toml:2: bogus: unknown policy key (known: allow, "
        "clarifications, description, exceptions, extends, forbid-traits, models, name, "
        "review-traits, scope-rules, scopes, severity, unknown-license, use)",
        "dllicense: error: dllicense.toml:3: use: must be one of internal, saas, distributed, "
        "not 'x'",
    ]


def test_scan_path_json_is_deterministic_and_relative(tmp_path: Path) -> None:
    dists = DISTS / "keras-2.4.3"
    args = ["scan", str(tmp_path), "--path", str(dists), "--format", "json", "--texts", "none"]
    first = run_cli(*args)
    second = run_cli(*args)
    assert first.returncode in (0, 1), first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert [p["name"] for p in data["packages"]] == ["keras"]
    assert data["packages"][0]["license"] == "MIT"
    assert str(Path.home()) not in first.stdout and str(tmp_path) not in first.stdout


def test_output_directory_for_several_formats(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "scan",
            str(tmp_path),
            "--path",
            str(DISTS / "keras-2.4.3"),
            "--format",
            "json,table",
            "-o",
            str(out),
            "--texts",
            "none",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    assert json.loads((out / "dllicense.json").read_text("utf-8"))["packages"][0]["name"] == "keras"
    assert "keras" in (out / "dllicense.txt").read_text("utf-8")
