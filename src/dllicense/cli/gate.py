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
from dllicense.resultcache import CachedRun, load, run_key, store
from dllicense.sanitize import terminal

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


def replay(key: str | None, cache_dir: Path | None, output: Path | None) -> int | None:
    """Print a cached run's outputs and return its exit code; None on a cache miss."""
    if key is None:
        return None
    cached = load(cache_dir, key)
    if cached is None:
        return None
    emit(cached.outputs, output)
    if cached.stderr:
        click.echo(terminal(cached.stderr), err=True, nl=False)
    return cached.exit_code


def save(
    key: str | None,
    cache_dir: Path | None,
    outputs: tuple[tuple[str, str], ...],
    stderr: str,
    code: int,
) -> None:
    if key is not None:
        store(cache_dir, key, CachedRun(outputs, stderr, code))


def render_all(
    result: ScanResult, formats: list[str], color: bool, templates: Path | None = None
) -> tuple[tuple[str, str], ...]:
    """Each format rendered once, in the order asked (``templates``: ``--templates DIR``)."""
    from dllicense.report import render

    return tuple(
        (fmt, render(result, fmt, color=color and fmt == "table", templates=templates))
        for fmt in formats
    )


def emit(outputs: tuple[tuple[str, str], ...], output: Path | None) -> None:
    """To stdout, to the file ``output`` (one format) or into the folder ``output``."""
    if output is None:
        tty = sys.stdout.isatty()
        for fmt, text in outputs:  # the table is sanitised cell by cell (and coloured)
            if fmt == "pdf":  # bytes, not text
                sys.stdout.flush()
                sys.stdout.buffer.write(_bytes(fmt, text))
                sys.stdout.buffer.flush()
            else:
                click.echo(terminal(text) if tty and fmt != "table" else text, nl=False)
        return
    if len(outputs) == 1 and not output.is_dir():
        _save(output, outputs[0][1], outputs[0][0])
        return
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {output}: {exc.strerror}") from exc
    for fmt, text in outputs:
        _save(output / f"dllicense.{SUFFIX.get(fmt, fmt)}", text, fmt)


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
