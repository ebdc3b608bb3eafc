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

It also writes ``data/text_templates.json`` (see
``dllicense.licenses.textmatch``): for each of these texts whose engine record
does not depend on its copyright lines, the masked form (copyright lines as
placeholders) and the record with masked line positions. Each candidate is
checked by running the engine again on copies whose variable copyright blocks
name other holders; it is written only when the records agree, and only when
every text with the same masked form gave the same record. ``--templates-only``
rebuilds the templates from the existing table (no engine run on the texts
themselves, only on the perturbed copies).

Output is deterministic: sorted keys, one text per line. Usage::

    .venv/bin/python scripts/gen_known_texts.py [--site-packages DIR] [--jobs N]
    .venv/bin/python scripts/gen_known_texts.py --templates-only
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

from dllicense.licenses import textid, textmatch  # noqa: E402

OUTPUT = ROOT / "src" / "dllicense" / "licenses" / "data" / "known_texts.json"
TEMPLATES = OUTPUT.with_name("text_templates.json")

# Copyright blocks that replace a template's variable blocks to check that the engine's
# record does not depend on them (one line; two lines with "All rights reserved.").
PERTURBATIONS = (
    "Copyright (c) 2031 Zyxw Qvtr and Example Developers",
    "Copyright 1999-2030 The Quux Project Authors\nAll rights reserved.",
)

# Words of scancode's legalese list that are common in copyright holders' names: a
# variable copyright block may contain them (any other legalese word sends the text
# to the engine, since it might start a licence detection).
HOLDER_WORDS = frozenset(
    """copyright copr c all rights reserved author authors contributor contributors developer
    developers team university institute affiliates affiliate respective individual
    individuals community council corporation inc ltd llc company project foundation
    networks infrastructure industrial analog alliance subsidiary maintainers others
    """.split()
)

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


def perturb(normalised: str, masked: textmatch.Masked, keep: set[int], block: str) -> str:
    """Return ``normalised`` with each placeholder block not in ``keep`` replaced by ``block``."""
    lines = normalised.split("\n")
    out: list[str] = []
    for unit, first in enumerate(masked.lines):
        if masked.units[unit] is None and unit not in keep:
            out.append(block)
            continue
        n = len(masked.blocks[unit]) if masked.units[unit] is None else 1
        out.extend(lines[first - 1 : first - 1 + n])
    return "\n".join(out)


def build_templates(
    texts: dict[str, str], table: dict[str, dict[str, object]], jobs: int
) -> dict[str, list[dict[str, object]]]:
    """Return ``{masked key: [variant]}`` for the texts whose record survives perturbation."""
    from licensedcode.stopwords import STOPWORDS

    stopwords = frozenset(STOPWORDS)
    candidates: dict[str, list[tuple[str, dict[str, object], dict[str, object]]]] = {}
    checks: list[tuple[str, str, textmatch.Masked]] = []  # (text key, perturbed text, masked)
    for key in sorted(texts):
        rec = table.get(key)
        if rec is None or any(m[5] == "1-spdx-id" for m in rec.get("m", [])):  # type: ignore[attr-defined]
            continue
        masked = textmatch.mask(texts[key], stopwords)
        abstract = textmatch.abstract_record(rec, masked)
        if abstract is None:
            continue
        pinned = textmatch.pinned_blocks(abstract, masked)
        pins = {str(u): [list(line) for line in masked.blocks[u]] for u in sorted(pinned)}
        variant: dict[str, object] = {"p": pins, "r": abstract}
        candidates.setdefault(masked.key, []).append((key, variant, abstract))
        keep = {int(u) for u in pins}
        if len(keep) < len(masked.blocks):
            for block in PERTURBATIONS:
                checks.append((key, perturb(texts[key], masked, keep, block), masked))
    print(f"{len(candidates)} template candidates, {len(checks)} perturbed copies", file=sys.stderr)
    records = textid.run_engine([c[1] for c in checks], jobs)
    failed: set[str] = set()
    for (key, text, _), rec in zip(checks, records, strict=True):
        want = candidates[textmatch.mask(texts[key], stopwords).key]
        expected = next(a for k, _, a in want if k == key)
        got = textmatch.abstract_record(rec, textmatch.mask(text, stopwords))
        if rec.get("x") or got != expected:
            failed.add(key)
    templates: dict[str, list[dict[str, object]]] = {}
    for mkey, members in sorted(candidates.items()):
        if any(k in failed for k, _, _ in members):
            continue  # the record depends on the copyright lines
        variants = {json.dumps(v, sort_keys=True) for _, v, _ in members}
        if len(variants) != 1:
            continue  # same masked form, different records or pins: ambiguous
        templates[mkey] = [members[0][1]]
    print(f"{len(templates)} templates ({len(failed)} texts failed perturbation)", file=sys.stderr)
    return templates


def write_templates(templates: dict[str, list[dict[str, object]]], version: str, path: Path) -> None:
    """Write the templates file (deterministic: sorted keys, one template per line)."""
    from licensedcode.legalese import common_license_words
    from licensedcode.stopwords import STOPWORDS

    deny = sorted(set(common_license_words) - HOLDER_WORDS)
    header = {
        "algorithm": textid.ALGORITHM,
        "engine": version,
        "format": textmatch.FORMAT,
        "stopwords": sorted(STOPWORDS),
        "deny": deny,
    }
    lines = ["{"]
    for name, value in sorted(header.items()):
        lines.append(f"{json.dumps(name)}:{json.dumps(value)},")
    lines.append('"templates":{')
    body = [
        f"{json.dumps(k)}:{json.dumps(v, sort_keys=True, separators=(',', ':'))}"
        for k, v in sorted(templates.items())
    ]
    lines.append(",\n".join(body))
    lines.append("}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # sanity


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
    parser.add_argument("--templates", type=Path, default=TEMPLATES)
    parser.add_argument(
        "--templates-only",
        action="store_true",
        help="keep the table, rebuild the templates from it (texts not in it are skipped)",
    )
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

    if args.templates_only:
        table_texts = json.loads(args.output.read_text(encoding="utf-8"))["texts"]
        templates = build_templates(texts, table_texts, args.jobs)
        write_templates(templates, version, args.templates)
        return 0

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
    write_templates(build_templates(texts, table, args.jobs), version, args.templates)
    print(
        f"wrote {len(table)} texts, {args.output.stat().st_size} bytes to {args.output}"
        f" in {elapsed:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
