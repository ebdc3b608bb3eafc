"""Generate ``src/dllicense/knowledge/conda_pypi.json``: conda package -> PyPI project names.

The mapping is prefix.dev's parselmouth mapping (https://github.com/prefix-dev/parselmouth,
BSD-3-Clause), the one pixi uses: for each conda package of a channel, the PyPI
distributions its files install (from the packages' own ``*.dist-info``), ``null`` for a
package that installs none. Two channels are kept: ``conda-forge`` and ``pytorch``
(``files/v0/<channel>/compressed_mapping.json``). Packages that install no PyPI
distribution are dropped; the rest is stored as ``same`` (the PyPI name is the conda name,
PEP 503-normalised) and ``renamed`` (conda name -> PyPI names), which keeps the file small.
Output is deterministic: same inputs, same bytes.

Usage::

    python scripts/gen_conda_pypi.py --commit SHA                 # download from GitHub
    python scripts/gen_conda_pypi.py --git-dir DIR --commit SHA   # a local clone
    python scripts/gen_conda_pypi.py --git-dir DIR --commit SHA --check
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "src" / "dllicense" / "knowledge" / "conda_pypi.json"
REPOSITORY = "prefix-dev/parselmouth"
CHANNELS = ("conda-forge", "pytorch")
PATH = "files/v0/{channel}/compressed_mapping.json"
RAW = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"


def _read(commit: str, path: str, git_dir: str | None) -> bytes:
    if git_dir:
        return subprocess.run(
            ["git", "--git-dir", git_dir, "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
        ).stdout
    url = RAW.format(repository=REPOSITORY, commit=commit, path=path)
    with urllib.request.urlopen(url, timeout=60) as response:  # a fixed https URL
        data: bytes = response.read()
    return data


def _date(commit: str, git_dir: str | None) -> str:
    if not git_dir:
        return ""
    out = subprocess.run(
        ["git", "--git-dir", git_dir, "show", "-s", "--format=%cs", commit],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def channel_table(raw: dict[str, Any]) -> dict[str, Any]:
    """``same`` and ``renamed`` of one channel's compressed mapping (``null`` entries dropped)."""
    same: list[str] = []
    renamed: dict[str, list[str]] = {}
    for conda, pypi in sorted(raw.items()):
        if not pypi:
            continue
        names = sorted({str(canonicalize_name(p)) for p in pypi})
        if names == [str(canonicalize_name(conda))]:
            same.append(conda.lower())
        else:
            renamed[conda.lower()] = names
    return {"same": sorted(set(same)), "renamed": dict(sorted(renamed.items()))}


def build(commit: str, git_dir: str | None, date: str) -> str:
    channels = {}
    for channel in CHANNELS:
        data = json.loads(_read(commit, PATH.format(channel=channel), git_dir))
        channels[channel] = channel_table(data)
    document = {
        "source": {
            "repository": f"https://github.com/{REPOSITORY}",
            "commit": commit,
            "date": date or _date(commit, git_dir),
            "files": [PATH.format(channel=c) for c in CHANNELS],
            "license": "BSD-3-Clause (parselmouth, Copyright (c) 2023, prefix.dev GmbH)",
            "generator": "scripts/gen_conda_pypi.py",
        },
        "channels": channels,
    }
    return json.dumps(document, indent=0, sort_keys=False, ensure_ascii=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", required=True, help="parselmouth commit to read")
    parser.add_argument("--git-dir", help="a local clone of prefix-dev/parselmouth")
    parser.add_argument("--date", default="", help="commit date (read from --git-dir if unset)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = build(args.commit, args.git_dir, args.date)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != text:
            print(f"{OUTPUT} is stale", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
