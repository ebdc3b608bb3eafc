"""Load the jinja2 templates of the prose reports from ``reports/`` (shipped data).

HTML templates autoescape; text templates do not and escape with their own
filters. Imported only by the prose renderers, never at CLI start-up.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2

from dllicense.resources import data_dir


@cache
def environment() -> jinja2.Environment:
    """One environment for every report template, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("reports"))),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "svg", "html.j2", "svg.j2"),
            default_for_string=True,
            default=False,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    return env


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def markdown_escape(value: object) -> str:
    """Text that stays literal in GitHub-flavoured Markdown, table cells included.

    Every punctuation character Markdown or HTML could act on is backslash-escaped
    and line breaks become spaces, so metadata cannot inject markup or links.
    """
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_template(name: str, **context: Any) -> str:
    """Render ``reports/NAME`` with ``context``."""
    return environment().get_template(name).render(**context)
