"""Generate ``src/dllicense/preparsed.json``: the shipped TOML data files, parsed.

Every ``*.toml`` under ``src/dllicense`` and ``policies/`` whose ``tomllib``
parse survives a JSON round trip unchanged is stored as compact JSON keyed by
the sha256 of its text (``dllicense.preparsed``). Deterministic output.

    python scripts/gen_preparsed.py           # write
    python scripts/gen_preparsed.py --check   # exit 1 if the file is not current
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dllicense.preparsed import FILE, digest  # noqa: E402

OUT = ROOT / "src" / "dllicense" / FILE


def sources() -> list[Path]:
    """The shipped TOML files (package data and the built-in policies)."""
    found = [*(ROOT / "src" / "dllicense").rglob("*.toml"), *(ROOT / "policies").glob("*.toml")]
    return sorted(found, key=lambda p: p.relative_to(ROOT).as_posix())


def build() -> str:
    entries: dict[str, str] = {}
    files: list[str] = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        parsed = tomllib.loads(text)
        encoded = json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))
        if json.loads(encoded) != parsed:  # dates and times do not survive JSON
            continue
        entries[digest(text)] = encoded
        files.append(path.relative_to(ROOT).as_posix())
    table = {
        "generated_by": "scripts/gen_preparsed.py",
        "files": files,
        "entries": dict(sorted(entries.items())),
    }
    return json.dumps(table, ensure_ascii=False, indent=0, sort_keys=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = build()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            raise SystemExit(f"{OUT.relative_to(ROOT)} is not current: run {__file__}")
        return
    OUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
