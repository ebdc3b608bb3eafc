"""Metadata-only scan of one environment: dllicense vs pip-licenses and liccheck, side by side.

The tools read the same environment (default: the interpreter running this
script, i.e. the project's .venv with ~100 distributions) in fresh processes,
alternating, several rounds; the median wall time and the ratios are printed.
liccheck runs inside the environment it checks (pkg_resources), with every
installed distribution listed and ``--no-deps``: without them it crashes on an
environment with a missing dependency (dhatim/python-license-check#89).

    python bench/bench_metadata_scan.py [--python PATH] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _liccheck_command(python: str, work: Path) -> list[str] | None:
    """liccheck over every distribution of ``python``'s environment, or None if absent."""
    listing = subprocess.run(
        [
            python,
            "-c",
            "import liccheck, pkg_resources; print('\\n'.join(sorted("
            "d.project_name for d in pkg_resources.working_set)))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        return None
    (work / "requirements.txt").write_text(listing.stdout, encoding="utf-8")
    (work / "strategy.ini").write_text(
        "[Licenses]\nauthorized_licenses:\n    mit\n    bsd\n    apache\n    isc\n"
        "    python software foundation\nunauthorized_licenses:\n    gpl v3\n",
        encoding="utf-8",
    )
    return [
        python,
        "-m",
        "liccheck",
        "-s",
        str(work / "strategy.ini"),
        "-r",
        str(work / "requirements.txt"),
        "--no-deps",
    ]


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the process and its children, stdout) of one run."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{cmd[0]} failed: {done.stderr.strip()[-300:]}")
    return elapsed, _children_cpu() - cpu, done.stdout


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
    liccheck = _liccheck_command(args.python, empty)
    runs: dict[str, tuple[list[str], tuple[int, ...]]] = {
        "dllicense": (ours, (0, 1)),
        "pip-licenses": (theirs, (0, 1)),
    }
    if liccheck:
        runs["liccheck"] = (liccheck, (0, 1, 255))  # 255: unauthorized licences found
    times: dict[str, list[float]] = {tool: [] for tool in runs}
    cpus: dict[str, list[float]] = {tool: [] for tool in runs}
    outputs: dict[str, str] = {}
    for _ in range(args.rounds):
        for tool, (cmd, ok) in runs.items():
            t, cpu, outputs[tool] = timed(cmd, ok)
            times[tool].append(t)
            cpus[tool].append(cpu)
    counts = {
        "dllicense": len(json.loads(outputs["dllicense"])["packages"]),
        "pip-licenses": len(json.loads(outputs["pip-licenses"])),
    }
    med = {k: statistics.median(v) for k, v in times.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    print(
        f"metadata-only scan, {args.rounds} rounds, median per run: wall, and CPU (user + system"
        f" with child processes: steadier under load); load {os.getloadavg()[0]:.1f}"
    )
    for tool in times:
        listed = f"  ({counts[tool]} packages)" if tool in counts else ""
        print(f"  {tool:13s} {med[tool]:7.3f} s wall {cpu[tool]:7.3f} s CPU{listed}")
    for tool in times:
        if tool != "dllicense":
            print(
                f"  dllicense / {tool} = {med['dllicense'] / med[tool]:.3f} wall, "
                f"{cpu['dllicense'] / cpu[tool]:.3f} CPU"
            )
    if not liccheck:
        print("  liccheck: not installed in the scanned environment, skipped")


if __name__ == "__main__":
    main()
