#!/usr/bin/env python
"""Generate ``src/dllicense/licenses/data/known_texts.json`` with scancode-toolkit.

The table maps the key of a licence text (sha256 of its normalised form, see
``dllicense.licenses.textid.normalise_text``) to scancode's identification of
it, computed by the very code that identifies unknown texts at run time
(``textid.run_engine``), so that a table hit and an engine run agree.

Texts covered:

* the licence texts scancode ships (``licensedcode/data/licenses/*.LICENSE``)
  for every non-deprecated licence or exception with an SPDX-list id, plus the
  ``LicenseRef-scancode-*`` licences that matter to deep learning (model
  licences such as OpenRAIL, Llama, Gemma; NVIDIA and Intel runtime licences;
  source-available licences), selected by a pattern on the licence key;
* the licence files of the distributions in site-packages folders (default:
  the dev venv's and the real deep-learning wheels of ``tests/fixtures/dists``:
  torch, tensorflow, numpy, scipy, paddle...): ``*.dist-info/{LICENSE*,COPYING*,NOTICE*}``
  and every file under ``*.dist-info/licenses/``.

Output is deterministic: sorted keys, one text per line. Usage::

    .venv/bin/python scripts/gen_known_texts.py [--site-packages DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dllicense.licenses import textid  # noqa: E402

OUTPUT = ROOT / "src" / "dllicense" / "licenses" / "data" / "known_texts.json"

# LicenseRef-scancode-* keys worth shipping for deep-learning environments.
DL_KEYS = re.compile(
    r"open-?rail|(^|-)rail(-|$)|llama|gemma|deepseek|falcon|bloom|stable-diffusion|stability-ai"
    r"|nvidia|cuda|cudnn|nccl|tensorrt|intel|issl|mkl|openmp|qwen|openai|(^|-)ai(-|$)"
    r"|(^|-)model(-|$)|responsible-ai|hippocratic|polyform|commons-clause|elastic-license"
    r"|sspl|flux|exaone|hyperclova|bigcode|bigscience|moonshot"
)
LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)


def scancode_texts() -> dict[str, str]:
    """Return ``{label: text}`` for the selected licences of scancode's database."""
    from licensedcode.models import load_licenses

    out: dict[str, str] = {}
    for key, lic in sorted(load_licenses().items()):
        spdx = lic.spdx_license_key or ""
        if lic.is_deprecated or not spdx or not lic.text or not lic.text.strip():
            continue
        if spdx.startswith("LicenseRef-") and not DL_KEYS.search(key):
            continue
        out[f"scancode:{key}"] = lic.text
    return out


def dist_info_files(site_packages: Path) -> dict[str, bytes]:
    """Return ``{label: bytes}`` for the licence files of every ``*.dist-info`` folder."""
    out: dict[str, bytes] = {}
    for dist in sorted(site_packages.glob("*.dist-info")):
        candidates = [p for p in dist.iterdir() if p.is_file() and LICENSE_FILE.match(p.name)]
        lic_dir = dist / "licenses"
        if lic_dir.is_dir():
            candidates += [p for p in lic_dir.rglob("*") if p.is_file()]
        for path in sorted(set(candidates)):
            data = path.read_bytes()
            if len(data) > textid.MAX_TEXT_BYTES or b"\x00" in data[:8192]:
                continue
            out[str(path.relative_to(site_packages))] = data
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--site-packages",
        type=Path,
        action="append",
        help="folder whose *.dist-info licence files to include (repeatable; default: this "
        "interpreter's, and every folder of tests/fixtures/dists, the real wheels of deep "
        "learning frameworks the tests use)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="engine worker processes")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    version = textid.engine_version()
    if version is None:
        print("scancode-toolkit is not installed", file=sys.stderr)
        return 2

    texts: dict[str, str] = {}  # key -> normalised text
    labels: dict[str, str] = {}  # key -> first label, for the log
    sources: list[tuple[str, bytes]] = [(k, v.encode("utf-8")) for k, v in scancode_texts().items()]
    n_scancode = len(sources)
    folders = args.site_packages or [
        Path(sysconfig.get_paths()["purelib"]),
        *sorted(p for p in (ROOT / "tests" / "fixtures" / "dists").iterdir() if p.is_dir()),
    ]
    for folder in folders:
        sources += sorted(dist_info_files(folder).items())
    for label, data in sources:
        key = textid.text_key(data)
        normalised = textid.normalise_text(data)
        if key not in texts and normalised:
            texts[key] = normalised
            labels[key] = label
    print(
        f"{n_scancode} scancode licence texts, {len(sources) - n_scancode} dist-info files,"
        f" {len(texts)} distinct texts; identifying with {version} ...",
        file=sys.stderr,
    )

    started = time.perf_counter()
    keys = sorted(texts)
    records = textid.run_engine([texts[k] for k in keys], args.jobs)
    elapsed = time.perf_counter() - started

    table: dict[str, dict[str, object]] = {}
    for key, rec in zip(keys, records, strict=True):
        if rec.get("x"):
            print(f"skipped (engine error or deadline): {labels[key]}", file=sys.stderr)
            continue
        table[key] = {k: v for k, v in rec.items() if k not in ("x", "g")}

    header = {
        "algorithm": textid.ALGORITHM,
        "engine": version,
        "format": 1,
        "normalisation": "utf-8 (replace), splitlines, strip each line, drop trailing blanks",
    }
    lines = ["{"]
    for name, value in sorted(header.items()):
        lines.append(f"{json.dumps(name)}:{json.dumps(value)},")
    lines.append('"texts":{')
    body = [
        f"{json.dumps(key)}:{json.dumps(table[key], sort_keys=True, separators=(',', ':'))}"
        for key in sorted(table)
    ]
    lines.append(",\n".join(body))
    lines.append("}}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(args.output.read_text(encoding="utf-8"))  # sanity
    print(
        f"wrote {len(table)} texts, {args.output.stat().st_size} bytes to {args.output}"
        f" in {elapsed:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
