"""Fill in the expressions of licence texts (``License`` texts, licence files).

Texts are identified once per distinct content through ``textid`` (shipped
table, then the cache, then the scancode engine, loaded only when needed), and
their copyright holders, NOTICE files included, through ``holders`` (cache, then
scancode's copyright detection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dllicense.collect import Collected
from dllicense.licenses.scancode_keys import scancode_index
from dllicense.licenses.spdx import license_keys, normalize_expression
from dllicense.models import Evidence

if TYPE_CHECKING:
    from dllicense.licenses.textid import TextIdentification, TextMatch

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
OPENING_LINES = 20  # what a text's opening lines reference is its own licence
POINTER_MAX_LINES = 12  # a text this short that names other licence files points to them
_GENERIC = ("LicenseRef-scancode-unknown-license-reference", "LicenseRef-scancode-free-unknown")

KINDS = {
    "none": frozenset(),
    "primary": frozenset({"license-text", "license-file", "patents-file"}),
    "all": frozenset(
        {"license-text", "license-file", "patents-file", "third-party-file", "notice-file"}
    ),
}
# Texts whose copyright holders are read: the identified ones and the NOTICE files.
HOLDER_KINDS = {
    "none": frozenset(),
    "primary": KINDS["primary"] | {"notice-file"},
    "all": KINDS["all"],
}


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
    own = " AND ".join(dict.fromkeys(_wrap(m.key) for m in block))
    rest = [m for m in found if m not in block]
    longest = sorted(found, key=lambda m: (m.start_line - m.end_line, m.start_line))
    return normalize_expression(own).expression, tuple(
        dict.fromkeys([*(m.key for m in longest), *(m.key for m in rest)])
    )


def _family(key: str) -> str:
    return key.split("-", 1)[0]


def _not_a_licence(key: str) -> bool:
    """Contributor agreements and "licence not stated" notes are matched but grant nothing."""
    record = scancode_index().get(key.lower())
    return record is not None and record.category in ("CLA", "Unstated License")


def _wrap(key: str) -> str:
    return f"({key})" if " OR " in key else key


def _identified(evidence: Evidence, result: TextIdentification, text: bytes) -> Evidence:
    own, matched = own_licence(result.matches, text.decode("utf-8", errors="replace"))
    note = f"identified by {result.engine} (score {result.score:.0f})"
    if not own:
        note = f"no licence found by {result.engine}"
    elif not result.confident and all(
        m.score < STRONG_SCORE or m.is_reference for m in result.matches
    ):
        note = f"low-confidence match: {note}"
    others = [m for m in matched if m not in own]
    if others:
        note += "; also quotes " + ", ".join(others)
    return replace(evidence, expression=own, note=note, matched=matched)


def _text_of(item: Collected, evidence: Evidence) -> bytes | None:
    if evidence.kind == "license-text":
        return item.dist.license.encode("utf-8")
    for file in item.files:
        if file.relpath == evidence.source:
            return file.data
    return None


def identify_texts(
    collected: list[Collected],
    mode: str,
    cache_dir: Path | None,
    use_cache: bool,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Collected], int]:
    """Return the collected items with identified texts and their copyright holders, and
    how many texts stayed unidentified."""
    collected = _with_holders(collected, mode, cache_dir, use_cache)
    kinds = KINDS[mode]
    wanted = _distinct_texts(collected, kinds)
    if not wanted:
        return collected, 0
    from dllicense.licenses.textid import TextIdentifier  # heavy path: imported only when needed

    order = sorted(wanted)

    def on_engine(count: int) -> None:
        if progress is not None:
            progress(
                f"identifying {count} new licence text(s) with scancode-toolkit "
                "(loading its licence index takes a few seconds; results are cached)"
            )

    def on_progress(done: int, total: int) -> None:
        if progress is not None:
            filled = done * 20 // total
            progress(
                f"identifying licence texts [{'#' * filled}{'.' * (20 - filled)}] {done}/{total}"
            )

    identifier = TextIdentifier(
        cache_dir, use_cache=use_cache, on_engine=on_engine, on_progress=on_progress
    )
    try:
        results = identifier.identify_many([wanted[sha] for sha in order])
    finally:
        identifier.close()
    found = dict(zip(order, results, strict=True))
    missing = sum(1 for r in results if r is None)
    out = []
    for item in collected:
        updated = []
        for e in item.evidence:
            result = found.get(e.sha256) if e.kind in kinds else None
            if result is not None:
                e = _identified(e, result, wanted[e.sha256])
            elif e.kind in kinds and e.sha256 in found:
                e = replace(e, note="not identified: the scancode engine is not installed")
            updated.append(e)
        out.append(replace(item, evidence=tuple(_follow_pointers(item, updated))))
    return out, missing


def _distinct_texts(collected: list[Collected], kinds: Collection[str]) -> dict[str, bytes]:
    """sha256 -> bytes of each distinct text of ``kinds`` among the evidence (read once)."""
    wanted: dict[str, bytes] = {}
    for item in collected:
        for evidence in item.evidence:
            if evidence.kind in kinds and evidence.sha256 and evidence.sha256 not in wanted:
                text = _text_of(item, evidence)
                if text is not None:
                    wanted[evidence.sha256] = text
    return wanted


def _with_holders(
    collected: list[Collected], mode: str, cache_dir: Path | None, use_cache: bool
) -> list[Collected]:
    """Set ``holders`` on the licence and NOTICE texts (once per distinct content)."""
    kinds = HOLDER_KINDS[mode]
    wanted = _distinct_texts(collected, kinds)
    if not wanted:
        return collected
    from dllicense.licenses.holders import detect_holders  # imported only when needed

    order = sorted(wanted)
    found = dict(
        zip(order, detect_holders([wanted[s] for s in order], cache_dir, use_cache), strict=True)
    )
    return [
        replace(
            item,
            evidence=tuple(
                replace(e, holders=found[e.sha256])
                if e.kind in kinds and found.get(e.sha256)
                else e
                for e in item.evidence
            ),
        )
        for item in collected
    ]


def _follow_pointers(item: Collected, evidence: list[Evidence]) -> list[Evidence]:
    """A short licence file that names other licence files of the distribution ("either
    LICENSE.APACHE or LICENSE.BSD") stands for what those files say: OR when it offers a
    choice, AND otherwise."""
    by_name = {e.source.rsplit("/", 1)[-1]: e for e in evidence if e.kind == "license-file"}
    out = []
    for e in evidence:
        data = _text_of(item, e) if e.kind == "license-file" else None
        text = data.decode("utf-8", errors="replace") if data else ""
        if not text or len(text.splitlines()) > POINTER_MAX_LINES:
            out.append(e)
            continue
        named = [
            by_name[n]
            for n in sorted(by_name, key=text.find)
            if n != e.source.rsplit("/", 1)[-1]
            and re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", text)
        ]
        parts = list(dict.fromkeys(x.expression for x in named if x.expression))
        if not parts:
            out.append(e)
            continue
        joiner = " OR " if CHOICE.search(text) else " AND "
        expression = normalize_expression(joiner.join(_wrap_expr(p) for p in parts)).expression
        names = ", ".join(x.source.rsplit("/", 1)[-1] for x in named)
        note = f"points to {names}: {expression}"
        out.append(replace(e, expression=expression, note=note, matched=tuple(parts)))
    return out


def _wrap_expr(expression: str) -> str:
    return f"({expression})" if " OR " in expression or " AND " in expression else expression
