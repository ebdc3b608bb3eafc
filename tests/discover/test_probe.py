"""The ``--python`` probe: started early by the CLI, answered once, errors in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dllicense.discover import probe
from dllicense.discover.choice import EnvironmentChoice
from dllicense.discover.environment import read_environment
from dllicense.errors import InputError

SRC = Path(__file__).resolve().parents[2] / "src"


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_a_started_probe_gives_the_answer_of_a_fresh_one() -> None:
    fresh = probe.ask_interpreter(sys.executable)
    probe.start(sys.executable)
    assert sys.executable in probe._STARTED
    assert probe.ask_interpreter(sys.executable) == fresh
    assert sys.executable not in probe._STARTED  # taken once, not kept
    assert fresh[0] == 0 and '"path"' in fresh[1]


def test_an_interpreter_that_cannot_run(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-python")
    probe.start(missing)  # does not raise: the read reports it
    with pytest.raises(InputError, match="cannot run it"):
        read_environment(EnvironmentChoice("python", "x", python=missing))


def test_an_interpreter_that_fails(tmp_path: Path) -> None:
    python = _script(tmp_path, "echo 'boom' >&2; exit 3")
    probe.start(python)
    with pytest.raises(InputError, match="exited with 3: boom"):
        read_environment(EnvironmentChoice("python", "x", python=python))


def test_an_interpreter_that_hangs_is_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = _script(tmp_path, "exec sleep 30")
    monkeypatch.setattr(probe, "TIMEOUT_S", 0.5)
    probe.start(python)
    process = probe._STARTED[python]
    with pytest.raises(InputError, match="cannot run it"):
        read_environment(EnvironmentChoice("python", "x", python=python))
    assert process.poll() is not None  # killed, not left behind


def test_the_cli_reports_a_bad_python_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dllicense", "scan", str(tmp_path), "--python", "/no/such/python"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--python /no/such/python: cannot run it" in done.stderr
