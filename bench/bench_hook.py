"""The pre-commit loop: a no-change hook run (result cache) vs a cold run, and start-up.

Two projects are scanned the way the hook scans them (``dllicense scan PROJECT``,
environment from the project's ``.venv``):

- small: a project whose ``.venv`` is built here from ``tests/fixtures/wheels``;
- repo: this repository with its own ``.venv`` (~100 distributions).

For each: *cold* (``--no-cache``: no result cache, no licence-text cache), *miss*
(a dependency file changed, the text cache is warm) and *cached* (nothing
changed). Then the import time of ``dllicense --version`` and of a cached run,
as ``python -X importtime`` totals (sum of the self times), next to a bare
``python -c pass``. Every figure is the median of fresh processes.

    python bench/bench_hook.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WHEELS = ROOT / "tests" / "fixtures" / "wheels"
HEAVY = ("dllicense.pipeline", "license_expression", "dllicense.knowledge", "jinja2", "scancode")


def small_project(base: Path) -> Path:
    project = base / "small"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "small"\nversion = "0"\ndependencies = ["requests", "six"]\n',
        encoding="utf-8",
    )
    venv.EnvBuilder(with_pip=False).create(project / ".venv")
    pip = [sys.executable, "-m", "pip", "--python", str(project / ".venv" / "bin" / "python")]
    install = ["install", "-q", "--no-index", "--find-links", str(WHEELS), "requests", "six"]
    subprocess.run([*pip, *install], check=True)
    return project


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.strip()[-300:]}")
    return elapsed


def median(args: list[str], env: dict[str, str], rounds: int, before: object = None) -> float:
    """The median wall time of ``rounds`` fresh processes (``before`` runs before each)."""
    times = []
    for _ in range(rounds):
        if callable(before):
            before()
        times.append(timed(args, env))
    return statistics.median(times)


def import_profile(args: list[str], env: dict[str, str]) -> tuple[float, int, list[str]]:
    """Total import time (ms, sum of self times), modules imported, heavy ones among them."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    total, modules = 0, []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line[len("import time:") :].split("|"))
        total += int(self_us)
        modules.append(name)
    heavy = sorted({m for m in modules for h in HEAVY if m == h or m.startswith(h + ".")})
    return total / 1000, len(modules), heavy


def scenario(name: str, project: Path, env: dict[str, str], rounds: int) -> None:
    scan = [sys.executable, "-m", "dllicense", "scan", str(project)]
    marker = project / "pyproject.toml"
    original = marker.read_text(encoding="utf-8")
    counter = iter(range(10**6))

    def touch() -> None:  # a new comment in pyproject.toml: the cache key changes
        marker.write_text(original + f"# {next(counter)}\n", encoding="utf-8")

    cold = median([*scan, "--no-cache"], env, rounds)
    miss = median(scan, env, rounds, before=touch)
    marker.write_text(original, encoding="utf-8")
    timed(scan, env)  # fills the result cache for the unchanged project
    cached = median(scan, env, rounds)
    print(
        f"{name:<6} cold {cold:6.3f} s   miss (warm text cache) {miss:6.3f} s   "
        f"cached {cached:6.3f} s   ({cold / cached:.0f}x faster than cold)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dllicense-bench-hook-") as temp:
        base = Path(temp)
        env = dict(os.environ, XDG_CACHE_HOME=str(base / "cache"))
        env.pop("VIRTUAL_ENV", None)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.rounds} rounds")
        scenario("small", small_project(base), env, args.rounds)
        scenario("repo", ROOT, env, args.rounds)
        bare = median([sys.executable, "-c", "pass"], env, args.rounds)
        version = median([sys.executable, "-m", "dllicense", "--version"], env, args.rounds)
        print(f"python -c pass {bare:.3f} s; dllicense --version {version:.3f} s (wall)")
        for label, argv in (
            ("python -c pass", ["-c", "pass"]),
            ("dllicense --version", ["-m", "dllicense", "--version"]),
            ("cached hook run", ["-m", "dllicense", "scan", str(ROOT)]),
        ):
            if "scan" in argv:  # warm: an edit of the source tree meanwhile changes the key
                timed([sys.executable, *argv], env)
            total, count, heavy = import_profile(argv, env)
            print(
                f"-X importtime {label:<20} {total:7.1f} ms in {count:3d} modules; "
                f"heavy: {', '.join(heavy) or 'none'}"
            )


if __name__ == "__main__":
    main()
