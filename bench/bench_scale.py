"""Scale: metadata scans of synthetic environments of 1,000, 5,000 and 20,000 distributions.

Each distribution is a real-shaped ``*.dist-info`` folder (METADATA with a mix
of License-Expression, License and classifiers, Requires-Dist edges to other
generated distributions, a LICENSE file). The scan runs in a fresh process;
wall time (the least of ``--repeat`` runs; this machine's speed drifts), the
same with one process (``DLLICENSE_JOBS=1``) and the child's peak RSS are
printed, with time per distribution, to show how they grow.

    python bench/bench_scale.py [--sizes 1000,5000,20000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LICENCES = [
    ("License-Expression", "MIT"),
    ("License-Expression", "Apache-2.0"),
    ("License-Expression", "BSD-3-Clause OR Apache-2.0"),
    ("License", "BSD"),
    ("License", "Apache 2.0"),
    ("License", "GPL v3"),
    ("Classifier", "License :: OSI Approved :: MIT License"),
    ("Classifier", "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)"),
]
MIT = "Permission is hereby granted, free of charge, to any person obtaining a copy\n" * 20


def generate(root: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for i in range(count):
        name = f"synthetic-pkg-{i:05d}"
        folder = root / f"synthetic_pkg_{i:05d}-1.{i % 10}.0.dist-info"
        folder.mkdir(parents=True)
        field, value = LICENCES[i % len(LICENCES)]
        deps = "".join(
            f"Requires-Dist: synthetic-pkg-{rng.randrange(count):05d}>=1.0\n" for _ in range(3)
        )
        (folder / "METADATA").write_text(
            f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.{i % 10}.0\n"
            f"Summary: generated for the scale benchmark\n{field}: {value}\n"
            f"License-File: LICENSE\n{deps}\n",
            encoding="utf-8",
        )
        (folder / "licenses").mkdir()
        (folder / "licenses" / "LICENSE").write_text(MIT, encoding="utf-8")


def _run(cmd: list[str], jobs: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one scan in a fresh process."""
    env = {**os.environ, "DLLICENSE_JOBS": jobs}
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per setting (min is kept)")
    args = parser.parse_args()
    print(f"{'dists':>7} {'wall s':>8} {'ms/dist':>8} {'1 process s':>12} {'peak RSS MB':>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        work = Path(tempfile.mkdtemp(prefix="dllicense-scale-"))
        try:
            site = work / "site-packages"
            generate(site, size)
            empty = work / "project"
            empty.mkdir()
            cmd = [
                sys.executable,
                "-m",
                "dllicense",
                "scan",
                str(empty),
                "--path",
                str(site),
                "--texts",
                "none",
                "--format",
                "json",
                "--no-cache",
                "-o",
                str(work / "o.json"),
            ]
            pooled, serial = [], []
            for _ in range(args.repeat):  # interleaved: the machine's drift hits both alike
                pooled.append(_run(cmd, os.environ.get("DLLICENSE_JOBS", "")))
                serial.append(_run(cmd, "1"))
            wall = min(w for w, _ in pooled)
            one = min(w for w, _ in serial)
            # ru_maxrss of children is the largest child so far: sizes run smallest first
            rss = max(r for _, r in pooled)
            print(
                f"{size:>7} {wall:>8.2f} {1000 * wall / size:>8.3f} {one:>12.2f} {rss:>12.0f}",
                flush=True,
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
