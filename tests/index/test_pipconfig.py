"""pip's configuration as dllicense reads it, checked against pip's own option parser.

Every file is built in tmp_path and the environment points at them; the
machine's own pip configuration is never read (``SYSTEM_DIR`` stands in for
``/etc``), except by the oracle runs, where pip and dllicense both read the
same ``/etc/pip.conf``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from dllicense.collect import pipconfig
from dllicense.collect.pipconfig import DEFAULT_INDEX_URL, IndexConfig, load_index_config

# What ``pip install`` would use: pip's own parser, run with the same environment.
PIP_ORACLE = """
import json
from pip._internal.commands import create_command
options, _ = create_command("install").parse_args([])
print(json.dumps([options.index_url, options.extra_index_urls, options.find_links,
                  options.no_index]))
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for ``/etc`` (pip reads ``/etc/pip.conf`` after the XDG dirs)."""
    folder = tmp_path / "etc"
    folder.mkdir()
    monkeypatch.setattr(pipconfig, "SYSTEM_DIR", str(folder))
    return folder


def layout(tmp_path: Path) -> dict[str, str]:
    """Global (two XDG dirs), legacy user, XDG user files; returns the environment."""
    xdg1, xdg2, home = tmp_path / "xdg1", tmp_path / "xdg2", tmp_path / "home"
    write(
        xdg1 / "pip" / "pip.conf",
        "[global]\nindex-url = https://first.example/simple\n"
        "extra-index-url =\n    https://extra-a.example/simple\n    https://extra-b.example/simple\n"
        "[install]\nfind-links = /srv/global-links\n",
    )
    write(xdg2 / "pip" / "pip.conf", "[global]\nindex_url = https://second.example/simple\n")
    write(home / ".pip" / "pip.conf", "[global]\nfind-links = /srv/legacy-links\n")
    write(
        home / ".config" / "pip" / "pip.conf",
        "[global]\nindex-url = https://user.example/simple\n[freeze]\nindex-url = https://no\n",
    )
    return {
        "HOME": str(home),
        "XDG_CONFIG_DIRS": f"{xdg1}{os.pathsep}{xdg2}",
        "PIP_EXTRA_INDEX_URL": "https://env-1.example/simple  https://env-2.example/simple",
    }


def pip_answer(environ: dict[str, str], prefix: Path | None) -> list[object]:
    """The real pip's index options; ``prefix``: a venv whose ``pip.conf`` pip reads."""
    python = sys.executable
    if prefix is not None:
        python = str(prefix / "bin" / "python")
    site = next(p for p in sys.path if p.endswith("site-packages"))
    env = {**environ, "PYTHONPATH": site, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(
        [python, "-c", PIP_ORACLE], env=env, capture_output=True, text=True, check=True
    )
    answer: list[object] = json.loads(done.stdout)
    return answer


def ours(config: IndexConfig) -> list[object]:
    return [
        config.index_url,
        list(config.extra_index_urls),
        list(config.find_links),
        config.no_index,
    ]


@pytest.mark.parametrize("case", ["files", "site", "config-file", "devnull", "no-index"])
def test_same_answer_as_pip(tmp_path: Path, case: str) -> None:
    environ = layout(tmp_path)
    prefix = None
    if case == "site":
        prefix = tmp_path / "venv"
        venv.create(prefix, with_pip=False)
        write(prefix / "pip.conf", "[install]\nindex-url = https://site.example/simple\n")
    if case == "config-file":  # an existing PIP_CONFIG_FILE: the user files are skipped
        extra = write(tmp_path / "extra.conf", "[global]\nno-index = false\n")
        environ["PIP_CONFIG_FILE"] = str(extra)
    if case == "devnull":  # no file at all, only the environment
        environ["PIP_CONFIG_FILE"] = os.devnull
        environ["PIP_FIND_LINKS"] = "/srv/env-links"
    if case == "no-index":
        environ["PIP_NO_INDEX"] = "yes"
    expected = pip_answer(environ, prefix)
    found = load_index_config(environ, prefix)
    assert ours(found) == expected
    assert not found.problems


def test_precedence_of_files_sections_and_environment(tmp_path: Path, system: Path) -> None:
    environ = layout(tmp_path)
    write(system / "pip.conf", "[global]\nfind-links = /srv/etc-links\n")
    found = load_index_config(environ)
    # [install] of the first XDG file beats [global] of every later file
    assert found.find_links == ("/srv/global-links",)
    # a later file overrides an earlier one within a section; [freeze] is not pip install's
    assert found.index_url == "https://user.example/simple"
    assert found.extra_index_urls == (
        "https://env-1.example/simple",
        "https://env-2.example/simple",
    )
    home = environ["HOME"]
    assert found.sources == (
        str(tmp_path / "xdg1" / "pip" / "pip.conf"),
        f"{home}/.config/pip/pip.conf",
        "$PIP_EXTRA_INDEX_URL",
    )


def test_nothing_configured_is_pypi(tmp_path: Path, system: Path) -> None:
    found = load_index_config({"HOME": str(tmp_path)})
    assert found == IndexConfig(DEFAULT_INDEX_URL)
    assert found.sources == ()


def test_xdg_config_home_and_empty_values(tmp_path: Path, system: Path) -> None:
    home, config = tmp_path / "home", tmp_path / "cfg"
    write(home / ".pip" / "pip.conf", "[global]\nindex-url = https://legacy.example/simple\n")
    write(config / "pip" / "pip.conf", "[global]\nindex-url =\nfind-links = ~/wheels\n")
    (home / "wheels").mkdir()
    found = load_index_config({"HOME": str(home), "XDG_CONFIG_HOME": str(config)})
    # an empty value in a later file removes the earlier one, as in pip
    assert found.index_url == DEFAULT_INDEX_URL
    assert found.find_links == (str(home / "wheels"),)


def test_broken_files_are_findings_and_the_rest_is_read(tmp_path: Path, system: Path) -> None:
    home = tmp_path / "home"
    write(system / "pip.conf", "index-url = https://before-a-section\n")
    write(home / ".pip" / "pip.conf", "[global]\nindex-url = a\nindex-url = b\n")
    (home / ".config" / "pip" / "pip.conf").mkdir(parents=True)  # a folder, not a file
    config_file = write(tmp_path / "env.conf", "[global]\nno-index = maybe\n")
    found = load_index_config(
        {
            "HOME": str(home),
            "PIP_CONFIG_FILE": str(config_file),
            "PIP_FIND_LINKS": "/srv/links",
        }
    )
    messages = [p.message for p in found.problems]
    assert all(p.code == "DL125" for p in found.problems)
    assert messages == [
        f"pip configuration {system / 'pip.conf'} cannot be read: "
        "line 1: text before the first [section]",
        f"pip configuration {config_file} cannot be read: no-index = 'maybe' is not a boolean",
    ]
    assert found.find_links == ("/srv/links",) and not found.no_index
    # without PIP_CONFIG_FILE the user files are read: a duplicate option, a folder
    found = load_index_config({"HOME": str(home)})
    assert [p.message.rsplit(": ", 1)[-1] for p in found.problems] == [
        "text before the first [section]",
        "option 'index-url' twice in section [global]",
        "not a regular file",
    ]


def test_credentials_never_in_repr_or_sources(tmp_path: Path, system: Path) -> None:
    found = load_index_config(
        {
            "HOME": str(tmp_path),
            "PIP_INDEX_URL": "https://user:s3cret@private.example/simple",
            "PIP_EXTRA_INDEX_URL": "https://token@other.example/simple",
        }
    )
    assert found.index_url == "https://user:s3cret@private.example/simple"
    assert "s3cret" not in repr(found) and "token" not in repr(found)
    assert found.sources == ("$PIP_INDEX_URL", "$PIP_EXTRA_INDEX_URL")
