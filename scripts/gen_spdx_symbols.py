"""Generate ``spdx_symbols.json`` and ``scancode_keys.json`` in ``src/dllicense/licenses/data/``.

Building license-expression's SPDX ``Licensing`` (reading its 1 MB licence index and
making 2,400 symbol objects) cost 20-80 ms of every scan that reads one licence
name. The table keeps what dllicense reads from it (each symbol's key, aliases and
whether it is an exception, in ``known_symbols`` order) with the sha256 of the
index file it came from; ``dllicense.licenses.spdx`` uses it only when the
installed license-expression ships that very file, else it builds ``Licensing``.
It also keeps each symbol's ``alias_key`` (the alias table's key, ~2,400 regex
normalisations, 12 ms of every scan that reads a licence name), and
``scancode_keys.json`` the (key, SPDX id, category) of every key of the index
(``dllicense.licenses.scancode_keys``; parsing the 1 MB index took ~12 ms).

    python scripts/gen_spdx_symbols.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "dllicense" / "licenses" / "data"
sys.path.insert(0, str(ROOT / "src"))

from dllicense.licenses.scancode_keys import index_digest, scancode_records  # noqa: E402
from dllicense.licenses.spdx import alias_key, licensing  # noqa: E402


def build() -> dict[str, str]:
    """File name -> its text."""
    symbols = [
        [s.key, list(s.aliases), bool(s.is_exception)] for s in licensing().known_symbols.values()
    ]
    head = {"generated_by": "scripts/gen_spdx_symbols.py", "index_sha256": index_digest()}
    tables = {
        "spdx_symbols.json": {
            **head,
            "symbols": symbols,
            "alias_keys": [alias_key(key) for key, _, _ in symbols],
        },
        "scancode_keys.json": {**head, "records": [list(r) for r in scancode_records()]},
    }
    return {name: json.dumps(t, separators=(",", ":")) + "\n" for name, t in tables.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    for name, text in build().items():
        out = DATA / name
        if not args.check:
            out.write_text(text, encoding="utf-8")
        elif not out.exists() or out.read_text(encoding="utf-8") != text:
            raise SystemExit(f"{out.relative_to(ROOT)} is not current: run {__file__}")


if __name__ == "__main__":
    main()
