"""pip's own index settings: ``index-url``, ``extra-index-url``, ``find-links``, ``no-index``.

Read from the same places, in the same order and with the same precedence as
pip (``pip/_internal/configuration.py``, ``cli/parser.py`` and
``utils/appdirs.py`` of pip 26, checked 2026-11-28):

1. global files: ``<dir>/pip/pip.conf`` for each dir of ``$XDG_CONFIG_DIRS``
   (default ``/etc/xdg``), then ``/etc/pip.conf``;
2. user files: ``~/.pip/pip.conf`` (legacy), then ``$XDG_CONFIG_HOME/pip/pip.conf``
   (default ``~/.config``); skipped when ``$PIP_CONFIG_FILE`` names an existing file;
3. the site file ``<venv>/pip.conf`` of the inspected environment;
4. ``$PIP_CONFIG_FILE`` (``os.devnull`` there: no file at all is read);
5. the environment: ``PIP_INDEX_URL``, ``PIP_EXTRA_INDEX_URL``, ``PIP_FIND_LINKS``,
   ``PIP_NO_INDEX``.

A later file overrides an earlier one; across files, the ``[install]`` section
overrides ``[global]`` and the environment overrides both. Empty values are
dropped (as pip does). Multi-value options are split on whitespace.

Index URLs may hold credentials: ``repr`` redacts them and ``sources`` names
only files and variables, never values.
"""

from __future__ import annotations

import configparser
import locale
import os
import stat
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from dllicense.collect.index_http import redact_url
from dllicense.models import Problem
from dllicense.readfile import read_bounded

DEFAULT_INDEX_URL = "https://pypi.org/simple"
CONFIG_LIMIT = 1024 * 1024  # one pip.conf
SYSTEM_DIR = "/etc"  # pip adds "/etc" after the XDG dirs on Unix
_KEYS = ("index-url", "extra-index-url", "find-links", "no-index")
_SECTIONS = ("global", "install")  # pip's order: [global], the command's section, then env
_TRUE = ("y", "yes", "t", "true", "on", "1")
_FALSE = ("n", "no", "f", "false", "off", "0")


@dataclass(frozen=True, repr=False)
class IndexConfig:
    """Where pip would look for packages. ``index_url`` and the extras may hold credentials."""

    index_url: str = DEFAULT_INDEX_URL
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    sources: tuple[str, ...] = ()  # config files and variables that set one of these options
    problems: tuple[Problem, ...] = ()  # DL125: config files that could not be read

    def __repr__(self) -> str:
        return (
            f"IndexConfig(index_url={redact_url(self.index_url)!r}, "
            f"extra_index_urls={tuple(redact_url(u) for u in self.extra_index_urls)!r}, "
            f"find_links={tuple(redact_url(u) for u in self.find_links)!r}, "
            f"no_index={self.no_index}, sources={self.sources!r})"
        )


def load_index_config(
    environ: Mapping[str, str] | None = None, venv: Path | None = None
) -> IndexConfig:
    """pip's index settings for ``pip install`` (``environ``: default ``os.environ``;
    ``venv``: the prefix of the inspected environment, for its site ``pip.conf``)."""
    env = os.environ if environ is None else environ
    values: dict[str, dict[str, tuple[str, str]]] = {s: {} for s in (*_SECTIONS, ":env:")}
    problems: list[Problem] = []
    files = config_files(env, venv)
    for path in files:
        parser = _parse(path, problems)
        if parser is None:
            continue
        for section in _SECTIONS:
            if parser.has_section(section):
                for key, value in parser.items(section):
                    values[section][_normalize(key)] = (value, path)
    for name, value in env.items():
        if name.startswith("PIP_"):
            values[":env:"][_normalize(name[4:])] = (value, "$" + name)
    chosen: dict[str, tuple[str, str]] = {}
    for section in (*_SECTIONS, ":env:"):
        chosen.update((k, v) for k, v in values[section].items() if k in _KEYS and v[0])
    no_index = False
    if "no-index" in chosen:
        value, where = chosen["no-index"]
        if value.strip().lower() in _TRUE:
            no_index = True
        elif value.strip().lower() not in _FALSE:
            problems.append(_problem(where, f"no-index = {value.strip()!r} is not a boolean"))
    index_url = chosen.get("index-url", (DEFAULT_INDEX_URL, ""))[0].strip()
    links = chosen.get("find-links", ("", ""))[0].split()
    return IndexConfig(
        index_url=index_url or DEFAULT_INDEX_URL,
        extra_index_urls=tuple(chosen.get("extra-index-url", ("", ""))[0].split()),
        find_links=tuple(_expand_home(link, env) for link in links),
        no_index=no_index,
        sources=_sources({where for _, where in chosen.values()}, files, env),
        problems=tuple(problems),
    )


def _sources(used: set[str], files: list[str], environ: Mapping[str, str]) -> tuple[str, ...]:
    """The files and variables in ``used``, in the order pip reads them."""
    order = [*files, *("$" + name for name in environ)]
    return tuple(dict.fromkeys(s for s in order if s in used))


def config_files(environ: Mapping[str, str], venv: Path | None = None) -> list[str]:
    """The configuration files pip reads, lowest precedence first (absent ones included)."""
    env_file = environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    home = environ.get("HOME") or os.path.expanduser("~")
    files = [os.path.join(d, "pip.conf") for d in _site_config_dirs(environ)]
    if not (env_file and os.path.exists(env_file)):
        files.append(os.path.join(home, ".pip", "pip.conf"))
        files.append(os.path.join(_user_config_dir(environ, home), "pip.conf"))
    if venv is not None:
        files.append(os.path.join(venv, "pip.conf"))
    if env_file is not None:
        files.append(env_file)
    return files


def _site_config_dirs(environ: Mapping[str, str]) -> Iterator[str]:
    if sys.platform == "darwin":
        yield "/Library/Application Support/pip"
        return
    dirs = environ.get("XDG_CONFIG_DIRS", "").strip()
    for base in dirs.split(os.pathsep) if dirs else ["/etc/xdg"]:
        if base.strip():
            yield os.path.join(base, "pip")
    yield SYSTEM_DIR


def _user_config_dir(environ: Mapping[str, str], home: str) -> str:
    if sys.platform == "darwin":
        mac = os.path.join(home, "Library", "Application Support", "pip")
        if os.path.isdir(mac):
            return mac
        return os.path.join(home, ".config", "pip")
    base = environ.get("XDG_CONFIG_HOME", "").strip() or os.path.join(home, ".config")
    return os.path.join(base, "pip")


def _parse(path: str, problems: list[Problem]) -> configparser.RawConfigParser | None:
    """One file as pip parses it; None when absent, unreadable or broken (then a problem)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        problems.append(_problem(path, exc.strerror or str(exc)))
        return None
    if not stat.S_ISREG(mode):
        problems.append(_problem(path, "not a regular file"))
        return None
    parser = configparser.RawConfigParser()
    try:
        data, size = read_bounded(path, CONFIG_LIMIT)
        if size > CONFIG_LIMIT:
            raise ValueError(f"larger than {CONFIG_LIMIT // 1024} KB")
        parser.read_string(data.decode(locale.getpreferredencoding(False)), source=path)
    except OSError as exc:
        problems.append(_problem(path, exc.strerror or str(exc)))
        return None
    except UnicodeDecodeError:
        problems.append(_problem(path, "not valid text in the locale's encoding"))
        return None
    except configparser.Error as exc:
        problems.append(_problem(path, _describe(exc)))
        return None
    except ValueError as exc:
        problems.append(_problem(path, str(exc)))
        return None
    return parser


def _normalize(name: str) -> str:
    """pip's ``_normalize_name``: lower case, ``_`` as ``-``, no leading ``--``."""
    return name.lower().replace("_", "-").removeprefix("--")


def _expand_home(link: str, environ: Mapping[str, str]) -> str:
    """``~`` at the start of a find-links path, as pip expands it (when the path exists)."""
    if not link.startswith("~"):
        return link
    home = environ.get("HOME") or os.path.expanduser("~")
    expanded = home + link[1:] if link == "~" or link.startswith("~/") else link
    return expanded if os.path.exists(expanded) else link


def _describe(exc: configparser.Error) -> str:
    """configparser's error without the file name (the message names it), with its line."""
    line = getattr(exc, "lineno", None)
    if isinstance(exc, configparser.MissingSectionHeaderError):
        reason = "text before the first [section]"
    elif isinstance(exc, configparser.ParsingError) and exc.errors:
        line, text = exc.errors[0]
        reason = f"cannot parse {text.strip()[:80]!r}"
    elif isinstance(exc, configparser.DuplicateOptionError):
        reason = f"option {exc.option!r} twice in section [{exc.section}]"
    elif isinstance(exc, configparser.DuplicateSectionError):
        reason = f"section [{exc.section}] twice"
    else:
        reason = " ".join(str(exc).split())
    return f"line {line}: {reason}" if line else reason


def _problem(where: str, reason: str) -> Problem:
    return Problem("DL125", f"pip configuration {where} cannot be read: {reason}")
