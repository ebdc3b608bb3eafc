"""Copyright holders of licence and NOTICE texts, once per distinct text (cached).

Detection is scancode-toolkit's copyright detection (``cluecode.copyrights``),
imported lazily, only when a text is not in the cache. It is called on the
normalised text in memory through ``detect_copyrights_from_lines``, the function
``detect_copyrights`` hands a file's numbered lines to (no temporary files). The
answers are cached in the ``holders`` table of the licence-text cache, keyed by
the same normalised-text hash as identifications (``textid.text_key``) and by
``"<engine> holders/N"``, so a new engine or a new version here never serves a
stale answer. Without the engine, texts not in the cache have no holders, and
this is said once per process.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path

from dllicense.licenses.textcache import TextCache
from dllicense.licenses.textid import (
    MAX_TEXT_BYTES,
    _key_of,
    _truncate,
    engine_version,
    normalise_text,
)

logger = logging.getLogger(__name__)

ALGORITHM = "holders/2"
"""Version of the post-processing here; part of the cache key (bump on change)."""

POOL_MIN_TEXTS = 16
"""New texts below this are read in this process (forking workers costs more)."""

MAX_HOLDERS = 20
"""Holders kept per text (a bundled-code NOTICE can name hundreds)."""

MAX_HOLDER_CHARS = 120
"""A holder longer than this is cut (with an ellipsis): a misparsed sentence, not a name."""

DEADLINE_S = 30.0
"""Per-text time budget for the detector; past it, what was found so far is kept."""

_MODULE = "cluecode"
_said = False


def engine_available() -> bool:
    """True when scancode's copyright detection can be imported (not imported here)."""
    try:
        return importlib.util.find_spec(_MODULE) is not None
    except (ImportError, ValueError):
        return False


def tidy(names: Sequence[str]) -> list[str]:
    """Holders in order of first appearance, blanks and repeats dropped, bounded."""
    out: dict[str, None] = {}
    for name in names:
        name = " ".join(name.split())
        if len(name) > MAX_HOLDER_CHARS:
            name = name[: MAX_HOLDER_CHARS - 1].rstrip() + "…"
        if name:
            out.setdefault(name, None)
        if len(out) >= MAX_HOLDERS:
            break
    return list(out)


# "Copyright (c) 2017 to present Pydantic Services Inc." (pydantic 2.11.7, devtools 0.12.2):
# scancode-toolkit 32.5 finds no holder there, and finds it in "2017-present"
_TO_PRESENT = re.compile(r"\b(\d{4})\s+to\s+present\b", re.I)


def _detect(text: str) -> list[str]:
    """The holders scancode finds in ``text`` (normalised), in order of appearance."""
    from cluecode.copyrights import detect_copyrights_from_lines

    text = _TO_PRESENT.sub(r"\1-present", text)
    lines = list(enumerate(text.splitlines(), 1))
    try:
        found = detect_copyrights_from_lines(
            lines,
            include_copyrights=False,
            include_holders=True,
            include_authors=False,
            deadline=time.time() + DEADLINE_S,
        )
        detections = sorted(found, key=lambda d: (d.start_line, d.end_line))
    except Exception as exc:  # the engine must never take the scan down
        logger.warning("copyright detection failed on a licence text: %r", exc)
        return []
    return tidy([str(d.holder) for d in detections])


def detect_holders(
    texts: Sequence[bytes], cache_dir: Path | None, use_cache: bool = True
) -> list[tuple[str, ...]]:
    """The copyright holders of each text, in order; each distinct text is read once.

    Cached answers come first; the engine reads the rest. Without the engine, texts
    not in the cache get none (said once per process).
    """
    global _said
    prepared: dict[str, str] = {}
    keys = []
    for data in texts:
        kept, note = _truncate(data, MAX_TEXT_BYTES)
        key = _key_of(normalise_text(data))
        keys.append(key)
        prepared.setdefault(key, normalise_text(kept) if note else normalise_text(data))
    found: dict[str, tuple[str, ...]] = {k: () for k, text in prepared.items() if not text}
    version = engine_version() if engine_available() else None
    engine = f"{version} {ALGORITHM}" if version else None
    cache = TextCache(cache_dir, table="holders") if use_cache else None
    try:
        todo = [k for k in prepared if k not in found]
        if todo and cache is not None:
            for key, value in cache.get_many(todo, engine).items():
                try:
                    names = json.loads(value)
                except ValueError:
                    continue
                if isinstance(names, list):
                    found[key] = tuple(tidy([str(n) for n in names]))
            todo = [k for k in todo if k not in found]
        if todo and engine is None:
            if not _said:
                _said = True
                logger.warning(
                    "copyright holders not detected: scancode-toolkit is not installed"
                    " (pip install 'dllicense[scancode]')"
                )
        elif todo and engine is not None:
            import cluecode.copyrights  # noqa: F401  (loaded once, before the workers fork)

            from dllicense.parallel import ordered_map

            # about 0.1 s of CPU per text: a cold cache of 150 texts is spread over the CPUs
            answers = ordered_map(
                _detect, [prepared[k] for k in todo], min_items=POOL_MIN_TEXTS, chunksize=4
            )
            stored = []
            for key, names in zip(todo, answers, strict=True):
                found[key] = tuple(names)
                stored.append((key, json.dumps(names)))
            if cache is not None:
                cache.put_many(stored, engine)
    finally:
        if cache is not None:
            cache.close()
    return [found.get(key, ()) for key in keys]
