"""Generate ``src/dllicense/licenses/data/spdx_symbols.json``: license-expression's symbols.

Building license-expression's SPDX ``Licensing`` (reading its 1 MB licence index and
making 2,400 symbol objects) cost 20-80 ms of every scan that reads one licence
name. The table keeps what dllicense reads from it (each symbol's key, aliases and
whether it is an exception, in ``known_symbols`` order) with the sha256 of the
index file it came from; ``dllicense.licenses.spdx`` uses it only when the
installed license-expression ships that very file, else it builds ``Licensing``.

    python scripts/gen_spdx_symbols.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "dllicense" / "licenses" / "data" / "spdx_symbols.json"
sys.path.insert(0, str(ROOT / "src"))

from dllicense.licenses.spdx import index_digest, licensing  # noqa: E402


def build() -> str:
    symbols = [
        [s.key, list(s.aliases), bool(s.is_exception)] for s in licensing().known_symbols.values()
    ]
    table = {
        "generated_by": "scripts/gen_spdx_symbols.py",
        "index_sha256": index_digest(),
        "symbols": symbols,
    }
    return json.dumps(table, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = build()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            raise SystemExit(f"{OUT.relative_to(ROOT)} is not current: run {__file__}")
        return
    OUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
