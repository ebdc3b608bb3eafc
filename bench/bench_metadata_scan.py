"""Metadata-only scan of one environment: dllicense vs pip-licenses, side by side.

Both tools read the same environment (default: the interpreter running this
script, i.e. the project's .venv with ~100 distributions) in fresh processes,
alternating, several rounds; the median wall time and the ratio are printed.

    python bench/bench_metadata_scan.py [--python PATH] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed: {done.stderr.strip()[-300:]}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    empty = Path(tempfile.mkdtemp(prefix="dllicense-bench-"))
    ours = [
        sys.executable,
        "-m",
        "dllicense",
        "scan",
        str(empty),
        "--python",
        args.python,
        "--all",
        "--texts",
        "none",
        "--format",
        "json",
        "--no-cache",
    ]
    theirs = [
        sys.executable,
        "-m",
        "piplicenses",
        "--python",
        args.python,
        "--from=mixed",
        "--format=json",
    ]
    times: dict[str, list[float]] = {"dllicense": [], "pip-licenses": []}
    counts = {}
    for _ in range(args.rounds):
        t, out = timed(ours)
        times["dllicense"].append(t)
        counts["dllicense"] = len(json.loads(out)["packages"])
        t, out = timed(theirs)
        times["pip-licenses"].append(t)
        counts["pip-licenses"] = len(json.loads(out))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"metadata-only scan, {args.rounds} rounds, median wall time per run")
    for tool in times:
        print(f"  {tool:13s} {med[tool]:7.3f} s  ({counts[tool]} packages)")
    print(f"  ratio pip-licenses / dllicense = {med['pip-licenses'] / med['dllicense']:.2f}x")


if __name__ == "__main__":
    main()
