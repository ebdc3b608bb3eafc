"""The one sanitiser for text that reaches a terminal, and bounded excerpts of scanned text.

Names, versions, file names and messages come from scanned projects: an ESC
sequence in them could clear the screen, forge a link (OSC 8) or write the
clipboard (OSC 52), and a newline in a folder name could add a fake table row.
``visible`` shows every control character (C0, DEL, C1, bidirectional
overrides, line and paragraph separators) as an escape such as ``\\x1b``;
``terminal`` does the same but keeps the line breaks of a multi-line text.
"""

from __future__ import annotations

import re

_OTHERS = "\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
_CONTROL = re.compile(f"[\x00-\x1f{_OTHERS}]")
_CONTROL_NOT_LAYOUT = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")  # keeps \t and \n
EXCERPT = 120


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character shown as an escape (one line, always)."""
    return _CONTROL.sub(_escape, text)


def terminal(text: str) -> str:
    """``text`` with every control character but tab and newline shown as an escape."""
    return _CONTROL_NOT_LAYOUT.sub(_escape, text)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """At most ``limit`` characters of scanned text, controls visible, cut with ``…``."""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    shown = visible(cut)
    return shown if len(shown) <= 4 * limit else shown[: 4 * limit - 1] + "…"


def quoted(text: str, limit: int = EXCERPT) -> str:
    """``repr`` of at most ``limit`` characters of scanned text (``repr`` shows controls),
    followed by ``…`` when it was cut."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 1]) + "…"


MAX_MESSAGE = 1000


def message(text: str) -> str:
    """A finding's message: controls visible, at most ``MAX_MESSAGE`` characters."""
    return excerpt(text, MAX_MESSAGE)
