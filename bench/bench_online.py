"""``--online`` on a checkout with nothing installed: dllicense vs uv on the same work.

Two cases, each timed with empty caches, alternating the tools, several rounds
(median wall time and the ratio are printed):

* **lock**: the checkout's ``uv.lock``. dllicense reads the lock and fetches the
  metadata of every runtime package from the index; the reference is
  ``uv pip compile --no-cache`` of the same pins (exported with
  ``uv export --frozen --no-dev``), which also fetches every pin's metadata.
* **no lock**: the same checkout without its lock. dllicense resolves with
  ``uv pip compile`` and then fetches the metadata; the reference is
  ``uv pip compile --no-cache pyproject.toml`` alone.

Needs the network (the package index) and uv (``pip install 'dllicense[resolve]'``).

    python bench/bench_online.py [CHECKOUT] [--rounds N] [--index-url URL]

CHECKOUT defaults to the uv.lock project of ``tests/fixtures/checkouts``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUTS = HERE.parent / "tests" / "fixtures" / "checkouts"
TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu"]


def _default_checkout() -> Path:
    found = sorted(p.parent for p in CHECKOUTS.glob("*/uv.lock"))
    if not found:
        sys.exit(f"no uv.lock project in {CHECKOUTS}; pass CHECKOUT")
    return found[0]


def _uv() -> str:
    from dllicense.resolve.online import find_uv

    uv = find_uv()
    if uv is None:
        sys.exit("uv is needed: pip install 'dllicense[resolve]'")
    return uv


def _timed(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    took = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(args[:4])}... failed ({done.returncode}): {done.stderr[-500:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index-url", default="https://pypi.org/simple")
    options = parser.parse_args()
    checkout = (options.checkout or _default_checkout()).resolve()
    uv = _uv()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env.update(PIP_CONFIG_FILE=os.devnull, UV_NO_CONFIG="1", UV_DEFAULT_INDEX=options.index_url)
    env.pop("CONDA_PREFIX", None)
    with tempfile.TemporaryDirectory(prefix="bench-online-") as tmp:
        work = Path(tmp)
        locked = work / "locked"
        skip = shutil.ignore_patterns("index", "*.md", "expected*")
        shutil.copytree(checkout, locked, ignore=skip)
        unlocked = work / "unlocked"
        shutil.copytree(locked, unlocked)
        (unlocked / "uv.lock").unlink(missing_ok=True)
        pins = work / "pins.txt"
        export = [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"]
        exported = subprocess.run(
            [*export, "-o", str(pins)], cwd=locked, env=env, capture_output=True, text=True
        )
        if exported.returncode != 0:
            sys.exit(f"uv export failed: {exported.stderr[-500:]}")
        count = sum(1 for line in pins.read_text().splitlines() if "==" in line)

        def dllicense(project: Path, cache: str) -> list[str]:
            return [sys.executable, "-m", "dllicense", "scan", str(project), "--online",
                    "--index-url", options.index_url, "--texts", "none", "--no-cache",
                    "--cache-dir", str(work / cache), "--format", "json", "-o", os.devnull,
                    "--python-version", "3.11", "--platform", "linux", "-q"]

        cases = {
            "lock": (
                lambda r: dllicense(locked, f"d-lock-{r}"),
                lambda r: [uv, "pip", "compile", "--no-cache", "-q", *TARGET, str(pins)],
            ),
            "no lock": (
                lambda r: dllicense(unlocked, f"d-nolock-{r}"),
                lambda r: [uv, "pip", "compile", "--no-cache", "-q", *TARGET,
                           str(unlocked / "pyproject.toml")],
            ),
        }
        print(f"checkout: {checkout.name} ({count} runtime pins in uv.lock); "
              f"{options.rounds} rounds, empty caches, index {options.index_url}")
        for name, (ours, theirs) in cases.items():
            times: dict[str, list[float]] = {"dllicense": [], "uv": []}
            for r in range(options.rounds):
                times["dllicense"].append(_timed(ours(r), env, work))
                times["uv"].append(_timed(theirs(r), env, work))
            a, b = (statistics.median(times[k]) for k in ("dllicense", "uv"))
            print(f"{name:8} dllicense {a:6.2f} s   uv pip compile --no-cache {b:6.2f} s   "
                  f"ratio {a / b:5.2f}")


if __name__ == "__main__":
    main()
