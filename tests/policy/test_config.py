"""Policy files: discovery order, extends, validation with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.config.policy import builtin_names, load_policy
from dllicense.errors import ConfigError
from dllicense.models import Severity


def test_builtin_default_when_project_has_none(tmp_path: Path) -> None:
    policy = load_policy(tmp_path)
    assert policy.name == "default"
    assert "@weak-copyleft" in policy.allow
    assert "non-commercial" in policy.forbid_traits  # inherited from permissive
    assert {"default", "permissive", "patent-safe"} <= set(builtin_names())


def test_pyproject_table_extends_builtin(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.dllicense]\nextends = "permissive"\n'
        'allow = ["@permissive", "MPL-2.0"]\nunknown-license = "warning"\n',
        encoding="utf-8",
    )
    policy = load_policy(tmp_path)
    assert policy.allow == ("@permissive", "MPL-2.0")
    assert policy.forbid_traits == ("non-commercial", "proprietary", "commercial-forbidden")
    assert policy.unknown_severity is Severity.WARNING
    assert policy.source == "pyproject.toml"


def test_dllicense_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dllicense]\nallow = ["MIT"]\n', "utf-8")
    (tmp_path / "dllicense.toml").write_text('name = "mine"\nallow = ["ISC"]\n', "utf-8")
    assert load_policy(tmp_path).allow == ("ISC",)
    assert load_policy(tmp_path, "permissive").name == "permissive"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('allow = ["MIT"]\nallwo = ["ISC"]\n', "dllicense.toml:2: unknown policy key 'allwo'"),
        ('allow = ["@permisive"]\n', "dllicense.toml:1: unknown trait 'permisive'"),
        ('allow = "MIT"\n', "dllicense.toml:1: allow must be a list of strings"),
        ("allow = [\n", "dllicense.toml:1: Invalid value"),
        ('extends = "nope"\n', "extends unknown policy 'nope'"),
        ('unknown-license = "fatal"\n', "dllicense.toml:1: unknown-license must be"),
    ],
)
def test_invalid_policy_files_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "dllicense.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(tmp_path)
    assert expected in str(info.value)


def test_unknown_builtin_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="built-in policies: default"):
        load_policy(tmp_path, "nonexistent")
    with pytest.raises(ConfigError, match="no such file"):
        load_policy(tmp_path, str(tmp_path / "missing.toml"))
