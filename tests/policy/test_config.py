"""Policy files: discovery order, extends, validation with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dllicense.config.policy import SELECTORS, builtin_names, load_policy
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
        ('allow = ["MIT"]\nallwo = ["ISC"]\n', "dllicense.toml:2: allwo: unknown policy key"),
        ('allow = ["@permisive"]\n', "dllicense.toml:1: allow: unknown trait 'permisive'"),
        ('allow = "MIT"\n', "dllicense.toml:1: allow: must be a list of strings"),
        ("allow = [\n", "dllicense.toml:1: Invalid value"),
        ('extends = "nope"\n', "dllicense.toml:1: extends: unknown policy 'nope'"),
        ('unknown-license = "fatal"\n', "dllicense.toml:1: unknown-license: must be"),
    ],
)
def test_invalid_policy_files_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "dllicense.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(tmp_path)
    assert expected in str(info.value)


def test_unknown_builtin_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="built-in policies: commercial-distribution, default"):
        load_policy(tmp_path, "nonexistent")
    with pytest.raises(ConfigError, match="no such file"):
        load_policy(tmp_path, str(tmp_path / "missing.toml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[exceptions]]\npackage = "torch"\nallow = ["BSD-3-Clause"]\nreason = "r"\n'
            'expires = "next year"\n',
            "dllicense.toml:5: exceptions[0].expires: must be a date",
        ),
        (
            '[[exceptions]]\npackage = "torch"\nversions = "two"\nallow = ["MIT"]\nreason = "r"\n',
            "dllicense.toml:3: exceptions[0].versions: 'two' is not a PEP 440 version specifier",
        ),
        (
            '[[exceptions]]\npackage = "torch"\nallow = ["BSD-3"]\nreason = "r"\n',
            "dllicense.toml:3: exceptions[0].allow: 'BSD-3' is not a known licence id",
        ),
        ('[[exceptions]]\npackage = "torch"\nallow = ["MIT"]\n', "a reason is required"),
        (
            '[[exceptions]]\npackage = "torch"\nallow = ["MIT"]\nreason = "r"\napprover = "x"\n',
            "dllicense.toml:5: exceptions[0].approver: unknown exceptions key",
        ),
        (
            '[[clarifications]]\npackage = "p"\nexpression = "MIT OR (GPL"\n',
            "dllicense.toml:3: clarifications[0].expression: 'MIT OR (GPL' is not valid",
        ),
        (
            '[[clarifications]]\npackage = "p"\nexpression = "MIT"\nfiles = [{path = "LICENSE", '
            'sha256 = "abc"}]\n',
            "dllicense.toml:4: clarifications[0].files[0].sha256: must be 64 hex digits",
        ),
        (
            'allow = ["MIT"]\n[severity]\nDL999 = "error"\n',
            "dllicense.toml:3: severity.DL999: unknown rule",
        ),
        ('use = "cloud"\n', "dllicense.toml:1: use: must be one of internal, saas, distributed"),
        (
            '[[scope-rules]]\nscopes = ["group:*"]\nforbid-traits = ["gpl"]\n',
            "dllicense.toml:3: scope-rules[0].forbid-traits: unknown trait 'gpl'",
        ),
    ],
)
def test_invalid_decisions_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "dllicense.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(tmp_path)
    assert expected in str(info.value)


def test_exception_and_clarification_values(tmp_path: Path) -> None:
    (tmp_path / "dllicense.toml").write_text(
        'extends = "patent-safe"\n'
        '[[exceptions]]\npackage = "Torch"\nversions = ">=2"\nallow = ["bsd-3-clause"]\n'
        'reason = "reviewed"\napproved-by = "legal"\nexpires = 2027-01-31\n'
        '[[clarifications]]\npackage = "paramiko"\nversions = "==5.1.0"\n'
        'expression = "lgpl-2.1-or-later"\nreason = "headers"\n'
        f'files = [{{path = "licenses/LICENSE", sha256 = "{"a" * 64}"}}]\n',
        encoding="utf-8",
    )
    p = load_policy(tmp_path)
    [e] = p.exceptions
    assert (e.package, e.versions, e.allow, e.approved_by) == (
        "torch",
        ">=2",
        ("BSD-3-Clause",),
        "legal",
    )
    assert e.expires is not None and e.expires.isoformat() == "2027-01-31"
    assert e.where == "dllicense.toml:3"
    [c] = p.clarifications
    assert (c.expression, c.files) == ("LGPL-2.1-or-later", (("licenses/LICENSE", "a" * 64),))
    assert p.allow == ("@patent-grant",)  # from the built-in it extends


def test_every_error_at_once_at_its_key_path_and_real_line(tmp_path: Path) -> None:
    """A bad value in the second exception is reported at its own line (not at a comment
    that mentions the word first), with the other errors of the file in the same run."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n'
        "[tool.dllicense]\n"
        "# expires: dates are YYYY-MM-DD\n"
        'allow = ["MIT", "CC-BY-NC-4.0", "@permisive"]\n'
        'forbid-traits = ["non-commercial"]\n'
        "\n[[tool.dllicense.exceptions]]\n"
        'package = "torch"\nallow = ["BSD-3-Clause"]\nreason = "ok"\nexpires = 2027-01-01\n'
        "\n[[tool.dllicense.exceptions]]\n"
        'package = "numpy"\nallow = ["BSD-3-Clause"]\nreason = "ok"\n'
        'expires = "soon"\n',
        "utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_policy(tmp_path)
    lines = str(info.value).splitlines()
    assert lines == [
        "pyproject.toml:6: allow: unknown trait 'permisive' (known: " + ", ".join(SELECTORS) + ")",
        "pyproject.toml:19: exceptions[1].expires: must be a date (YYYY-MM-DD), not 'soon'",
        "pyproject.toml:6: allow: 'CC-BY-NC-4.0' is both allowed and forbidden "
        "(forbid-traits: non-commercial)",
    ]
