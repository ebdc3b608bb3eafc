"""``--online`` on a checkout with nothing installed: dllicense vs uv on the same work.

Two cases, each timed with empty caches, alternating the tools, several rounds
(median wall time and the ratio are printed):

* **lock**: the checkout's ``uv.lock``. dllicense reads the lock and fetches the
  metadata of every runtime package from the index; the reference is
  ``uv pip compile --no-cache`` of the same pins (exported with
  ``uv export --frozen --no-dev``), which also fetches every pin's metadata.
* **no lock**: the same checkout without its lock. dllicense resolves with
  ``uv pip compile`` and then fetches the metadata; the reference is
  ``uv pip compile --no-cache pyproject.toml`` (else ``requirements.txt``) alone; a
  checkout without a uv.lock has this case only.
* **lookups**: the index lookups alone, as the issue states the goal: the
  lock's pins that apply to the target (the scan's set) fetched by
  ``IndexClient.fetch_many`` with the lock's wheels, timed inside a fresh
  process (no start-up, lock reading or report), against the same
  ``uv pip compile --no-cache`` of the pins as in **lock**.

Both tools are answered by the same index. A corpus checkout (one with a recorded
``index/`` folder, ``tests/fixtures/checkouts``) is served by default by
``tests/index/server.py``'s ``RecordedIndex`` on 127.0.0.1, with a fixed delay per
request (``--delay``, 20 ms: a nearby mirror), so no network is needed; the copied
``uv.lock`` then names that server where it named PyPI (its registry and its
files' URLs), as a lock made against that index would. ``--index-url URL`` uses a
real index instead (the network). uv is needed (``pip install 'dllicense[resolve]'``).

    python bench/bench_online.py [CHECKOUT] [--rounds N] [--delay S] [--index-url URL]
                                 [--baseline OTHER_CHECKOUT]

CHECKOUT defaults to ``bench/checkouts/energon-uv``: the issue's row, a real uv.lock
with 75 runtime packages for the target (NVIDIA/Megatron-Energon's, its ``SOURCE.md``),
whose ``index`` links to the recorded index of the corpus checkout exported from it.
``tests/fixtures/checkouts/outlines-uv`` is the corpus's uv.lock (17 runtime packages).
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
sys.path.insert(0, str(HERE.parent))  # tests.index.server
TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu"]


DEFAULT = HERE / "checkouts" / "energon-uv"


def _default_checkout() -> Path:
    if not (DEFAULT / "uv.lock").is_file():
        sys.exit(f"no {DEFAULT}/uv.lock; pass CHECKOUT")
    return DEFAULT


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


LOOKUPS = """
import sys, tempfile, time
from pathlib import Path
from packaging.markers import Marker, default_environment
from dllicense.collect.index import IndexClient, IndexOptions
from dllicense.discover.locks import read_lock

project, pins, index_url = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
env = default_environment() | {"python_version": "3.11", "python_full_version": "3.11.0",
    "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
    "platform_machine": "x86_64"}
locked = {(p.name, p.version): p for p in read_lock(project / "uv.lock", project).packages}
wanted = []
for line in pins.read_text().splitlines():
    pin, _, marker = line.partition(";")
    if "==" not in pin or (marker.strip() and not Marker(marker).evaluate(env)):
        continue
    name, version = (part.strip() for part in pin.split("=="))
    package = locked[(name, version)]
    wanted.append((name, version, package.index, package.wheels))
with tempfile.TemporaryDirectory() as cache:
    client = IndexClient(IndexOptions(index_url, cache_dir=Path(cache), use_cache=False))
    start = time.perf_counter()
    answers = client.fetch_many(wanted)
    took = time.perf_counter() - start
failed = [a for a in answers if not hasattr(a, "location")]
print(took, len(wanted), len(failed), client.stats.requests, client.stats.downloaded)
"""


def _lookups(
    project: Path, pins: Path, index_url: str, env: dict[str, str], say: bool = False
) -> float:
    """Seconds the index lookups of the lock's pins take inside one process."""
    args = [sys.executable, "-c", LOOKUPS, str(project), str(pins), index_url]
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"the lookups failed: {done.stderr[-500:]}")
    took, count, failed, requests, downloaded = done.stdout.split()
    if say or failed != "0":
        print(
            f"  lookups: {count} pins, {failed} failed, {requests} requests, "
            f"{int(downloaded) / 1e6:.2f} MB in {float(took):.2f} s"
        )
    return float(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index-url", help="a real index (default: the recorded one)")
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per request")
    parser.add_argument(
        "--baseline", type=Path, help="another dllicense checkout timed in the same rounds"
    )
    options = parser.parse_args()
    checkout = (options.checkout or _default_checkout()).resolve()
    uv = _uv()
    server = None
    if options.index_url is None:
        if not (checkout / "index" / "simple").is_dir():
            sys.exit(f"{checkout} has no recorded index/: pass --index-url")
        from tests.index.server import Behaviour, RecordedIndex

        server = RecordedIndex(Behaviour(delay={"/": options.delay}), root=checkout / "index")
        options.index_url = server.index_url
    try:
        _bench(options, checkout, uv, server)
    finally:
        if server is not None:
            server.stop()


def _bench(options: argparse.Namespace, checkout: Path, uv: str, server: object) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "VIRTUAL_ENV", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"))
        and k not in ("PIP_FIND_LINKS", "PIP_NO_INDEX")
    }
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
        lock = locked / "uv.lock"
        if server is not None and lock.exists():  # locked from the recorded index
            url = options.index_url.removesuffix("/simple")
            text = lock.read_text("utf-8").replace("https://pypi.org/simple", options.index_url)
            lock.write_text(text.replace("https://files.pythonhosted.org", url), "utf-8")
        pins = work / "pins.txt"
        count = 0
        if lock.exists():  # else the no-lock case alone
            export = [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"]
            exported = subprocess.run(
                [*export, "-o", str(pins)], cwd=locked, env=env, capture_output=True, text=True
            )
            if exported.returncode != 0:
                sys.exit(f"uv export failed: {exported.stderr[-500:]}")
            count = sum(1 for line in pins.read_text().splitlines() if "==" in line)
        declared = next(
            (
                unlocked / n
                for n in ("pyproject.toml", "requirements.txt")
                if (unlocked / n).exists()
            ),
            None,
        )
        if declared is None:
            sys.exit(f"{checkout.name}: no pyproject.toml or requirements.txt to resolve")

        def dllicense(project: Path, cache: str) -> list[str]:
            return [
                sys.executable,
                "-m",
                "dllicense",
                "scan",
                str(project),
                "--online",
                "--index-url",
                options.index_url,
                "--texts",
                "none",
                "--no-cache",
                "--cache-dir",
                str(work / cache),
                "--format",
                "json",
                "-o",
                os.devnull,
                "--python-version",
                "3.11",
                "--platform",
                "linux",
                "-q",
            ]

        cases = {
            "lock": (
                lambda r: dllicense(locked, f"d-lock-{r}"),
                lambda r: [uv, "pip", "compile", "--no-cache", "-q", *TARGET, str(pins)],
            ),
            "no lock": (
                lambda r: dllicense(unlocked, f"d-nolock-{r}"),
                lambda r: [
                    uv,
                    "pip",
                    "compile",
                    "--no-cache",
                    "-q",
                    *TARGET,
                    str(declared),
                ],
            ),
        }
        print(
            f"checkout: {checkout.name} ({count} runtime pins in uv.lock, {declared.name}); "
            f"{options.rounds} rounds, empty caches, index {options.index_url}"
            + (f" (recorded, {options.delay * 1000:.0f} ms per request)" if server else "")
            + f"; load average {os.getloadavg()[0]:.2f}"
        )
        ours = {
            "lock": lambda r, e: _timed(cases["lock"][0](r), e, work),
            "no lock": lambda r, e: _timed(cases["no lock"][0](r), e, work),
            "lookups": lambda r, e: _lookups(locked, pins, options.index_url, e, say=r == 0),
        }
        theirs = {
            "lock": lambda r: _timed(cases["lock"][1](r), env, work),
            "no lock": lambda r: _timed(cases["no lock"][1](r), env, work),
            "lookups": lambda r: _timed(cases["lock"][1](r), env, work),
        }
        trees = {"dllicense": env}
        if options.baseline is not None:  # another checkout of dllicense, same rounds
            base = str(options.baseline.resolve() / "src")
            trees = {"baseline": env | {"PYTHONPATH": base}, "dllicense": env}
        for name in ours if count else ["no lock"]:
            times: dict[str, list[float]] = {k: [] for k in (*trees, "uv")}
            for r in range(options.rounds):
                for tree, tree_env in trees.items():
                    times[tree].append(ours[name](r, tree_env))
                times["uv"].append(theirs[name](r))
            took = {k: statistics.median(v) for k, v in times.items()}
            line = "   ".join(
                f"{k} {took[k]:6.2f} s (ratio {took[k] / took['uv']:5.2f})" for k in trees
            )
            print(f"{name:8} {line}   uv pip compile --no-cache {took['uv']:6.2f} s")
        print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
