#!/usr/bin/env python3
"""Record real package-index responses for ``tests/index/`` into ``tests/fixtures/index/``.

The tests never run this script (they never touch the network beyond
127.0.0.1): its output is committed, and it exists so that anyone can see
where each fixture byte came from and record them again.

For each package below it records, from ``--index-url`` (default PyPI):

``simple/<name>.json``
    The PEP 691 JSON simple page, exactly as served but trimmed to the files
    of the chosen versions (``versions`` trimmed to match).
``simple/<name>.html``
    The PEP 503 HTML simple page, trimmed to the anchors of the same files
    (every other byte kept).
``metadata/<wheel>.metadata``
    The PEP 658 core-metadata file of one wheel per chosen version, when the
    index serves one (the first wheel, in the client's preference order, whose
    ``<url>.metadata`` answers 200).
``pypi/<name>.json``
    The per-project JSON (``/pypi/<name>/json``), trimmed: no ``description``,
    ``releases``/``urls`` limited to the kept files.
``wheels/<wheel>``
    Small real wheels for the range-request path (< 300 KB each; the wheels
    already in ``tests/fixtures/wheels/`` are reused, not copied).
``recorded.json``
    What was recorded: index, date, and per package the versions, the kept
    files and which of them have a core-metadata file (with its sha256).

Usage::

    python scripts/record_index_fixtures.py [--index-url URL] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "index"
EXISTING_WHEELS = REPO / "tests" / "fixtures" / "wheels"
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
HTML_ACCEPT = "text/html"
MAX_WHEEL = 300 * 1024

# name -> versions to keep. The first version with a core-metadata file serves
# the PEP 658 tests; the latest version is what the per-project JSON describes.
PACKAGES: dict[str, list[str]] = {
    "torch": ["2.9.1", "2.14.1"],
    "tensorflow-cpu": ["2.21.0"],
    "keras": ["2.4.3", "3.15.1"],
    "onnx": ["1.7.0", "1.9.0"],
    "opencv-python": ["4.4.0.46", "4.5.5.64"],
    "six": ["1.17.0"],
    "text-unidecode": ["1.3"],
}
# Real small wheels served whole by the test server (the range-request path).
WHEELS = {"Keras-2.4.3-py2.py3-none-any.whl"}
KEEP_WHEELS_PER_VERSION = 3


def get(url: str, accept: str = "*/*") -> tuple[bytes, str] | None:
    """GET ``url``; ``None`` on 404."""
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "dllicense"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read(), str(response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def version_of(name: str, filename: str) -> str | None:
    """The version of a wheel or sdist filename of project ``name``."""
    try:
        if filename.endswith(".whl"):
            project, version, _, _ = parse_wheel_filename(filename)
        else:
            project, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return str(version) if canonicalize_name(project) == name else None


def preference(filename: str) -> tuple[int, str]:
    """Pure wheels first, then CPython 3.11 Linux x86_64 ones, then the rest."""
    if filename.endswith("-none-any.whl"):
        return (0, filename)
    if "cp311" in filename and "x86_64" in filename and "linux" in filename:
        return (1, filename)
    return (2, filename)


def choose_files(
    name: str, files: list[dict[str, Any]], versions: list[str]
) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Files to keep and the core-metadata files found for them."""
    kept: list[dict[str, Any]] = []
    metadata: dict[str, bytes] = {}
    for version in versions:
        mine = [f for f in files if version_of(name, f["filename"]) == version]
        wheels = sorted(
            (f for f in mine if f["filename"].endswith(".whl")),
            key=lambda f: preference(f["filename"]),
        )
        sdists = [f for f in mine if not f["filename"].endswith((".whl", ".egg", ".exe", ".msi"))]
        with_metadata = None
        for f in wheels:
            got = get(f["url"] + ".metadata")
            if got is not None:
                with_metadata = f
                metadata[f["filename"]] = got[0]
                break
        chosen = wheels[:KEEP_WHEELS_PER_VERSION]
        if with_metadata is not None and with_metadata not in chosen:
            chosen = [*chosen[: KEEP_WHEELS_PER_VERSION - 1], with_metadata]
        kept += sorted(chosen, key=lambda f: f["filename"]) + sdists[:1]
        print(
            f"  {name} {version}: {len(mine)} files, kept {len(chosen) + len(sdists[:1])}, "
            f"core-metadata: {with_metadata['filename'] if with_metadata else 'none'}"
        )
    return kept, metadata


def trim_html(page: str, keep: set[str]) -> str:
    """Drop the anchor lines of files not in ``keep``; keep every other byte."""
    out = []
    for line in page.splitlines(keepends=True):
        anchor = re.search(r">([^<>]+)</a>", line)
        if anchor and line.lstrip().startswith("<a ") and anchor.group(1) not in keep:
            continue
        out.append(line)
    return "".join(out)


def trim_project_json(data: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    info = {k: v for k, v in data["info"].items() if k not in ("description", "downloads")}
    releases = {
        v: [f for f in files if f["filename"] in keep]
        for v, files in data.get("releases", {}).items()
        if any(f["filename"] in keep for f in files) or v == info.get("version")
    }
    return {
        "info": info,
        "last_serial": data.get("last_serial"),
        "releases": releases,
        "urls": [f for f in data.get("urls", []) if f["filename"] in keep]
        or data.get("urls", [])[:2],
        "vulnerabilities": [],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-url", default="https://pypi.org/simple")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    index = args.index_url.rstrip("/")
    json_base = index[: -len("/simple")] if index.endswith("/simple") else None
    out: Path = args.out
    for sub in ("simple", "metadata", "pypi", "wheels"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "index": index,
        "recorded": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "packages": {},
    }
    for name, versions in PACKAGES.items():
        print(name)
        got = get(f"{index}/{name}/", JSON_ACCEPT)
        if got is None:
            print(f"  {name}: not on the index", file=sys.stderr)
            return 1
        page = json.loads(got[0])
        if json_base:
            project = get(f"{json_base}/pypi/{name}/json", "application/json")
            latest = json.loads(project[0])["info"]["version"] if project else None
        else:
            project, latest = None, None
        wanted = list(versions) + ([latest] if latest and latest not in versions else [])
        kept, metadata = choose_files(name, page["files"], wanted)
        keep = {f["filename"] for f in kept}
        page["files"] = kept
        if "versions" in page:
            page["versions"] = [v for v in page["versions"] if v in wanted]
        (out / "simple" / f"{name}.json").write_text(json.dumps(page, indent=1) + "\n", "utf-8")
        html = get(f"{index}/{name}/", HTML_ACCEPT)
        if html is not None:
            (out / "simple" / f"{name}.html").write_text(
                trim_html(html[0].decode("utf-8"), keep), "utf-8"
            )
        for filename, blob in metadata.items():
            (out / "metadata" / f"{filename}.metadata").write_bytes(blob)
        if project is not None:
            trimmed = trim_project_json(json.loads(project[0]), keep)
            (out / "pypi" / f"{name}.json").write_text(
                json.dumps(trimmed, indent=1) + "\n", "utf-8"
            )
        for f in kept:
            if f["filename"] in WHEELS and not (EXISTING_WHEELS / f["filename"]).exists():
                if f["size"] > MAX_WHEEL:
                    print(f"  {f['filename']} is too big to commit", file=sys.stderr)
                    return 1
                blob, _ = get(f["url"]) or (b"", "")
                if hashlib.sha256(blob).hexdigest() != f["hashes"].get("sha256"):
                    print(f"  {f['filename']}: hash mismatch", file=sys.stderr)
                    return 1
                (out / "wheels" / f["filename"]).write_bytes(blob)
        manifest["packages"][name] = {
            "versions": wanted,
            "json_version": latest,
            "files": sorted(keep),
            "core_metadata": {
                fn: hashlib.sha256(blob).hexdigest() for fn, blob in sorted(metadata.items())
            },
        }
    (out / "recorded.json").write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{out}: {total:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
