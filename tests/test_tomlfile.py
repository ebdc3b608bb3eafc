"""``tomlfile.parse_toml``: tomli's compiled parser, with tomllib's answer on broken files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dllicense import tomlfile
from dllicense.parsing import TOO_DEEP
from dllicense.tomlfile import TOMLDecodeError, describe_error, error_line, parse_toml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).parent / "fixtures"
# every lock and pyproject of the checkout corpus and the lock fixtures: real files
REAL = sorted(
    [
        *FIXTURES.glob("checkouts/*/*.toml"),
        *FIXTURES.glob("checkouts/*/*.lock"),
        *(p for p in FIXTURES.glob("locks/**/*.lock") if p.name != "Pipfile.lock"),  # JSON
        *FIXTURES.glob("locks/**/*.toml"),
    ]
)
BROKEN = [
    'a = "unterminated\n',
    "[table\nb = 1\n",
    "a = 1\na = 2\n",
    "a = [1, 2\n",
    "[[x]]\nname = 'p'\n[x]\n",
    "a = " + "[" * 5000 + "]" * 5000 + "\n",  # too deep
]


def test_there_are_real_files() -> None:
    assert len(REAL) >= 8
    assert any(p.name == "uv.lock" for p in REAL)


@pytest.mark.parametrize("path", REAL, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_real_files_parse_as_tomllib_parses_them(path: Path) -> None:
    text = path.read_text("utf-8")
    assert parse_toml(text) == tomllib.loads(text)


@pytest.mark.parametrize("text", BROKEN, ids=range(len(BROKEN)))
def test_broken_text_raises_tomllibs_error(text: str) -> None:
    with pytest.raises(TOMLDecodeError) as raised:
        parse_toml(text)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        assert str(raised.value) == str(exc)
        assert error_line(raised.value, text) == error_line(exc, text)
        assert describe_error(raised.value) == describe_error(exc)
    except RecursionError:
        assert str(raised.value) == f"TOML {TOO_DEEP}"


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = tomlfile.tomllib.loads
    monkeypatch.setattr(tomlfile.tomllib, "loads", lambda t: calls.append(t) or real(t))
    return calls


def test_the_compiled_parser_answers_a_large_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid large text (a lock) is answered by tomli alone: tomllib is not asked."""
    text = "".join(f'[p{i}]\nname = "x{i}"\n' for i in range(5000))
    assert len(text) >= tomlfile.LARGE
    expected = tomllib.loads(text)
    calls = _counting(monkeypatch)
    assert parse_toml(text) == expected
    assert calls == []
    with pytest.raises(TOMLDecodeError):
        parse_toml(text + "a = \n")
    assert calls == [text + "a = \n"]


def test_a_small_text_does_not_import_tomli() -> None:
    """pyproject.toml and policies go to tomllib, already imported: a scan with no lock
    does not pay for tomli's import."""
    import subprocess

    code = (
        "import sys; from dllicense.tomlfile import parse_toml; "
        "assert parse_toml('a = 1') == {'a': 1}; print('tomli' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize(
    "text", ["a = {b = 1,}\n", 'a = "\\e"\n'], ids=["trailing-comma", "escape-e"]
)
def test_toml_1_1_is_read_in_a_small_text_as_in_a_large_one(text: str) -> None:
    """tomli 2.4+ reads TOML 1.1, which tomllib before Python 3.15 rejects: a small text is
    asked of tomli too, so what is accepted does not depend on the text's size."""
    import tomli

    padding = "".join(f"# {i:0100d}\n" for i in range(tomlfile.LARGE // 100))
    try:
        expected = tomli.loads(text)
    except tomli.TOMLDecodeError:
        pytest.skip("this tomli reads TOML 1.0 only")
    assert parse_toml(text) == expected
    assert parse_toml(padding + text) == expected
