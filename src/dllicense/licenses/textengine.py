"""scancode-toolkit's licence engine, called as a library, for the texts nothing
cheaper identified (``textid``).

The engine is called as a library: ``licensedcode.detection.detect_licenses``
on a private temporary file holding the text (``_detect``). It is the per-file
detection of ``scancode --license`` (index matching plus scancode's grouping
and false-positive heuristics) without the scan pipeline and its plugin
system: with the shipped prebuilt index, no pluggy hook or entry point runs.
scancode is imported lazily, and its licence index (seconds to load, ~1.4 GB)
is loaded once per process; many texts go to a pool of workers (``run_engine``).
The answers are compact records (``textid.record_to_identification`` reads them).
"""

from __future__ import annotations

import gc
import importlib.metadata
import importlib.util
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

ENGINE_DEADLINE_S = 120.0
"""Per-text time budget handed to scancode; past it, its partial answer is kept."""

CONFIDENT_MIN_SCORE = 90.0
"""A deciding match scoring below this makes the identification not confident."""

EXTRA_WORDS_MIN_SCORE = 98.0
"""scancode's "extra-words" is not flagged when every match of the region scores this."""

POOL_MIN_TEXTS = 6
"""Fewest engine texts for a forked pool (the index is loaded once, then shared).

Measured (2 cores): forking the 1.4 GB process costs ~0.3 s, a licence file
0.02-1 s of CPU (0.3 s typical), so from about six texts two workers win.
"""

POOL_MIN_TEXTS_SPAWN = 40
"""Fewest engine texts for a spawned pool (each worker loads its own index).

Used where fork is not (macOS, Windows, a threaded caller): every worker pays
the 7-15 s index load and 1.4 GB, so only large batches amortise it.
"""

_ENGINE_MODULE = "licensedcode"
_ENGINE_DIST = "scancode-toolkit"

# Logs of scancode detections that do not call for a second look.
_BENIGN_LOGS = frozenset(
    {
        "unknown-intro-followed-by-match",
        "not-license-clues-as-more-detections-present",
        "contained-with-same-license",
        "un-versioned-followed-by-versioned",
    }
)

engine_stats: dict[str, int] = {"index_loads": 0, "texts": 0, "pool_runs": 0}
"""Per-process counters: index loads, texts sent to the engine, pool runs."""


# -- engine discovery (cheap, never imports scancode) --------------------------


def engine_available() -> bool:
    """True when scancode-toolkit's licence engine can be imported (not imported here)."""
    try:
        return importlib.util.find_spec(_ENGINE_MODULE) is not None
    except (ImportError, ValueError):
        return False


def engine_version() -> str | None:
    """Return e.g. ``"scancode-toolkit 32.5.0"``, or None when not installed."""
    if not engine_available():
        return None
    try:
        return f"{_ENGINE_DIST} {importlib.metadata.version(_ENGINE_DIST)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{_ENGINE_DIST} unknown"


Record = dict[str, Any]


# -- the engine ----------------------------------------------------------------

_ENGINE: Any = None  # licensedcode.cache.LicenseCache once loaded


def _load_engine() -> Any:
    """Load scancode's licence index once per process and return its LicenseCache."""
    global _ENGINE
    if _ENGINE is None:
        from licensedcode import cache as lc_cache

        started = time.perf_counter()
        _ENGINE = lc_cache.get_cache()
        # The index is millions of long-lived objects: keep the garbage collector
        # from scanning them again and again (and, in forked workers, from
        # touching, hence copying, their memory pages).
        gc.freeze()
        engine_stats["index_loads"] += 1
        logger.info("scancode licence index loaded in %.1f s", time.perf_counter() - started)
    return _ENGINE


def _spdx(expression: str, licensing: Any, memo: dict[str, str]) -> str:
    if expression not in memo:
        from licensedcode.cache import build_spdx_license_expression

        memo[expression] = str(build_spdx_license_expression(expression, licensing=licensing))
    return memo[expression]


@dataclass
class _Op:
    """One deciding match while the whole-text expression is assembled."""

    detection: int
    start: int
    end: int
    expression: str  # scancode keys
    folded: bool = False  # an exception attached to (or unresolved beside) a licence
    target: _Op | None = None  # the licence op an exception was attached to


ADJACENT_LINES = 8  # an exception text this close to a licence of another region is its exception


def _fold_exceptions(ops: list[_Op], db: Any, notes: list[str]) -> list[str]:
    """Turn bare exception operands into ``licence WITH exception`` in place.

    scancode combines the matches of a region with AND, so a licence text
    followed by an exception text (GPL-3.0 + GCC exception, Apache-2.0 + LLVM
    exception) comes out as ``gpl-3.0 AND gcc-exception-3.1``. Each bare
    exception is attached to the nearest single-licence match of the same
    detection (region), or of an adjacent one at most ``ADJACENT_LINES`` away,
    preferring the same detection, then the shorter line gap, then the
    preceding match.
    Return the exceptions that found no licence.
    """

    def single(expr: str) -> Any:
        return db.get(expr) if " " not in expr else None

    unresolved: list[str] = []
    for op in ops:
        lic = single(op.expression)
        if lic is None or not lic.is_exception:
            continue
        best: tuple[tuple[int, int, int], _Op] | None = None
        for cand in ops:
            if cand is op or cand.folded or abs(cand.detection - op.detection) > 1:
                continue  # only the same or an adjacent region
            base, _, exc = cand.expression.partition(" WITH ")
            target = single(base)
            if target is None or target.is_exception or exc not in ("", op.expression):
                continue
            gap = max(cand.start - op.end, op.start - cand.end, 0)
            if cand.detection != op.detection and gap > ADJACENT_LINES:
                continue  # a bundled library's exception further down (scikit-learn's COPYING)
            rank = (int(cand.detection != op.detection), gap, int(cand.start > op.start))
            if best is None or rank < best[0]:
                best = (rank, cand)
        op.folded = True
        if best is None:
            unresolved.append(op.expression)
            continue
        target_op = best[1]
        op.target = target_op
        if target_op.expression.endswith(" WITH " + op.expression):
            continue  # the licence already carries this exception
        if target_op.detection != op.detection:
            notes.append(
                f"exception {op.expression} (lines {op.start}-{op.end}) attached to"
                f" {target_op.expression} (lines {target_op.start}-{target_op.end}) by proximity"
            )
        target_op.expression = f"{target_op.expression} WITH {op.expression}"
    return unresolved


def _combine(expressions: list[str], licensing: Any, memo: dict[str, str]) -> str:
    """AND the operands, flattening nested ANDs and dropping repeats; return SPDX."""
    if not expressions:
        return ""
    from license_expression import combine_expressions

    flat: list[Any] = []
    stack = [licensing.parse(e, simple=True) for e in reversed(expressions)]
    while stack:
        item = stack.pop()
        if isinstance(item, licensing.AND):
            stack.extend(reversed(item.args))
        else:
            flat.append(item)
    combined = combine_expressions(flat, relation="AND", unique=True, licensing=licensing)
    return _spdx(str(combined), licensing, memo)


def _identify_with_engine(text: str, deadline_s: float = ENGINE_DEADLINE_S) -> Record:
    """Run scancode on ``text`` and return a compact record (runs in pool workers too)."""
    try:
        return _analyse(text, deadline_s)
    except Exception as exc:  # the engine must never take the scan down
        logger.warning("scancode failed on a licence text: %r", exc)
        return {
            "e": "",
            "s": 0.0,
            "c": 0,
            "m": [],
            "n": [f"engine error: {type(exc).__name__}: {exc}"],
            "x": 1,
        }


def _detect(detect_licenses: Any, text: str, deadline: float) -> list[Any]:
    """Run scancode's per-file detection on ``text`` as ``scancode --license`` runs it on a
    file holding it.

    A query string would not do: scancode splits a string into query runs after 4 lines
    without a legal word, a text file only after 15 (``licensedcode.query.build_query``),
    and that changes its answer on long licence files (the NVIDIA SDK licence, a BSD text
    after a CLA paragraph). So the text goes through a private temporary file, read back
    by scancode's own file reader.
    """
    fd, path = tempfile.mkstemp(prefix="dllicense-text-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        return list(detect_licenses(location=path, deadline=deadline))
    finally:
        os.unlink(path)


def _analyse(text: str, deadline_s: float) -> Record:
    lc = _load_engine()
    from license_expression import combine_expressions
    from licensedcode.detection import detect_licenses, filter_license_intros

    db, licensing = lc.db, lc.licensing
    started = time.time()
    detections = _detect(detect_licenses, text, started + deadline_s)
    timed_out = time.time() > started + deadline_s

    notes: list[str] = []
    review: list[str] = []
    memo: dict[str, str] = {}
    ops: list[_Op] = []
    matches: list[list[Any]] = []
    weighted = 0.0
    total = 0
    min_score = 100.0
    keys: set[str] = set()
    deciding = 0
    for det in detections:
        first = min(m.start_line for m in det.matches)
        last = max(m.end_line for m in det.matches)
        if not det.license_expression:  # a clue or a false positive: not deciding
            clue = combine_expressions(
                [m.rule.license_expression for m in det.matches], licensing=licensing
            )
            why = ",".join(det.detection_log) or "license-clues"
            clue_spdx = _spdx(str(clue), licensing, memo)
            notes.append(f"ignored ({why}): {clue_spdx} lines {first}-{last}")
            continue
        index = deciding
        deciding += 1
        ms = det.matches
        if "unknown-intro-followed-by-match" in det.detection_log:
            ms = filter_license_intros(ms)
        for log in det.detection_log:
            if log == "extra-words" and min(m.score() for m in ms) >= EXTRA_WORDS_MIN_SCORE:
                continue  # e.g. a project name in the clause of a BSD licence
            if log not in _BENIGN_LOGS:
                review.append(f"{log} at lines {first}-{last}")
        for m in ms:
            rule = m.rule
            score = round(float(m.score()), 2)
            ops.append(_Op(index, m.start_line, m.end_line, rule.license_expression))
            keys.update(licensing.license_keys(rule.license_expression))
            is_ref = bool(rule.is_license_reference or rule.is_license_tag or rule.is_license_intro)
            matches.append(
                [
                    "",  # the SPDX key, set once exceptions are folded
                    score,
                    int(m.start_line),
                    int(m.end_line),
                    str(rule.identifier),
                    str(m.matcher),
                    int(is_ref),
                ]
            )
            length = max(int(m.len()), 1)
            weighted += score * length
            total += length
            min_score = min(min_score, score)

    unresolved = _fold_exceptions(ops, db, notes)
    for op, match in zip(ops, matches, strict=True):
        final = op.target.expression if op.target is not None else op.expression
        match[0] = _spdx(final, licensing, memo)  # both regions of a WITH carry it
    expression = _combine([op.expression for op in ops if not op.folded], licensing, memo)

    if not matches:
        review.append("no licence found")
    elif min_score < CONFIDENT_MIN_SCORE:
        review.append(f"a deciding match scores {min_score:g}")
    if matches and all(m[6] for m in matches):
        review.append("references only, no licence text")
    for key in sorted(keys):
        lic = db.get(key)
        if lic is not None and (lic.is_unknown or lic.is_generic):
            review.append(f"unknown or generic licence {_spdx(key, licensing, memo)}")
    for exc in unresolved:
        review.append(f"exception {_spdx(exc, licensing, memo)} without a licence to modify")
    if timed_out:
        review.append(f"engine deadline of {deadline_s:g} s reached: partial result")

    rec: Record = {
        "e": expression,
        "s": round(weighted / total, 2) if total else 0.0,
        "c": int(not review),
        "m": matches,
    }
    all_notes = [f"needs review: {r}" for r in review] + notes
    if all_notes:
        rec["n"] = all_notes
    if timed_out:
        rec["x"] = 1
    return rec


def _engine_worker(text: str) -> Record:
    return _identify_with_engine(text)


def _spawn_initializer() -> None:
    _load_engine()


def _can_fork() -> bool:
    """Forked workers share the parent's loaded index; only trusted on Linux, unthreaded."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1  # forking a threaded process can deadlock
    )


def run_engine(
    texts: Sequence[str], jobs: int = 1, progress: Callable[[int, int], None] | None = None
) -> list[Record]:
    """Identify ``texts`` with the engine, in parallel when it pays; keep input order.

    On Linux the index is loaded here and shared with forked workers
    (copy-on-write), so a pool pays from ``POOL_MIN_TEXTS`` texts; elsewhere
    each spawned worker loads its own index and the bar is
    ``POOL_MIN_TEXTS_SPAWN``.
    """
    n = len(texts)
    engine_stats["texts"] += n
    workers = min(max(jobs, 1), n)
    fork = _can_fork()
    threshold = POOL_MIN_TEXTS if fork else POOL_MIN_TEXTS_SPAWN
    if workers > 1 and n >= threshold:
        # Largest texts first so that no worker ends the batch with a big one.
        order = sorted(range(n), key=lambda i: -len(texts[i]))
        try:
            if fork:
                _load_engine()
                pool = ProcessPoolExecutor(
                    max_workers=workers, mp_context=multiprocessing.get_context("fork")
                )
            else:
                pool = ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_spawn_initializer,
                )
            with pool:
                done = []
                for rec in pool.map(_engine_worker, [texts[i] for i in order], chunksize=1):
                    done.append(rec)
                    if progress is not None:
                        progress(len(done), n)
            engine_stats["pool_runs"] += 1
            results: list[Record] = [{}] * n
            for i, rec in zip(order, done, strict=True):
                results[i] = rec
            return results
        except (BrokenProcessPool, OSError) as exc:
            logger.warning("licence-text pool failed (%s); identifying serially", exc)
    serial = []
    for text in texts:
        serial.append(_identify_with_engine(text))
        if progress is not None:
            progress(len(serial), n)
    return serial
