#!/usr/bin/env python3
"""Rebuild ``tests/fixtures/corpus/`` (real distributions outside deep learning) from PyPI.

The tests never run this script: its output is committed. Each folder of
``tests/fixtures/corpus/dists/<name>-<version>/`` is a tiny "site-packages"
holding the real ``*.dist-info`` of the wheel named by ``source`` in
``tests/fixtures/corpus/expected.toml`` (which pins every distribution), plus
the licence-like text files the wheel ships in its package folders (RECORD
lists them; at most three path components deep, not under a vendored
folder, each under 600 KB). Extraction is the one of ``fetch_fixtures.py``
(``RECORD`` trimmed when over 200 KB, binaries skipped); wheels are read member
by member with ``zipfile``, never unpacked.

Usage::

    python scripts/fetch_corpus.py --cache /tmp/corpus-dl          # everything
    python scripts/fetch_corpus.py --only reedsolo-1.7.0 --check   # compare, write nothing

Downloads are ``pip download --no-deps --only-binary :all:`` for CPython 3.11
on x86-64 Linux (``fetch_fixtures.CP311``).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fetch_fixtures as ff

CORPUS = ff.FIXTURES / "corpus"
DISTS_DIR = CORPUS / "dists"
# Licence texts kept in package folders: LICENSE*, COPYING*, NOTICE*, and files named
# after a licence (pygame's docs/LGPL.txt).
_PACKAGE_LICENCE = re.compile(
    r"^(?:LICEN[CS]E|COPYING|NOTICE|(?:L|A)?GPL|UNLICENSE)[\w.+-]*$", re.IGNORECASE
)
_VENDORED = {"external", "third_party", "3rdparty", "_vendor", "vendor", "vendored"}


def package_licence_files(record: bytes, dist_info: str) -> list[str]:
    """Licence-like text files outside the dist-info that RECORD lists (three levels deep)."""
    found = []
    for path in ff.record_paths(record):
        parts = PurePosixPath(path).parts
        if path.startswith((dist_info + "/", "../")) or len(parts) > 4 or ".data" in parts[0]:
            continue
        if any(p.lower() in _VENDORED for p in parts[:-1]):
            continue
        suffix = PurePosixPath(parts[-1]).suffix.lower()
        if _PACKAGE_LICENCE.match(parts[-1]) and (
            suffix in ff._TEXT_SUFFIXES or "." not in parts[-1]
        ):
            found.append(path)
    return found


def extract(wheel: Path) -> ff.Extracted:
    """The dist-info as ``fetch_fixtures.extract_wheel`` copies it, plus package licence files."""
    extracted = ff.extract_wheel(wheel)
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        dist_info = next(
            top for n in sorted(names) if (top := n.split("/", 1)[0]).endswith(".dist-info")
        )
        record = zf.read(f"{dist_info}/RECORD")
        for path in package_licence_files(record, dist_info):
            if path in extracted.files or path not in names:
                continue
            data = zf.read(path)
            if len(data) < ff.PACKAGE_LICENCE_MAX_BYTES and not ff.looks_binary(data):
                extracted.files[path] = data
    return extracted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="FOLDER")
    parser.add_argument("--cache", type=Path, help="download directory to reuse")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    expected = tomllib.loads((CORPUS / "expected.toml").read_text("utf-8"))["dists"]
    folders = [f for f in sorted(expected) if not args.only or f in args.only]
    tmp = None if args.cache else tempfile.TemporaryDirectory(prefix="dllicense-corpus-")
    cache = args.cache or Path(tmp.name)  # type: ignore[union-attr]
    problems: list[str] = []
    for folder in folders:
        entry = expected[folder]
        wheel = cache / entry["source"]
        if not wheel.exists():
            ff.pip_download([f"{entry['name']}=={entry['version']}"], cache, "wheel", ff.CP311)
        if not wheel.exists():
            problems.append(f"{folder}: pip did not give {entry['source']}")
            continue
        files = extract(wheel).files
        root = DISTS_DIR / folder
        if args.check:
            problems += ff.compare_tree(root, files)
        else:
            ff.write_tree(root, files)
    if tmp is not None:
        tmp.cleanup()
    for line in problems:
        ff.log(f"PROBLEM {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
