"""The pre-parsed shipped TOML files (``dllicense.preparsed``) answer exactly as tomllib."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dllicense import preparsed
from dllicense.tomlfile import parse_toml, tomllib

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(
    [*(ROOT / "src" / "dllicense").rglob("*.toml"), *(ROOT / "policies").glob("*.toml")]
)


def test_the_table_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_preparsed.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_shipped_file_is_answered_as_tomllib_parses_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    stored = preparsed.preparsed(text)
    assert stored is not None, "no stored parse: run scripts/gen_preparsed.py"
    assert stored == tomllib.loads(text)
    assert json.dumps(stored, sort_keys=True) == json.dumps(tomllib.loads(text), sort_keys=True)
    assert parse_toml(text) == tomllib.loads(text)


def test_other_texts_are_parsed() -> None:
    shipped = (ROOT / "policies" / "default.toml").read_text(encoding="utf-8")
    edited = shipped + "\n[zz_added]\nwhen = 2026-12-04\n"
    assert preparsed.preparsed(edited) is None
    assert parse_toml(edited) == tomllib.loads(edited)  # the date survives: tomllib parsed it


def test_callers_get_their_own_objects() -> None:
    text = (ROOT / "src" / "dllicense" / "policy" / "rules.toml").read_text(encoding="utf-8")
    first = parse_toml(text)
    first.clear()
    assert parse_toml(text) == tomllib.loads(text)
