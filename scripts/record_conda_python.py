#!/usr/bin/env python3
"""Record the oracle and the replayable index of ``tests/fixtures/conda-python/<slug>/``.

A conda environment file that pins ``python=3.8.5`` is scanned, with nothing installed and
``--online``, for that Python. The oracle is uv's answer for the same target: the ``pip:``
entries of ``environment.yml`` (not ``-e``; read with PyYAML) resolved by

    uv pip compile pip-requirements.txt --excludes excludes.txt --no-build
        --python-version 3.8 --python-platform x86_64-unknown-linux-gnu
        --index-url https://pypi.org/simple --no-header --no-annotate

where ``excludes.txt`` grows, one run at a time, by the package uv's error names as having
no usable wheel ("Because albumentations==0.4.3 has no usable wheels"): uv's own
``--excludes``, the packages dllicense leaves out (DL007). The answer is written to
``expected-py38.txt``, the left-out packages to ``excluded-py38.txt``; then the index of
``record_checkouts.py index`` is recorded for those pins, for CPython 3.8 on manylinux
x86_64 (a left-out package: its page with the sdist only, whose file is not stored).

``--python 3.10`` records for another Python (files ``expected-py310.txt``, ...).
``--conda-twins NAME,NAME`` seeds ``excludes.txt`` with the PyPI twins of the file's conda
packages (``pytorch`` -> ``torch``): conda installs them first and pip leaves a requirement
they satisfy alone, so uv must not pull them (``conda-twins-pyXY.txt`` lists them).

Usage: python scripts/record_conda_python.py --uv UV [--python X.Y] [--conda-twins N,N] SLUG
(UV_NO_CONFIG=1, UV_PYTHON_DOWNLOADS=never, PIP_CONFIG_FILE=/dev/null, no PIP_* index
variables).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from packaging import tags

sys.path.insert(0, str(Path(__file__).resolve().parent))
import record_checkouts as rc

FIXTURES = rc.REPO / "tests" / "fixtures" / "conda-python"
PYTHON = (3, 8)
_NO_WHEEL = re.compile(r"Because ([A-Za-z0-9_.\-]+)==(\S+) has no usable wheels")
_NO_WHEEL_AT_ALL = re.compile(r"Because all versions of ([A-Za-z0-9_.\-]+) have no usable wheels")


def tag_ranks() -> dict[tags.Tag, int]:
    """CPython PYTHON on manylinux x86_64 -> rank, most preferred first (uv's target)."""
    platforms = [f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)]
    platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    platforms.append("linux_x86_64")
    abi = f"cp{PYTHON[0]}{PYTHON[1]}"
    ordered = list(tags.cpython_tags(PYTHON, platforms=platforms))
    ordered += list(tags.compatible_tags(PYTHON, abi, platforms=platforms))
    return {tag: rank for rank, tag in reversed(list(enumerate(ordered)))}


def oracle(
    checkout: Path, uv: str, twins: tuple[str, ...] = ()
) -> tuple[dict[str, str], dict[str, str]]:
    """uv's resolution of the ``pip:`` list for Python 3.8, and the packages it excluded
    (name -> the version uv's error names)."""
    _, pip = rc.conda_lists(next(checkout.glob("environment.y*ml")))
    lines = [line for line in pip if not line.startswith("-")]
    excluded: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "pip-requirements.txt").write_text("".join(f"{x}\n" for x in lines), "utf-8")
        for _ in range(10):
            listed = [*twins, *excluded]
            (work / "excludes.txt").write_text("".join(f"{x}\n" for x in listed), "utf-8")
            cmd = [uv, "pip", "compile", "pip-requirements.txt", "--excludes", "excludes.txt"]
            cmd += ["--no-build", "--python-version", ".".join(map(str, PYTHON))]
            cmd += ["--python-platform", rc.PLATFORM, "--index-url", rc.PYPI]
            cmd += ["--no-header", "--no-annotate"]
            print("+", " ".join(cmd), file=sys.stderr)
            done = subprocess.run(cmd, cwd=work, capture_output=True, text=True, check=False)
            if done.returncode == 0:
                return rc.pins(done.stdout), excluded
            found = _NO_WHEEL.search(done.stderr)
            every = _NO_WHEEL_AT_ALL.search(done.stderr)
            if found:
                excluded[rc.canonicalize_name(found.group(1))] = found.group(2)
            elif every:  # no version has a wheel: the newest release (what dllicense reads)
                name = rc.canonicalize_name(every.group(1))
                info = json.loads(rc.get(f"https://pypi.org/pypi/{name}/json") or b"{}")
                excluded[name] = str(info["info"]["version"])
            else:
                raise SystemExit(done.stderr)
    raise SystemExit("more than 10 packages without a usable wheel")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uv", required=True)
    parser.add_argument("--python", default="3.8")
    parser.add_argument("--conda-twins", default="")
    parser.add_argument("slug")
    args = parser.parse_args()
    global PYTHON
    PYTHON = tuple(int(x) for x in args.python.split("."))  # type: ignore[assignment]
    tag = "py" + "".join(map(str, PYTHON))
    twins = tuple(t for t in args.conda_twins.split(",") if t)
    checkout = FIXTURES / args.slug
    found, excluded = oracle(checkout, args.uv, twins)
    rc.write_set(checkout / f"expected-{tag}.txt", found, None)
    rc.write_set(checkout / f"excluded-{tag}.txt", excluded, None)
    if twins:
        (checkout / f"conda-twins-{tag}.txt").write_text("".join(f"{t}\n" for t in twins))
    rc.tag_ranks = tag_ranks  # the index's wheels: those CPython PYTHON installs
    out = checkout / "index"
    shutil.rmtree(out, ignore_errors=True)
    (out / "simple").mkdir(parents=True)
    (out / "metadata").mkdir()
    recorded: dict[str, Any] = {
        "index": rc.PYPI,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "target": f"CPython {args.python}, manylinux x86_64",
        "packages": {},
    }
    for name, version in sorted((found | excluded).items()):
        entry = rc.record_package(name, version, out)
        recorded["packages"][name] = entry
        if "error" in entry:
            print(f"{name}=={version}: {entry['error']}", file=sys.stderr)
    (out / "recorded.json").write_text(json.dumps(recorded, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
