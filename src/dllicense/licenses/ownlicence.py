"""Which licence a licence text grants for its own code, from the texts matched in it.

Pure decisions over the engine's matches (``textid``): used by classify's text step
(``identify``) and by collect for model cards' licence files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dllicense.licenses.scancode_keys import ScancodeKey, scancode_index
from dllicense.licenses.spdx import license_keys, normalize_expression

if TYPE_CHECKING:
    from dllicense.licenses.textid import TextMatch

STRONG_SCORE = 90.0  # matches below this are dropped when stronger ones exist
BLOCK_GAP = 2  # lines between matches of one block
WHOLE_TEXT_LINES = 5  # a match this long is a licence text, not a mention
# A whole licence text that starts this far into a file is a notice embedded in a larger
# text (NVIDIA's EULA quotes the Boost licence of a component at line 968), not its licence.
EMBEDDED_AFTER_LINES = 60
EMBEDDED_AFTER_SHARE = 0.25
# Words that make the licences a text names alternatives ("your choice of A or B").
CHOICE = re.compile(
    r"\b(?:your\s+choice|at\s+your\s+option|either\b.{0,200}?\bor\b|dual[-\s]+licen[cs]ed)",
    re.I | re.S,
)
# An own licence part this short a share of its file is read again alone (``own_part``).
CONCATENATED_SHARE = 0.25
OPENING_LINES = 20  # what a text's opening lines reference is its own licence
POINTER_MAX_LINES = 12  # a text this short that names other licence files points to them
_PUBLIC_DOMAIN = "LicenseRef-scancode-public-domain"
_GENERIC = ("LicenseRef-scancode-unknown-license-reference", "LicenseRef-scancode-free-unknown")


def own_licence(matches: Sequence[TextMatch], text: str = "") -> tuple[str, tuple[str, ...]]:
    """The licence a text grants for its own code, and the other licences it quotes.

    Contributor agreements (torch's LICENSE quotes its CLA) grant nothing and
    are dropped. Mere references ("licensed under MIT" in a credit line) are dropped when
    a licence text is present. When whole licence texts were matched (five
    lines or more), they alone count: a short match inside a history table
    (the "GPL-compatible" column of Python's licence) is not the licence.
    Otherwise weak matches give way to strong ones. The first block of
    adjacent matches is the text's own licence; what follows are bundled
    third parties' licences (numpy's License field, DL4J's LICENSE).

    With ``text``: a preamble that offers a choice of the licences it names ("your choice
    of Unlicense or MIT-0") makes them alternatives (OR); a whole text that starts deep
    inside a longer unmatched text is an embedded notice, and the text's own licence is
    what its opening lines reference (NVIDIA's EULA), if anything.
    """
    found = [m for m in matches if m.key]
    grants = [m for m in found if not _not_a_licence(m.key)]
    found = grants or found
    texts = [m for m in found if not m.is_reference]
    whole = [m for m in texts if m.end_line - m.start_line + 1 >= WHOLE_TEXT_LINES]
    if text and whole:
        first = min(m.start_line for m in whole)
        lines = text.splitlines()
        preamble = "\n".join(lines[: first - 1])
        named = list(
            dict.fromkeys(m.key for m in found if m.end_line < first and m.key not in _GENERIC)
        )
        if first > max(EMBEDDED_AFTER_LINES, EMBEDDED_AFTER_SHARE * len(lines)):
            quoted = tuple(dict.fromkeys(m.key for m in whole))
            opening = [m.key for m in found if m.start_line <= OPENING_LINES]
            own = " AND ".join(_wrap(k) for k in dict.fromkeys(opening) if k not in _GENERIC)
            return normalize_expression(own).expression if own else "", quoted
        if len(named) >= 2 and CHOICE.search(preamble):
            # a licence named in the preamble is the whole text of its family that follows
            # ("Artistic License" -> the Perl Artistic text quoted below)
            texts_of = {_family(m.key): m.key for m in reversed(whole)}
            parts = [p for k in named for p in (license_keys(k) if " " in k else (k,))]
            named = list(dict.fromkeys(texts_of.get(_family(k), k) for k in parts))
            choice = " OR ".join(_wrap(k) for k in named)
            return normalize_expression(choice).expression, tuple(named)
        head = min(whole, key=lambda m: m.start_line)
        stated = [m.key for m in found if m.end_line < first and m.start_line <= OPENING_LINES]
        same = [k for k in stated if k not in _GENERIC and _family(k) == _family(head.key)]
        statement = [
            m
            for m in found
            if m.is_reference and m.start_line <= OPENING_LINES and m.key not in _GENERIC
        ]
        fragments = [
            m
            for m in texts
            if statement
            and statement[-1].end_line < m.start_line <= OPENING_LINES
            and m.end_line < first
        ]
        if statement and fragments and statement[-1].end_line < first:
            # "Pillow is licensed under the open source MIT-CMU License:", then that text,
            # which the engine matched only in pieces (other-permissive, a warranty
            # disclaimer), then whole texts of bundled libraries: the statement is the licence
            quoted = tuple(dict.fromkeys([statement[-1].key, *(m.key for m in whole)]))
            return normalize_expression(statement[-1].key).expression, quoted
        if same and same[0] != head.key:
            # "packaged under the terms of the LGPL version 3 or any later version", then
            # copies of the GNU texts: the statement says which version applies (MDAnalysis)
            quoted = tuple(dict.fromkeys([same[0], *(m.key for m in whole)]))
            return normalize_expression(same[0]).expression, quoted
    found = texts or found
    whole = [m for m in found if m.end_line - m.start_line + 1 >= WHOLE_TEXT_LINES]
    strong = [m for m in found if m.score >= STRONG_SCORE]
    found = sorted(whole or strong or found, key=lambda m: (m.start_line, m.end_line))
    if not found:
        return "", ()
    block = [found[0]]
    end = found[0].end_line
    for match in found[1:]:
        if match.start_line > end + BLOCK_GAP:
            break
        block.append(match)
        end = max(end, match.end_line)
    if all(m.key == _PUBLIC_DOMAIN for m in block):
        # "placed in the public domain", then the dedication itself (docutils: CC-PDDC):
        # the named dedication says which
        dedications = [m for m in found if m not in block and _public_domain_text(m)]
        if dedications:
            block = [dedications[0]]
    own = " AND ".join(dict.fromkeys(_wrap(m.key) for m in block))
    rest = [m for m in found if m not in block]
    longest = sorted(found, key=lambda m: (m.start_line - m.end_line, m.start_line))
    return normalize_expression(own).expression, tuple(
        dict.fromkeys([*(m.key for m in longest), *(m.key for m in rest)])
    )


def own_part(matches: Sequence[TextMatch], text: str) -> str:
    """The opening part of ``text`` to identify alone, or "" (most texts).

    A licence file that concatenates the project's licence with bundled third parties'
    notices is one long query for the engine, and in a long one its approximate matching
    of the opening licence can go wrong: scancode ranks candidate rules over a whole query
    run, and in torch 2.10.0's 8,961-line LICENSE (its BSD-3-Clause text, then a list of
    bundled libraries and their licences) the BSD text at lines 59-84 comes out as pieces
    of Apache-1.1 (24-36%) and proprietary-license (37%), as ``scancode -l`` answers on the
    file too; the first 86 lines alone are BSD-3-Clause at 96%. So when the text's first
    block of whole-text matches (what ``own_licence`` reads as the own licence) is only
    partial matches, all scoring below ``STRONG_SCORE``, and a strong match starts after it
    (the file goes on with other licences) at most ``CONCATENATED_SHARE`` into the file, the
    lines before that strong match are the part to read again alone (``reads_strongly`` says
    whether that reading is better). Over the 1,330 dist-info texts of the table this
    changes torch 2.10.0's LICENSE only.
    """
    block = _first_block(matches)
    if not block or any(m.score >= STRONG_SCORE for m in block):
        return ""
    start = block[0].start_line
    strong = [
        m.start_line for m in matches if m.key and m.start_line > start and m.score >= STRONG_SCORE
    ]
    lines = text.splitlines()
    cut = min(strong, default=0) - 1
    if cut - start + 1 < WHOLE_TEXT_LINES or cut > CONCATENATED_SHARE * len(lines):
        return ""
    return "\n".join(lines[:cut])


def reads_strongly(matches: Sequence[TextMatch]) -> bool:
    """Whether the first block of whole-text matches holds a strong one (see ``own_part``)."""
    block = _first_block(matches)
    return any(m.score >= STRONG_SCORE for m in block)


def _first_block(matches: Sequence[TextMatch]) -> list[TextMatch]:
    """The first block of adjacent whole-text matches of licences (not agreements)."""
    whole = sorted(
        (
            m
            for m in matches
            if m.key
            and not m.is_reference
            and m.end_line - m.start_line + 1 >= WHOLE_TEXT_LINES
            and not _not_a_licence(m.key)
        ),
        key=lambda m: (m.start_line, m.end_line),
    )
    block = whole[:1]
    for match in whole[1:]:
        if match.start_line > max(m.end_line for m in block) + BLOCK_GAP:
            break
        block.append(match)
    return block


def _family(key: str) -> str:
    return key.split("-", 1)[0]


def _not_a_licence(key: str) -> bool:
    """Contributor agreements and "licence not stated" notes are matched but grant nothing."""
    record = scancode_index().get(key.lower())
    return record is not None and record.category in ("CLA", "Unstated License")


def _public_domain_text(match: TextMatch) -> bool:
    """A whole text of a named public-domain dedication (CC-PDDC, CC0-1.0, Unlicense...)."""
    if match.key == _PUBLIC_DOMAIN or match.end_line - match.start_line + 1 < WHOLE_TEXT_LINES:
        return False
    return any(r.spdx == match.key and r.category == "Public Domain" for r in _records())


def _records() -> tuple[ScancodeKey, ...]:
    return tuple(dict.fromkeys(scancode_index().values()))


def _wrap(key: str) -> str:
    return f"({key})" if " OR " in key else key
