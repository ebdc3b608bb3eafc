#!/usr/bin/env python
"""Fetch the licence files of the most downloaded PyPI projects, for ``gen_known_texts.py``.

For each of the first ``--top`` projects of hugovk/top-pypi-packages (a JSON file of PyPI
download counts; pass its path), it asks PyPI's JSON API for its releases and takes the
newest release of each of the last ``--series`` release series (major.minor: licence files
change between series, and environments pin older ones). For each it picks one wheel (pure
Python first, else CPython 3.11 manylinux x86_64, else the first), and reads only that
wheel's central directory and its ``*.dist-info`` licence files with HTTP range requests
(``zipfile`` over a file object whose reads are range requests, so a 500 MB wheel costs a
few kilobytes). The files are written as ``OUT/<name>-<version>.dist-info/...``, the layout
``gen_known_texts.py --site-packages`` reads, and ``OUT/SOURCES.tsv`` records project,
version, wheel URL and sha256.

Network: PyPI and files.pythonhosted.org only. A maintainer's script, never run by
the product or the tests. Usage::

    .venv/bin/python scripts/fetch_top_licence_files.py TOP_JSON OUT [--top 1000] [--series 4]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import urllib3
from packaging.version import InvalidVersion, Version

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from dllicense.collect.index_get import Fail
from dllicense.collect.index_wheel import Fetch, RangeFile, content_range

HTTP = urllib3.PoolManager(maxsize=16, retries=urllib3.Retry(3, backoff_factor=0.5))
LICENCE = re.compile(r"[^/]+\.dist-info/(licenses/.+|(LICEN[CS]E|COPYING|NOTICE)[^/]*)$", re.I)
PREFERRED = (re.compile(r"-py3-none-any\.whl$"), re.compile(r"-cp311-.*manylinux.*x86_64\.whl$"))
MAX_FILE = 1 << 20


def range_fetch(url: str) -> Fetch:
    """Range requests for ``index_wheel.RangeFile`` (the reader the product uses for wheels)."""

    def fetch(start: int, end: int) -> tuple[int, bytes, int | None]:
        wanted = f"bytes={start}-{end - 1}" if start >= 0 else f"bytes={start}"
        reply = HTTP.request("GET", url, headers={"Range": wanted})
        if reply.status != 206:
            raise OSError(f"{url}: HTTP {reply.status} to a range request")
        first, total = content_range(reply.headers.get("Content-Range", ""), start)
        return first, bytes(reply.data), total

    return fetch


def pick_wheel(files: list[dict[str, Any]]) -> dict[str, Any] | None:
    wheels = [f for f in files if str(f["filename"]).endswith(".whl") and not f.get("yanked")]
    for pattern in PREFERRED:
        for f in wheels:
            if pattern.search(str(f["filename"])):
                return f
    return wheels[0] if wheels else None


def releases(info: dict[str, Any], series: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """The newest final release with a wheel of each of the last ``series`` major.minor series."""
    newest: dict[tuple[int, ...], tuple[Version, str]] = {}
    for text, files in info.get("releases", {}).items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease or pick_wheel(files) is None:
            continue
        line = version.release[:2]
        if line not in newest or newest[line][0] < version:
            newest[line] = (version, text)
    chosen = sorted(newest.values(), reverse=True)[:series]
    return [(text, info["releases"][text]) for _, text in chosen]


def fetch(project: str, out: Path, series: int) -> list[str]:
    api = f"https://pypi.org/pypi/{project}/json"
    reply = HTTP.request("GET", api)
    if reply.status != 200:
        return [f"{project}\t\t\tHTTP {reply.status}"]
    return [
        read_wheel(project, v, files, api, out)
        for v, files in releases(json.loads(reply.data), series)
    ]


def read_wheel(project: str, version: str, files: list[dict[str, Any]], api: str, out: Path) -> str:
    wheel = pick_wheel(files)
    assert wheel is not None
    url, digest = urljoin(api, str(wheel["url"])), str(wheel["digests"]["sha256"])
    try:
        with zipfile.ZipFile(RangeFile(range_fetch(url), int(wheel["size"]))) as archive:
            names = [
                i
                for i in archive.infolist()
                if LICENCE.match(i.filename) and not i.is_dir() and i.file_size <= MAX_FILE
            ]
            for member in names:
                target = out / member.filename
                if ".." in Path(member.filename).parts:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))
    except (OSError, zipfile.BadZipFile, urllib3.exceptions.HTTPError, Fail) as error:
        return f"{project}\t{version}\t{url}\terror: {error}"
    return f"{project}\t{version}\t{wheel['filename']}\tsha256:{digest}\t{len(names)} files"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("top_json", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--top", type=int, default=1000)
    parser.add_argument("--series", type=int, default=4)
    args = parser.parse_args()
    rows = json.loads(args.top_json.read_text("utf-8"))["rows"][: args.top]
    args.out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(12) as pool:
        done = pool.map(lambda r: fetch(str(r["project"]), args.out, args.series), rows)
        lines = [line for lines_of in done for line in lines_of]
    head = "# project\tversion\twheel\tsha256\tlicence files read\n"
    (args.out / "SOURCES.tsv").write_text(head + "\n".join(sorted(lines)) + "\n", "utf-8")
    print(sum("files" in line for line in lines), "wheels read of", len(lines), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
