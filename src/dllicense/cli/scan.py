"""``dllicense scan``: scan a project and its environment, render reports, set the exit code."""

from __future__ import annotations

import gc
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dllicense.cli import one_line_errors
from dllicense.cli.options import graph_options
from dllicense.errors import UsageError
from dllicense.sanitize import terminal, visible

if TYPE_CHECKING:  # models is imported by the scan, not at start-up (the hook's hot path)
    from dllicense.models import Progress


@click.command("scan")
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@graph_options
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["runtime", "extras", "groups", "all"]),
    help="Which declared scopes to check (repeatable; default: the policy's, runtime).",
)
@click.option(
    "--warn", "warn", multiple=True, metavar="CODE", help="Report rule CODE as a warning."
)
@click.option("--deny", "deny", multiple=True, metavar="CODE", help="Report rule CODE as an error.")
@click.option("--policy", metavar="NAME|PATH", help="Built-in policy name or a policy file.")
@click.option(
    "--format",
    "formats",
    default="table",
    show_default=True,
    metavar="FMT[,FMT]",
    help="Output formats, comma-separated: table, json, html, markdown, csv, notice, sarif, "
    "cyclonedx, spdx, pdf (printed by headless Chromium).",
)
@click.option(
    "--templates",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Jinja2 templates that replace the built-in html/report.html.j2, "
    "markdown/report.md.j2 and notice/THIRD_PARTY_NOTICES.j2 of the same name.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (one format) or directory (several formats).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes exit code 1.",
)
@click.option("--exit-zero", is_flag=True, help="Always exit 0 unless the scan itself failed.")
@click.option(
    "--texts",
    type=click.Choice(["none", "primary", "all"]),
    default="primary",
    show_default=True,
    help="Licence texts to identify: none, the package's own (primary), or all files.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where identified licence texts, scan results and --online index answers are cached.",
)
@click.option(
    "--no-cache", is_flag=True, help="Do not read or write the text cache nor the result cache."
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An earlier --format json report: only findings it does not have set the exit code.",
)
@click.option(
    "--fetch-files",
    is_flag=True,
    help="With --online, also fetch the wheels' licence files (HTTP range requests).",
)
@click.option(
    "--models",
    is_flag=True,
    help="Also check the models and datasets the code loads (model cards, Hugging Face cache).",
)
@click.option("--color/--no-color", default=None, help="Colour the table (default: on a terminal).")
@click.option("-q", "--quiet", is_flag=True, help="No status lines on stderr.")
@click.option("--debug", is_flag=True, hidden=True)
@one_line_errors
def scan_command(
    project: Path,
    python: str | None,
    paths: tuple[str, ...],
    include_all: bool,
    scopes: tuple[str, ...],
    warn: tuple[str, ...],
    deny: tuple[str, ...],
    policy: str | None,
    formats: str,
    templates: Path | None,
    output: Path | None,
    fail_on: str,
    exit_zero: bool,
    texts: str,
    cache_dir: Path | None,
    no_cache: bool,
    baseline: Path | None,
    online: bool,
    index_url: str | None,
    fetch_files: bool,
    models: bool,
    lock: Path | None,
    no_lock: bool,
    python_version: str | None,
    platform: str | None,
    all_targets: bool,
    conda_prefix: str | None,
    color: bool | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Scan PROJECT (default: the current directory) and its installed dependencies."""
    from dllicense.cli import gate
    from dllicense.report import FORMATS, HOLDER_FORMATS, TEMPLATES

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise UsageError(
            f"unknown format {unknown[0] if unknown else formats!r}; "
            f"choose from {', '.join(FORMATS)}"
        )
    if templates is not None and not templates.is_dir():
        raise UsageError(f"--templates {templates}: not a directory")
    use_color = gate.table_color(color, output)
    # every option that changes an output or the exit code belongs in the result-cache key
    options: dict[str, object] = {
        "all": include_all,
        "scopes": sorted(scopes),
        "warn": sorted(c.upper() for c in warn),
        "deny": sorted(c.upper() for c in deny),
        "formats": wanted,
        "fail_on": fail_on,
        "exit_zero": exit_zero,
        "texts": texts,
        **_online_key(online, index_url, fetch_files),
        "color": use_color,
        "models": models,
        **_lock_key(lock, no_lock, python_version, platform, all_targets),
        # the summary line on stderr (reports written to files) is part of the replayed run
        "summary": output is not None and not quiet,
    }
    # models depend on the source tree and the Hugging Face cache: never replay such a run
    use_results = not no_cache and not models and not _policy_models(project, policy)
    # without a lock, --online asks the index which versions exist: tomorrow's answer differs
    use_results = use_results and not (online and not _has_lock(project, lock, no_lock))
    key = gate.cache_key(project, options, python, paths, policy, baseline, use_results, templates)
    cached = gate.replay(key, cache_dir, output, quiet)
    if cached is not None:
        sys.exit(cached)
    if templates is not None:  # a template that does not parse fails before the scan
        from dllicense.report import check_templates

        check_templates(wanted, templates)
    known = gate.load_baseline(baseline)
    if python and not paths:  # --python answers while the scan's modules load (~20-45 ms)
        from dllicense.discover.probe import start

        start(python)
    from dllicense.pipeline import ScanOptions, scan

    status = _Status() if not quiet and sys.stderr.isatty() else None
    # The scan makes millions of small acyclic objects and the process ends after it:
    # collecting cycles among them cost a quarter of a 20,000-distribution scan for the
    # same peak memory (bench/bench_scale.py).
    gc.disable()
    from dllicense.journal import Journal, note_folder, recording
    from dllicense.paths import default_cache_dir

    # what the scan reads is journaled; the cache replays it only while all of it holds
    # (nothing to journal when the result is not cached: --no-cache, --models...)
    skip = (str(cache_dir or default_cache_dir()),)
    journaled: AbstractContextManager[Journal | None] = (
        recording(skip=skip) if key is not None else nullcontext()
    )
    with journaled as journal:
        note_folder(project)  # a dependency or lock file added at the root changes it
        result = scan(
            ScanOptions(
                project=project,
                python=python,
                paths=paths,
                include_all=include_all,
                scopes=scopes,
                severity=_severity_overrides(warn, deny),
                progress=status,
                policy=policy,
                texts=texts,
                cache_dir=cache_dir,
                use_cache=not no_cache,
                online=online,
                index_url=index_url,
                fetch_files=fetch_files,
                models=models,
                lock=lock,
                no_lock=no_lock,
                python_version=python_version,
                platform=platform,
                all_targets=all_targets,
                conda_prefix=conda_prefix,
                # holders: only for the reports that show them (formats are in the cache key)
                holders=bool(HOLDER_FORMATS.intersection(wanted))
                or (templates is not None and bool(TEMPLATES.keys() & set(wanted))),
            )
        )
    if status is not None:
        status.close()
    outputs = gate.render_all(result, wanted, use_color, templates)
    gate.announce(gate.emit(outputs, output), quiet)
    code, note = gate.decide(result, fail_on, exit_zero, known)
    if output is not None and not quiet:
        note += gate.summary(result, code, fail_on, exit_zero)
    if note:
        click.echo(terminal(note), err=True, nl=False)
    gate.save(key, cache_dir, outputs, note, code, journal)
    sys.exit(code)


def _has_lock(project: Path, lock: Path | None, no_lock: bool) -> bool:
    """Does the scan read a lock file (the versions are then the lock's, not the index's)?"""
    if lock is not None:
        return True
    if no_lock or not project.is_dir():
        return False
    from dllicense.discover.locks import find_lock

    return bool(find_lock(project, None, pinned=True))


def _policy_models(project: Path, policy: str | None) -> bool:
    """Whether the policy may turn the model check on (``models = true``).

    A cheap text check: loading the policy here would put the knowledge base
    on the hook's hot path, before the result cache is asked.
    """
    from dllicense.resultcache import policy_flag

    return project.is_dir() and policy_flag(project, policy, "models")


BAR_WIDTH = 20


def progress_line(step: Progress) -> str:
    """``label [#####.....] done/total``: one line a terminal redraws in place."""
    filled = step.done * BAR_WIDTH // step.total if step.total else BAR_WIDTH
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    return f"{visible(step.label)} [{bar}] {step.done}/{step.total}"


class _Status:
    """Status lines on stderr (a terminal only); a ``Progress`` step redraws one line."""

    def __init__(self) -> None:
        self.drawing = False

    def __call__(self, event: str | Progress) -> None:
        from dllicense.models import Progress

        if isinstance(event, Progress):
            click.echo(f"\rdllicense: {progress_line(event)}\x1b[K", err=True, nl=False)
            self.drawing = True
            return
        self.close()
        click.echo(f"dllicense: {visible(event)}", err=True)

    def close(self) -> None:
        if self.drawing:
            click.echo("", err=True)
            self.drawing = False


def _severity_overrides(
    warn: tuple[str, ...], deny: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    from dllicense.rules import rules

    out = []
    for level, codes in (("warning", warn), ("error", deny)):
        for code in codes:
            if code.upper() not in rules():
                raise UsageError(
                    f"--{'warn' if level == 'warning' else 'deny'} {code}: unknown rule code"
                )
            out.append((code.upper(), level))
    return tuple(out)


def _online_key(online: bool, index_url: str | None, fetch_files: bool) -> dict[str, object]:
    """Check the --online options; their part of the result-cache key (no credentials)."""
    if not online:
        if index_url or fetch_files:
            raise UsageError(f"--{'index-url' if index_url else 'fetch-files'} needs --online")
        return {}
    from dllicense.collect.index import redact_url
    from dllicense.collect.pipconfig import load_index_config

    config = load_index_config()
    url = index_url or config.index_url
    if not url.startswith(("http://", "https://", "file:")):
        raise UsageError(f"--index-url {redact_url(url)!r}: not an http(s) or file: URL")
    sources = [] if config.no_index else [url, *config.extra_index_urls]
    sources += [f"find-links {link}" for link in config.find_links]
    return {"online": [redact_url(s) for s in sources], "fetch_files": fetch_files}


def _lock_key(
    lock: Path | None,
    no_lock: bool,
    python_version: str | None,
    platform: str | None,
    all_targets: bool,
) -> dict[str, object]:
    """The lock options' part of the result-cache key (a --lock file by its content)."""
    from dllicense.paths import resolve
    from dllicense.readfile import digest as file_digest

    digest = ""
    if lock is not None:
        try:
            digest = file_digest(lock, 64 * 1024 * 1024)
        except (OSError, ValueError):
            digest = "unreadable"
    try:
        where = str(resolve(lock)) if lock else ""
    except OSError:
        where = str(lock)
    return {
        "lock": [where, digest],
        "no_lock": no_lock,
        "target": [python_version or "", platform or "", all_targets],
    }
