"""What ``dllicense scan`` does around the pipeline: the result cache, outputs, the exit code.

Imported at start-up of a scan: nothing here imports the pipeline, the
knowledge base or a renderer until a scan actually has to run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dllicense.errors import UsageError
from dllicense.journal import Journal, still_valid
from dllicense.resultcache import CachedRun, load, run_key, store
from dllicense.sanitize import terminal, visible

if TYPE_CHECKING:
    from dllicense.baseline import Report
    from dllicense.models import ScanResult

FAIL_ON = {"error": 2, "warning": 1, "info": 0}
SUFFIX = {
    "table": "txt",
    "json": "json",
    "html": "html",
    "markdown": "md",
    "csv": "csv",
    "notice": "THIRD_PARTY_NOTICES.txt",
    "sarif": "sarif",
    "cyclonedx": "cdx.json",
    "spdx": "spdx.json",
    "pdf": "pdf",
}


def table_color(color: bool | None, output: Path | None) -> bool:
    """Colour only the table written to a terminal (or when asked with --color)."""
    if output is not None:
        return False
    return sys.stdout.isatty() if color is None else color


def cache_key(
    project: Path,
    options: dict[str, object],
    python: str | None,
    paths: tuple[str, ...],
    policy: str | None,
    baseline: Path | None,
    use_cache: bool,
    templates: Path | None = None,
) -> str | None:
    """The result-cache key of this scan, None when caching is off or impossible.

    ``templates`` (``--templates DIR``) counts by the contents of every file in it.
    """
    if not use_cache:
        return None
    return run_key(project, options, python, paths, policy, baseline, templates)


def replay(
    key: str | None, cache_dir: Path | None, output: Path | None, quiet: bool = False
) -> int | None:
    """Print a cached run's outputs and return its exit code; None on a cache miss."""
    if key is None:
        return None
    cached = load(cache_dir, key)
    if cached is None or cached.journal is None or not still_valid(cached.journal):
        return None  # something the cached scan read has changed
    announce(emit(cached.outputs, output), quiet)
    if cached.stderr:
        click.echo(terminal(cached.stderr), err=True, nl=False)
    return cached.exit_code


def save(
    key: str | None,
    cache_dir: Path | None,
    outputs: tuple[tuple[str, str], ...],
    stderr: str,
    code: int,
    journal: Journal | None = None,
) -> None:
    """Store the run with the journal of what it read (without one it is never stored)."""
    if key is not None and journal is not None:
        store(cache_dir, key, CachedRun(outputs, stderr, code, journal))


def render_all(
    result: ScanResult, formats: list[str], color: bool, templates: Path | None = None
) -> tuple[tuple[str, str], ...]:
    """Each format rendered once, in the order asked (``templates``: ``--templates DIR``)."""
    from dllicense.report import render

    return tuple(
        (fmt, render(result, fmt, color=color and fmt == "table", templates=templates))
        for fmt in formats
    )


def emit(outputs: tuple[tuple[str, str], ...], output: Path | None) -> tuple[Path, ...]:
    """To stdout, to the file ``output`` (one format) or into the folder ``output``; the
    files written (none for stdout)."""
    if output is None:
        tty = sys.stdout.isatty()
        for fmt, text in outputs:  # the table is sanitised cell by cell (and coloured)
            if fmt == "pdf":  # bytes, not text
                sys.stdout.flush()
                sys.stdout.buffer.write(_bytes(fmt, text))
                sys.stdout.buffer.flush()
            else:
                click.echo(terminal(text) if tty and fmt != "table" else text, nl=False)
        return ()
    if len(outputs) == 1 and not output.is_dir():
        _save(output, outputs[0][1], outputs[0][0])
        return (output,)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {output}: {exc.strerror}") from exc
    written = tuple(output / f"dllicense.{SUFFIX.get(fmt, fmt)}" for fmt, _ in outputs)
    for path, (fmt, text) in zip(written, outputs, strict=True):
        _save(path, text, fmt)
    return written


def announce(written: tuple[Path, ...], quiet: bool) -> None:
    """On stderr, which files the reports went to (nothing for stdout or with --quiet)."""
    if written and not quiet:
        click.echo(visible(f"dllicense: wrote {', '.join(map(str, written))}"), err=True)


def summary(result: ScanResult, code: int, fail_on: str, exit_zero: bool) -> str:
    """One line for a run whose reports went to files: packages, findings by severity, and
    what the exit code says."""
    from dllicense.report.common import severity_counts

    counts = severity_counts(result.findings)
    found = ", ".join(_plural(counts.get(s, 0), s) for s in FAIL_ON)
    if exit_zero or fail_on == "never":
        verdict = "exit 0 (--exit-zero)" if exit_zero else "exit 0 (--fail-on never)"
    elif code:
        verdict = f"FAIL: exit {code} (a finding at --fail-on {fail_on} or above)"
    else:
        verdict = f"pass: exit 0 (no finding at --fail-on {fail_on} or above)"
    return f"dllicense: {_plural(len(result.packages), 'package')}; {found}; {verdict}\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 or word == 'info' else 's'}"


def _bytes(fmt: str, text: str) -> bytes:
    """A rendered output as the bytes to write (the PDF travels as latin-1 text)."""
    if fmt == "pdf":
        from dllicense.report.pdf import PDF_ENCODING

        return text.encode(PDF_ENCODING)
    return text.encode("utf-8")


def _save(path: Path, text: str, fmt: str = "") -> None:
    try:
        path.write_bytes(_bytes(fmt, text))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc


def load_baseline(path: Path | None) -> Report | None:
    """The ``--baseline`` report, read before the scan so a bad one fails early (exit 2)."""
    if path is None:
        return None
    from dllicense.baseline import load_report

    return load_report(path, "--baseline")


def decide(
    result: ScanResult, fail_on: str, exit_zero: bool, baseline: Report | None
) -> tuple[int, str]:
    """The exit code, and what to say on stderr about the baseline ("" without one).

    With a baseline only the findings it does not have count (``dllicense.baseline``).
    """
    findings = list(result.findings)
    note = ""
    if baseline is not None:
        from dllicense.baseline import new_findings, report_of

        findings = new_findings(report_of(result), baseline)
        known = len(result.findings) - len(findings)
        lines = [f"baseline {baseline.label}: {known} known finding(s), {len(findings)} new"]
        for f in findings:
            who = f" {f.package}" if f.package else ""
            lines.append(f"  new: {f.code} {f.severity.value}{who}: {f.message}")
        note = "\n".join(lines) + "\n"
    if exit_zero or fail_on == "never":
        return 0, note
    threshold = FAIL_ON[fail_on]
    return (1 if any(f.severity.rank >= threshold for f in findings) else 0), note
