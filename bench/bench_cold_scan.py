#!/usr/bin/env python
"""Benchmark a cold default scan (empty cache) of real environments, before and after.

For each environment (``--env PYTHON``, repeatable) and each source tree
(``--tree LABEL=DIR``, repeatable, e.g. ``before=../dllicense-base after=.``), run

    python -m dllicense scan EMPTY --python ENV --all --format FORMAT --cache-dir FRESH

(``--format``: ``table``, the gate, by default; ``json`` also detects copyright holders)

in a fresh process with ``PYTHONPATH=DIR/src`` and a new cache folder, and
report its wall time and peak RSS (the scan process itself; its pool workers
are forked from it). Also counts, with this tree's code and without the engine,
the distinct primary licence texts of the environment and where each would be
answered: the shipped table, a template, or the engine.

Usage: ``.venv/bin/python bench/bench_cold_scan.py --env VENV/bin/python
--tree before=../dllicense-base --tree after=. [--rounds 1]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_scan(
    tree: Path, env_python: str, cache: Path, empty: Path, fmt: str = "table"
) -> tuple[float, int, int]:
    """Return (wall s, peak RSS MiB, exit code) of one cold scan."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    cmd = [sys.executable, "-m", "dllicense", "scan", str(empty), "--python", env_python]
    cmd += ["--all", "--format", fmt, "--cache-dir", str(cache)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss // 1024, proc.returncode


def text_sources(env_python: str) -> dict[str, int]:
    """Distinct primary licence texts of the environment, by where they are answered."""
    sys.path.insert(0, str(ROOT / "src"))
    from dllicense.classify import texts as identify
    from dllicense.collect import collect
    from dllicense.discover.distributions import read_distribution
    from dllicense.licenses import textid
    from dllicense.models import Distribution

    site = subprocess.run(
        [env_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    texts: dict[str, bytes] = {}
    for folder in sorted(Path(site).glob("*.dist-info")):
        dist = read_distribution(folder, site)
        if not isinstance(dist, Distribution):
            continue
        item = collect(dist)
        for e in item.evidence:
            if e.kind in identify.KINDS["primary"] and e.sha256:
                data = identify._text_of(item, e)
                if data is not None:
                    texts.setdefault(textid.text_key(data), data)
    textid.engine_available = lambda: False  # count only: never load the engine here
    ident = textid.TextIdentifier(None, use_cache=False)
    counts: dict[str, int] = {"distinct texts": len(texts)}
    for res in ident.identify_many(list(texts.values())):
        source = res.source if res is not None else "engine"
        counts[source] = counts.get(source, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", action="append", required=True, help="environment's python")
    parser.add_argument("--tree", action="append", required=True, help="LABEL=DIR")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--format", default="table", help="report format (json: with holders)")
    args = parser.parse_args(argv)
    trees = [(t.split("=", 1)[0], Path(t.split("=", 1)[1]).resolve()) for t in args.tree]
    for env_python in args.env:
        print(f"\n{env_python}: {text_sources(env_python)}")
        print(f"{'tree':10} {'round':>5} {'wall s':>8} {'peak RSS MiB':>13} {'exit':>5}")
        for r in range(args.rounds):
            for label, tree in trees:
                with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
                    empty = Path(tmp) / "project"
                    empty.mkdir()
                    wall, rss, code = run_scan(
                        tree, env_python, Path(tmp) / "cache", empty, args.format
                    )
                print(f"{label:10} {r + 1:5} {wall:8.2f} {rss:13} {code:5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
