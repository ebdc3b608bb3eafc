"""Fill in the expressions of licence texts (``License`` texts, licence files).

Texts are identified once per distinct content through ``textid`` (shipped
table, then the cache, then the scancode engine, loaded only when needed), and
their copyright holders, NOTICE files included, through ``holders`` (cache, then
scancode's copyright detection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dllicense.collect import Collected
from dllicense.licenses.ownlicence import (  # own_licence: re-exported
    CHOICE,
    POINTER_MAX_LINES,
    STRONG_SCORE,
    own_licence,
    own_part,
    reads_strongly,
)
from dllicense.licenses.spdx import normalize_expression
from dllicense.models import Evidence, Progress

__all__ = ["HOLDER_KINDS", "KINDS", "identify_texts", "own_licence"]

if TYPE_CHECKING:
    from dllicense.licenses.textid import TextIdentification, TextIdentifier

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


def _identified(
    evidence: Evidence,
    result: TextIdentification,
    text: bytes,
    part: tuple[str, TextIdentification] | None = None,
) -> Evidence:
    """``evidence`` with the own licence of its text; ``part``: the text's opening part
    and its identification alone (``own_part``), used when it reads strongly."""
    own, matched = own_licence(result.matches, text.decode("utf-8", errors="replace"))
    read_alone = ""
    if part is not None and reads_strongly(part[1].matches):
        head, alone = part
        cut = len(head.splitlines())
        own, quoted = own_licence(alone.matches, head)
        rest = own_licence([m for m in result.matches if m.start_line > cut])[1]
        matched = tuple(dict.fromkeys([*quoted, *rest]))
        read_alone = f"; its own licence read from lines 1-{cut} alone"
    note = f"identified by {result.engine} (score {result.score:.0f}){read_alone}"
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
    progress: Callable[[str | Progress], None] | None = None,
    holders: bool = True,
) -> tuple[list[Collected], int]:
    """Return the collected items with identified texts and (``holders``) their copyright
    holders, and how many texts stayed unidentified."""
    if holders:
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
            progress(Progress("identifying licence texts", done, total))

    identifier = TextIdentifier(
        cache_dir, use_cache=use_cache, on_engine=on_engine, on_progress=on_progress
    )
    try:
        results = identifier.identify_many([wanted[sha] for sha in order])
        found = dict(zip(order, results, strict=True))
        parts = _own_parts(identifier, found, wanted)
    finally:
        identifier.close()
    missing = sum(1 for r in results if r is None)
    out = []
    for item in collected:
        updated = []
        for e in item.evidence:
            result = found.get(e.sha256) if e.kind in kinds else None
            if result is not None:
                e = _identified(e, result, wanted[e.sha256], parts.get(e.sha256))
            elif e.kind in kinds and e.sha256 in found:
                e = replace(e, note="not identified: the scancode engine is not installed")
            updated.append(e)
        out.append(replace(item, evidence=tuple(_follow_pointers(item, updated))))
    return out, missing


def _own_parts(
    identifier: TextIdentifier,
    found: dict[str, TextIdentification | None],
    wanted: dict[str, bytes],
) -> dict[str, tuple[str, TextIdentification]]:
    """sha256 -> (opening part, its identification alone) of the texts whose own licence
    the engine read only in weak pieces inside a long concatenation (``own_part``)."""
    parts: dict[str, str] = {}
    for sha, result in found.items():
        if result is not None and result.matches:
            part = own_part(result.matches, wanted[sha].decode("utf-8", errors="replace"))
            if part:
                parts[sha] = part
    if not parts:
        return {}
    order = sorted(parts)
    results = identifier.identify_many([parts[sha].encode("utf-8") for sha in order])
    return {
        sha: (parts[sha], result)
        for sha, result in zip(order, results, strict=True)
        if result is not None
    }


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
