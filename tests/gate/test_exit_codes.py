"""Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/config/I-O error.

Each case is a real scan of fixture distributions whose findings are known:
errors only where the policy refuses a licence, warnings for the
dependencies that are not installed, info for an unused allow entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dllicense.cli import main
from tests.conftest import DISTS
from tests.gate.conftest import project

# (fixture dists, policy) -> the severities of its findings
WARNINGS_ONLY = ("keras-3.15.1", 'allow = ["Apache-2.0"]')  # DL002 warnings
INFO_ONLY = ("chardet-7.7.0", 'allow = ["0BSD", "MIT"]')  # DL304 info
WITH_ERROR = ("keras-3.15.1", 'allow = ["MIT"]')  # DL201 error + warnings + info


def _exit(tmp_path: Path, case: tuple[str, str], *args: str) -> int:
    proj = project(tmp_path / "p", [], case[1])
    result = CliRunner().invoke(
        main, ["scan", str(proj), "--path", str(DISTS / case[0]), "--texts", "none", *args]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (WARNINGS_ONLY, {"error": 0, "warning": 1, "info": 1, "never": 0}),
        (INFO_ONLY, {"error": 0, "warning": 0, "info": 1, "never": 0}),
        (WITH_ERROR, {"error": 1, "warning": 1, "info": 1, "never": 0}),
    ],
)
def test_fail_on(tmp_path: Path, case: tuple[str, str], expected: dict[str, int]) -> None:
    got = {level: _exit(tmp_path, case, "--fail-on", level) for level in expected}
    assert got == expected
    assert _exit(tmp_path, case) == expected["error"]  # the default is --fail-on error


def test_exit_zero_and_severity_overrides(tmp_path: Path) -> None:
    assert _exit(tmp_path, WITH_ERROR, "--exit-zero") == 0
    assert _exit(tmp_path, WITH_ERROR, "--exit-zero", "--fail-on", "info") == 0
    assert _exit(tmp_path, WITH_ERROR, "--warn", "DL201") == 0
    assert _exit(tmp_path, WARNINGS_ONLY, "--deny", "DL002") == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _exit(tmp_path, WITH_ERROR, "--fail-on", "sometimes") == 2
    assert _exit(tmp_path, WITH_ERROR, "--deny", "DL999") == 2
    assert _exit(tmp_path, WITH_ERROR, "--format", "docx", "--exit-zero") == 2
