#!/usr/bin/env python
"""Benchmark licence-text identification: scancode CLI vs dllicense's TextIdentifier.

On the licence files of an environment (every ``LICENSE*``, ``COPYING*`` and
``NOTICE*`` under its ``*.dist-info`` folders; default: this interpreter's
site-packages), time, each in a fresh process so that start-up and index
loading count:

a. ``scancode -l -n JOBS --json-pp out.json DIR`` on a temporary copy;
b. ``TextIdentifier`` cold (empty cache): without the shipped table serially and
   with JOBS workers, and with the table (which, by construction, holds the dev
   venv's licence files: a hit rate to expect for packages it knows, not others);
c. ``TextIdentifier`` warm (second run on the same cache, table disabled).

Also reports how often the two agree on the licence expression of a file.
Usage: ``.venv/bin/python bench/bench_textid.py [--site-packages DIR] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)

CHILD = r"""
import json, sys, time, resource
from pathlib import Path
t0 = time.perf_counter()
from dllicense.licenses import textid
cache_dir, use_table, jobs, listing = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), sys.argv[4]
paths = Path(listing).read_text().splitlines()
ident = textid.TextIdentifier(Path(cache_dir), jobs=jobs, use_table=use_table)
res = ident.identify_many([Path(p).read_bytes() for p in paths])
ident.close()
sources = {}
for r in res:
    sources[r.source if r else "none"] = sources.get(r.source if r else "none", 0) + 1
print(json.dumps({
    "seconds": time.perf_counter() - t0,
    "engine": textid.engine_stats,
    "sources": sources,
    "imported_scancode": "licensedcode" in sys.modules,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "expressions": {p: (r.expression if r else None) for p, r in zip(paths, res)},
}))
"""


def licence_files(site_packages: Path) -> list[Path]:
    """Every LICENSE*/COPYING*/NOTICE* file under the ``*.dist-info`` folders."""
    files = []
    for dist in sorted(site_packages.glob("*.dist-info")):
        files += [p for p in dist.rglob("*") if p.is_file() and LICENSE_FILE.match(p.name)]
    return sorted(files)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(cache_dir: Path, use_table: bool, jobs: int, listing: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(cache_dir),
            "1" if use_table else "0",
            str(jobs),
            str(listing),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    out: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = time.perf_counter() - started
    out["cpu"] = _children_cpu() - cpu  # the process and its pool workers
    return out


def run_scancode(copy_dir: Path, jobs: int, out_json: Path) -> tuple[float, float]:
    scancode = Path(sys.executable).with_name("scancode")
    started, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(
        [str(scancode), "-l", "-n", str(jobs), "--json-pp", str(out_json), str(copy_dir)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started, _children_cpu() - cpu


def _terms(expression: str | None) -> frozenset[str]:
    """Order- and bracket-insensitive view of an AND expression, for agreement counts."""
    if not expression:
        return frozenset()
    return frozenset(
        t.strip("() ") for t in re.split(r"\s+AND\s+", expression.replace("(", " ( ")) if t.strip()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--site-packages", type=Path, default=Path(sysconfig.get_paths()["purelib"])
    )
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    files = licence_files(args.site_packages)
    total = sum(p.stat().st_size for p in files)
    print(f"{len(files)} licence files, {total / 1024:.0f} KiB, from {args.site_packages}")

    with tempfile.TemporaryDirectory(prefix="bench-textid-") as tmp:
        tmpdir = Path(tmp)
        copy_dir = tmpdir / "files"
        listing = tmpdir / "files.txt"
        rel = [p.relative_to(args.site_packages) for p in files]
        for src, r in zip(files, rel, strict=True):
            dst = copy_dir / r
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
        listing.write_text("\n".join(str(copy_dir / r) for r in rel) + "\n")

        out_json = tmpdir / "out.json"
        t_cli, cpu_cli = run_scancode(copy_dir, args.jobs, out_json)
        cli = {
            f["path"]: f.get("detected_license_expression_spdx") or ""
            for f in json.loads(out_json.read_text())["files"]
            if f["type"] == "file"
        }

        cold_serial = run_child(tmpdir / "cache-s", False, 1, listing)
        cold_plain = run_child(tmpdir / "cache-a", False, args.jobs, listing)
        warm = run_child(tmpdir / "cache-a", False, args.jobs, listing)
        cold_table = run_child(tmpdir / "cache-b", True, args.jobs, listing)
        warm_table = run_child(tmpdir / "cache-b", True, args.jobs, listing)

    rows = [
        (f"a. scancode CLI -l -n {args.jobs}", t_cli, None),
        ("b. dllicense cold, no table, 1 process", cold_serial["wall"], cold_serial),
        (f"b. dllicense cold, no table, jobs {args.jobs}", cold_plain["wall"], cold_plain),
        ("b. dllicense cold, with table", cold_table["wall"], cold_table),
        ("c. dllicense warm (cache), no table", warm["wall"], warm),
        ("c. dllicense warm (cache), with table", warm_table["wall"], warm_table),
    ]
    print()
    print(
        f"{'run':40} {'wall s':>8} {'vs CLI':>8} {'CPU s':>7} {'RSS MB':>7} "
        f"{'engine texts':>12} {'scancode imported':>17}  sources"
    )
    for name, secs, info in rows:
        if info is None:
            print(f"{name:40} {secs:8.2f} {1:8.2f}x {cpu_cli:7.2f}")
            continue
        engine = info["engine"]
        assert isinstance(engine, dict)
        print(
            f"{name:40} {secs:8.2f} {t_cli / secs:8.2f}x {info['cpu']:7.2f} {info['maxrss_mb']:7} "
            f"{engine['texts']:12} {info['imported_scancode']!s:>17}  {info['sources']}"
        )

    mine = cold_plain["expressions"]
    assert isinstance(mine, dict)
    prefix = str(tmpdir / "files") + "/"
    agree = disagree = 0
    examples = []
    for path, expr in mine.items():
        cli_key = "files/" + path[len(prefix) :]
        theirs = cli.get(cli_key, "")
        if _terms(theirs) == _terms(expr):
            agree += 1
        else:
            disagree += 1
            examples.append((path[len(prefix) :], theirs, expr))
    n = agree + disagree
    print(f"\nsame expression as the CLI (up to AND order and brackets): {agree}/{n}")
    for path, theirs, expr in examples[:10]:
        print(f"  {path}\n    CLI:       {theirs}\n    dllicense: {expr}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
