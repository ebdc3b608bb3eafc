"""Load the jinja2 templates of the prose reports from ``reports/`` (shipped data).

HTML templates autoescape; text templates do not and escape with their own
filters. Imported only by the prose renderers, never at CLI start-up.

``dllicense scan --templates DIR`` puts DIR in front of the built-in templates:
a template of the same name there is used instead, the others still come from
``reports/``. Autoescaping is decided by name exactly as for the built-ins (and
is also on for every template under ``html/``). A template of DIR that fails
(syntax, an undefined name, a bad include) is a ``ConfigError`` naming file and
line, so the CLI prints one line and exits 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
import markupsafe

from dllicense.errors import ConfigError
from dllicense.resources import data_dir

_AUTOESCAPE_EXTENSIONS = ("html", "htm", "xml", "svg", "html.j2", "svg.j2")


def _autoescape() -> Callable[[str | None], bool]:
    by_extension = jinja2.select_autoescape(
        enabled_extensions=_AUTOESCAPE_EXTENSIONS,
        default_for_string=True,
        default=False,
    )

    def select(name: str | None) -> bool:
        # a user's HTML macros or partials need not be named *.html.j2 to be escaped
        return by_extension(name) or (name or "").replace("\\", "/").startswith("html/")

    return select


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: object) -> markupsafe.Markup:
    """HTML of a knowledge-base sentence: escaped, its Markdown `code` spans as <code>
    (frameworks.toml writes ``License: BSD`` and PyPI names that way)."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=loader,
        autoescape=_autoescape(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    env.filters["ticks"] = code_spans
    return env


@cache
def environment() -> jinja2.Environment:
    """One environment for every built-in report template, strict about undefined names."""
    return _environment(jinja2.FileSystemLoader(str(data_dir("reports"))))


def user_environment(templates: Path) -> jinja2.Environment:
    """The templates of folder ``templates`` first, the built-in ones for the rest.

    Built afresh for each call (a scan renders at most a few reports), so an
    edited template is always read again.
    """
    if not templates.is_dir():
        raise ConfigError(f"--templates {templates}: not a directory")
    return _environment(
        jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(str(templates)),
                jinja2.FileSystemLoader(str(data_dir("reports"))),
            ]
        )
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# where a zero-width space breaks what GitHub links: after "@" and "#", after "www"
# before ".", before "://"
_AUTOLINK = re.compile(r"[@#]|(?i:www)(?=\.)|(?=://)")


def markdown_escape(value: object) -> str:
    """Text that stays literal in GitHub-flavoured Markdown, table cells included.

    Every punctuation character Markdown or HTML could act on is backslash-escaped
    and line breaks become spaces, so metadata cannot inject markup or links. What
    GitHub links in plain text is broken by a zero-width space (``&#8203;``): an
    ``@mention`` (which notifies), a ``#123`` reference, a bare ``scheme://`` or
    ``www.`` URL.
    """
    text = " ".join(str(value).split())
    return _AUTOLINK.sub(lambda m: m.group() + "&#8203;", _MD_SPECIAL.sub(r"\\\1", text))


def render_template(name: str, templates: Path | None = None, /, **context: Any) -> str:
    """Render template ``NAME`` with ``context``: from ``reports/``, or first from the
    folder ``templates`` (``--templates``), whose failures become a ``ConfigError``."""
    if templates is None:
        return environment().get_template(name).render(**context)
    env = user_environment(templates)
    try:
        return env.get_template(name).render(**context)
    except Exception as exc:  # a user's template can fail in any way: one line, exit 2
        raise ConfigError(_describe(exc, name, templates)) from exc


def check_templates(names: list[str], templates: Path) -> None:
    """Load (parse) templates ``names`` from ``templates`` first: fail before a long scan."""
    env = user_environment(templates)
    for name in names:
        try:
            env.get_template(name)
        except Exception as exc:
            raise ConfigError(_describe(exc, name, templates)) from exc


def _describe(exc: Exception, name: str, templates: Path) -> str:
    """``template FILE:LINE: what went wrong`` on one line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or name
        line: int | None = exc.lineno
        message = exc.message or type(exc).__name__
    else:
        where, line = _template_frame(exc.__traceback__, templates)
        where = where or str(templates / name)
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template {exc.name!r} not found"
        elif isinstance(exc, jinja2.TemplateError):
            message = exc.message or type(exc).__name__
        else:
            message = f"{type(exc).__name__}: {exc}"
    at = f"{where}:{line}" if line else where
    return " ".join(f"template {at}: {message}".split())


def _template_frame(tb: TracebackType | None, templates: Path) -> tuple[str, int | None]:
    """The innermost frame of a template (jinja2 maps its line to the template's)."""
    roots = tuple(os.path.abspath(p) + os.sep for p in (templates, data_dir("reports")))
    found: tuple[str, int | None] = ("", None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if os.path.abspath(filename).startswith(roots):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
