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

With ``--python ENV`` (an environment's interpreter) it compares instead, side
by side, alternating for ``--rounds``: a cold default scan
(``scan EMPTY --python ENV --all --cache-dir FRESH``, a new cache folder per
run) against ``scancode -l -n JOBS --json`` on copies of exactly the licence
texts that scan identifies (the ``--texts primary`` evidence of every
distribution: dist-info licence files, files found through ``RECORD``, the
METADATA ``License`` field as a file). It reports wall, CPU (the process and
its workers), peak RSS, the distinct texts by where dllicense answers them
(table, template, engine), and for every file the expression dllicense gives
(the text's identification and the evidence after its own post-processing)
against scancode's ``detected_license_expression_spdx``; ``--disagreements
FILE`` writes them all as JSON.
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


def _flat(expression: str | None) -> frozenset[str]:
    """The operands of an expression with nested ANDs flattened (``A WITH B`` is one)."""
    if not expression:
        return frozenset()
    from license_expression import Licensing

    licensing = Licensing()
    out, stack = set(), [licensing.parse(expression, simple=True)]
    while stack:
        item = stack.pop()
        if isinstance(item, licensing.AND):
            stack.extend(item.args)
        else:
            out.add(str(item))
    return frozenset(out)


def _keys(expression: str | None) -> frozenset[str]:
    """The licence and exception keys an expression names."""
    if not expression:
        return frozenset()
    from license_expression import Licensing

    return frozenset(Licensing().license_keys(expression))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--site-packages", type=Path, default=Path(sysconfig.get_paths()["purelib"])
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--python", help="an environment's interpreter: cold scan vs scancode")
    parser.add_argument("--rounds", type=int, default=1, help="with --python")
    parser.add_argument("--disagreements", type=Path, help="with --python: write them here")
    args = parser.parse_args(argv)
    if args.python:
        return env_vs_scancode(args.python, args.jobs, args.rounds, args.disagreements)

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


# -- --python ENV: a cold default scan against scancode on the texts it identifies ----

EVIDENCE = r"""
import json, sys
from dllicense.classify import texts as identify
from dllicense.collect import collect
from dllicense.discover.distributions import read_distribution
from dllicense.licenses import textid
from dllicense.models import Distribution
site, cache = sys.argv[1], sys.argv[2]
# what the default scan identifies: the primary texts of every distribution
items = []
for folder in sorted(__import__("pathlib").Path(site).glob("*.dist-info")):
    dist = read_distribution(folder, site)
    if isinstance(dist, Distribution):
        items.append(collect(dist))
kinds = identify.KINDS["primary"]
texts = {}
for item in items:
    for e in item.evidence:
        if e.kind in kinds and e.sha256:
            data = identify._text_of(item, e)
            if data is not None:
                texts[(item.dist.path, e.source)] = data
# where each distinct text is answered, without the engine or a cache
available, textid.engine_available = textid.engine_available, lambda: False
probe = textid.TextIdentifier(None, use_cache=False)
sources, distinct = {}, {textid.text_key(d): d for d in texts.values()}
for key, res in zip(distinct, probe.identify_many(list(distinct.values()))):
    source = res.source if res is not None else "engine"
    sources[source] = sources.get(source, 0) + 1
    if res is None:
        sources.setdefault("engine texts", []).append(key)
textid.engine_available = available
# the expressions, from the cold run's cache (no engine run here unless it missed one)
ident = textid.TextIdentifier(__import__("pathlib").Path(cache))
raw = dict(zip(texts, ident.identify_many(list(texts.values()))))
done, _ = identify.identify_texts(items, "primary", __import__("pathlib").Path(cache), True,
                                  holders=False)
final = {(i.dist.path, e.source): e for i in done for e in i.evidence}
out = []
for (path, source), data in texts.items():
    res, ev = raw[(path, source)], final[(path, source)]
    out.append({
        "dist": __import__("os").path.basename(path), "source": source,
        "key": textid.text_key(data), "text": data.decode("utf-8", "replace"),
        "answered_by": res.source if res else None,
        "identified": res.expression if res else None,
        "evidence": ev.expression, "note": ev.note,
    })
print(json.dumps({"sources": sources, "files": out}))
"""


def _site_packages(env_python: str) -> str:
    return subprocess.run(
        [env_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``cmd``; return its wall and CPU seconds (with its waited-for workers) and peak
    RSS MiB (the largest of the process and its workers)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: dllicense's gate failed
        raise RuntimeError(f"{cmd[:4]} failed: {err.decode(errors='replace')[-2000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
    }


def env_vs_scancode(env_python: str, jobs: int, rounds: int, dump: Path | None) -> int:
    """Cold default scan of ``env_python``'s environment vs scancode on its licence texts."""
    site = _site_packages(env_python)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    scancode = Path(sys.executable).with_name("scancode")
    load = os.getloadavg()
    print(f"{env_python} ({site}); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    runs: dict[str, list[dict[str, float]]] = {"dllicense": [], "scancode": []}
    with tempfile.TemporaryDirectory(prefix="bench-textid-env-") as tmp:
        tmpdir = Path(tmp)
        empty = tmpdir / "project"
        empty.mkdir()
        files_dir = tmpdir / "files"
        kept_cache = tmpdir / "cache-0"
        info: dict[str, object] = {}
        for r in range(rounds):
            cache = tmpdir / f"cache-{r}"
            cmd = [sys.executable, "-m", "dllicense", "scan", str(empty), "--python"]
            cmd += [env_python, "--all", "--cache-dir", str(cache)]
            runs["dllicense"].append(_timed(cmd, env))
            if r == 0:  # the files that scan identified, from its cache
                proc = subprocess.run(
                    [sys.executable, "-c", EVIDENCE, site, str(kept_cache)],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=env,
                )
                info = json.loads(proc.stdout.strip().splitlines()[-1])
                files = info["files"]
                assert isinstance(files, list)
                for i, f in enumerate(files):
                    name = f["source"].replace("/", "__").replace(":", "-")
                    f["copy"] = f"{f['dist']}/{i:03d}-{name}"
                    dst = files_dir / f["copy"]
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    dst.write_text(f["text"], encoding="utf-8")
            else:
                shutil.rmtree(cache)
            out_json = tmpdir / f"scancode-{r}.json"
            cmd = [str(scancode), "-l", "-n", str(jobs), "--json", str(out_json), str(files_dir)]
            runs["scancode"].append(_timed(cmd))
        theirs = {
            f["path"].split("/", 1)[1]: f.get("detected_license_expression_spdx") or ""
            for f in json.loads((tmpdir / "scancode-0.json").read_text())["files"]
            if f["type"] == "file"
        }

    files = info["files"]
    assert isinstance(files, list)
    sources = info["sources"]
    assert isinstance(sources, dict)
    distinct = sum(v for k, v in sources.items() if k != "engine texts")
    print(
        f"{len(files)} licence texts identified by the default scan, {distinct} distinct: "
        + ", ".join(f"{k} {v}" for k, v in sources.items() if k != "engine texts")
    )
    print(f"\n{'run':12} {'round':>5} {'wall s':>8} {'CPU s':>7} {'peak RSS MiB':>13}")
    for r in range(rounds):
        for tool in ("dllicense", "scancode"):
            x = runs[tool][r]
            print(f"{tool:12} {r + 1:5} {x['wall']:8.2f} {x['cpu']:7.2f} {x['rss']:13.0f}")
    for what in ("wall", "cpu"):
        mine = sorted(x[what] for x in runs["dllicense"])[(rounds - 1) // 2]
        cli = sorted(x[what] for x in runs["scancode"])[(rounds - 1) // 2]
        print(f"median {what}: dllicense / scancode = {mine:.2f} / {cli:.2f} = {mine / cli:.3f}")

    same: dict[str, int] = {"identified": 0, "identified keys": 0, "evidence": 0}
    rows = []
    for f in files:
        cli = theirs.get(f["copy"], "")
        ok = {
            "identified": _flat(cli) == _flat(f["identified"]),
            "identified keys": _keys(cli) == _keys(f["identified"]),
            "evidence": _flat(cli) == _flat(f["evidence"]),
        }
        for k, v in ok.items():
            same[k] += v
        if not all(ok.values()):
            agree = {f"same {k}": v for k, v in ok.items()}
            rows.append({**{k: v for k, v in f.items() if k != "text"}, "scancode": cli, **agree})
    n = len(files)
    print(f"\nsame as scancode's detected_license_expression_spdx, {n} files (nested ANDs")
    print(f"flattened, order and repeats ignored): the text's identification {same['identified']}")
    print(f"(the same licence and exception keys: {same['identified keys']}); the evidence in")
    print(f"the report (its own licence, pointers followed): {same['evidence']}")
    for row in rows:
        print(
            f"  {row['dist']}/{row['source']} ({row['answered_by']})\n"
            f"    scancode:   {row['scancode']}\n    identified: {row['identified']}\n"
            f"    evidence:   {row['evidence']}  [{row['note']}]"
        )
    if dump is not None:
        dump.write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
