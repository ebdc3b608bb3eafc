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
    .venv/bin/python scripts/gen_known_texts.py --templates-only [--texts-from TOP]
    .venv/bin/python scripts/gen_known_texts.py --add TOP   # see fetch_top_licence_files.py
    .venv/bin/python scripts/gen_known_texts.py --refresh --texts-from TOP
    .venv/bin/python scripts/gen_known_texts.py --own-parts --texts-from TOP

``--refresh`` re-identifies every text of the table (found again in the default
sources and the ``--texts-from`` folders; a text found nowhere is an error) with
the engine as it is now, keeps the table's keys, and rebuilds the templates: after
a change of the engine call, not of the texts. Templates are built from every
table text found in the default sources and the ``--texts-from`` folders (before
2026-12-05 the texts added with ``--add`` never became templates).

``--own-parts`` adds to the table the opening parts that ``ownlicence.own_part`` reads
again alone (a long concatenated licence file whose own licence the engine matched only
in weak pieces, torch 2.10.0's LICENSE), for the table's texts found in the default
sources and the ``--texts-from`` folders, so a scan needs no engine for them either;
``--refresh`` and ``--add`` do it too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import sysconfig
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dllicense.licenses import textid, textmatch  # noqa: E402
from dllicense.licenses.ownlicence import own_part  # noqa: E402

OUTPUT = ROOT / "src" / "dllicense" / "licenses" / "data" / "known_texts.json"
TEMPLATES = OUTPUT.with_name("text_templates.json")

# Copyright blocks that replace a template's variable blocks to check that the engine's
# record does not depend on them (one line; two lines with "All rights reserved.").
PERTURBATIONS = (
    "Copyright (c) 2031 Zyxw Qvtr and Example Developers",
    "Copyright 1999-2030 The Quux Project Authors\nAll rights reserved.",
    "Copyright (c) 2031 Zyxw Qvtr\nCopyright (c) 2030 Quux Example\n"
    "Copyright (c) 2029 Other Holder\nCopyright (c) 2028 Last Holder",
)
# The last one makes four lines without a legalese word, after which scancode starts
# a new query run: a template that survives it accepts such runs ("k", the longest run
# of such lines checked, see textmatch.Masked.streak).

# Words of scancode's legalese list that are common in copyright holders' names: a
# variable copyright block may contain them (any other legalese word sends the text
# to the engine, since it might start a licence detection).
HOLDER_WORDS = frozenset(
    [
        "copyright",
        "copr",
        "c",
        "all",
        "rights",
        "reserved",
        "author",
        "authors",
        "contributor",
        "contributors",
        "developer",
        "developers",
        "team",
        "university",
        "institute",
        "affiliates",
        "affiliate",
        "respective",
        "individual",
        "individuals",
        "community",
        "council",
        "corporation",
        "inc",
        "ltd",
        "llc",
        "company",
        "project",
        "foundation",
        "networks",
        "infrastructure",
        "industrial",
        "analog",
        "alliance",
        "subsidiary",
        "maintainers",
        "others",
    ]
)

# LicenseRef-scancode-* keys worth shipping for deep-learning environments.
DL_KEYS = re.compile(
    r"open-?rail|(^|-)rail(-|$)|llama|gemma|deepseek|falcon|bloom|stable-diffusion|stability-ai"
    r"|nvidia|cuda|cudnn|nccl|tensorrt|intel|issl|mkl|openmp|qwen|openai|(^|-)ai(-|$)"
    r"|(^|-)model(-|$)|responsible-ai|hippocratic|polyform|commons-clause|elastic-license"
    r"|sspl|flux|exaone|hyperclova|bigcode|bigscience|moonshot"
)
LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)


# Standard licences often found with a title and a copyright notice above their text
# (the SPDX templates' optional title and ``copyright`` variable): their scancode text
# is also tried in these shapes, for templates only (the shapes are not real files,
# so they do not go into the table).
COMMON_TITLES = {
    "mit": ("", "MIT License", "The MIT License (MIT)", "The MIT License"),
    "bsd-new": ("", "BSD 3-Clause License", "The 3-Clause BSD License"),
    "bsd-simplified": ("", "BSD 2-Clause License", "The 2-Clause BSD License"),
    "isc": ("", "ISC License"),
    "bsd-zero": ("", "BSD Zero Clause License"),
    "apache-2.0": ("",),
    "zlib": ("", "zlib License"),
    "boost-1.0": ("",),
    "unlicense": ("",),
    "mpl-2.0": ("",),
}
SHAPE_HOLDER = "Copyright (c) 2031 Zyxw Qvtr"


def shaped_texts() -> dict[str, str]:
    """Return ``{label: text}``: the common licences' scancode texts under each of their
    usual titles, with a copyright line above the text (and without, under a title)."""
    from licensedcode.models import load_licenses

    licences = load_licenses()
    out: dict[str, str] = {}
    for key, titles in sorted(COMMON_TITLES.items()):
        body = licences[key].text.strip("\n")
        for title in titles:
            head = f"{title}\n\n" if title else ""
            out[f"shape:{key}:{title or '-'}:copyright"] = f"{head}{SHAPE_HOLDER}\n\n{body}"
            if title:
                out[f"shape:{key}:{title}"] = f"{head}{body}"
    return out


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


def rewrap(normalised: str, masked: textmatch.Masked, width: int) -> str:
    """Return ``normalised`` with each paragraph of fixed lines wrapped at ``width``."""
    lines = normalised.split("\n")
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.extend(
                textwrap.wrap(" ".join(para), width, break_long_words=False, break_on_hyphens=False)
            )
            para.clear()

    for unit, first in enumerate(masked.lines):
        if masked.units[unit] is None:
            flush()
            out.extend(lines[first - 1 : first - 1 + len(masked.blocks[unit])])
        elif not lines[first - 1]:
            flush()
            out.append("")
        else:
            para.append(lines[first - 1])
    flush()
    return "\n".join(out)


Variant = dict[str, object]


def build_templates(
    texts: dict[str, str],
    table: dict[str, dict[str, object]],
    jobs: int,
    labels: dict[str, str] | None = None,
) -> tuple[dict[str, list[Variant]], dict[str, list[Variant]]]:
    """Return the line-structured and the flat templates of the texts whose record survives
    perturbation (other holders; other line wrapping)."""
    from licensedcode.legalese import common_license_words
    from licensedcode.stopwords import STOPWORDS

    stopwords, legalese = frozenset(STOPWORDS), frozenset(common_license_words)
    labels = dict(labels or {})
    texts = dict(texts)
    table = dict(table)
    shapes: dict[str, str] = {}  # key -> text
    for label, raw in shaped_texts().items():
        normalised = textid.normalise_text(raw.encode("utf-8"))
        key = textid._key_of(normalised)
        if key not in texts:
            shapes[key], labels[key] = normalised, label
    print(f"identifying {len(shapes)} shaped common licence texts", file=sys.stderr)
    for key, rec in zip(shapes, textid.run_engine(list(shapes.values()), jobs), strict=True):
        if not rec.get("x"):
            texts[key] = shapes[key]
            table[key] = {k: v for k, v in rec.items() if k != "g"}

    def masked_of(text: str) -> textmatch.Masked:
        return textmatch.mask(text, stopwords, legalese)

    # key -> (masked, line abstract, flat abstract)
    cands: dict[str, tuple[textmatch.Masked, dict[str, object], dict[str, object]]] = {}
    for key in sorted(texts):
        rec = table.get(key)
        if rec is None or any(m[5] == "1-spdx-id" for m in rec.get("m", [])):  # type: ignore[attr-defined]
            continue
        masked = masked_of(texts[key])
        line_abs = textmatch.abstract_record(rec, masked)
        flat_abs = textmatch.abstract_record(rec, masked, flat=True)
        if line_abs is None or flat_abs is None:
            continue
        cands[key] = (masked, line_abs, flat_abs)

    streaks = {key: [c[0].streak] * 2 for key, c in cands.items()}  # [line, flat] checked

    def check(jobs_list: list[tuple[str, str, str]]) -> set[tuple[str, str]]:
        """Run the engine on (key, kind, text); return the (key, kind) that disagree, and
        raise the streak checked for the others."""
        records = textid.run_engine([t for _, _, t in jobs_list], jobs)
        bad: set[tuple[str, str]] = set()
        for (key, kind, text), rec in zip(jobs_list, records, strict=True):
            _, line_abs, flat_abs = cands[key]
            m = masked_of(text)
            if kind == "wrap":
                ok = textmatch.abstract_record(rec, m, flat=True) == flat_abs
            else:
                ok = textmatch.abstract_record(rec, m) == line_abs
            if not rec.get("x") and ok:
                which = 1 if kind == "wrap" else 0
                streaks[key][which] = max(streaks[key][which], m.streak)
            elif not kind.endswith("-long"):  # a failed long block only keeps the streak low
                bad.add((key, kind))
        for key, kind in sorted(bad)[:15]:
            print(f"  {kind} check failed: {labels.get(key, key)}", file=sys.stderr)
        return bad

    first: list[tuple[str, str, str]] = []
    for key, (masked, _, _) in cands.items():
        for width in (55, 100):
            wrapped = rewrap(texts[key], masked, width)
            if wrapped != texts[key]:
                first.append((key, "wrap", wrapped))
                break
        if masked.blocks:
            for i, block in enumerate(PERTURBATIONS):
                kind = "free-long" if i == len(PERTURBATIONS) - 1 else "free"
                first.append((key, kind, perturb(texts[key], masked, set(), block)))
    print(f"{len(cands)} template candidates, {len(first)} perturbed copies", file=sys.stderr)
    bad = check(first)
    second: list[tuple[str, str, str]] = []
    pins: dict[str, set[int]] = {}
    for key, (masked, line_abs, _) in cands.items():
        pins[key] = set()
        if (key, "free") in bad:
            pins[key] = textmatch.pinned_blocks(line_abs, masked)
            if len(pins[key]) < len(masked.blocks):
                for i, block in enumerate(PERTURBATIONS):
                    kind = "pinned-long" if i == len(PERTURBATIONS) - 1 else "pinned"
                    second.append((key, kind, perturb(texts[key], masked, pins[key], block)))
    print(f"{len(second)} more perturbed copies (pinned blocks)", file=sys.stderr)
    bad |= check(second)

    line_t: dict[str, list[Variant]] = {}
    flat_t: dict[str, list[Variant]] = {}
    dropped: set[str] = set()
    for key, (masked, line_abs, flat_abs) in sorted(cands.items()):
        if (key, "pinned") in bad:
            continue  # the record depends on the copyright lines
        blocks = {u: [list(line) for line in masked.blocks[u]] for u in sorted(pins[key])}
        line_pins = {str(u): b for u, b in blocks.items()}
        variants = [(line_t, masked.key, line_pins, line_abs, streaks[key][0])]
        if (key, "wrap") not in bad:
            flat_pins = {str(masked.flat_start[u]): b for u, b in blocks.items()}
            flat_streak = min(streaks[key])  # both the holders and the wrapping vary
            variants.append((flat_t, masked.flat_key, flat_pins, flat_abs, flat_streak))
        for where, mkey, p, abstract, streak in variants:
            variant: Variant = {"k": streak, "p": p, "r": abstract}
            if mkey in where:
                [old] = where[mkey]
                if (old["p"], old["r"]) != (p, abstract):
                    dropped.add(mkey)  # same masked form, different records or pins
                old["k"] = min(int(old["k"]), streak)  # type: ignore[call-overload]
                continue
            where[mkey] = [variant]
    for where in (line_t, flat_t):
        for mkey in dropped:
            where.pop(mkey, None)
    print(
        f"{len(line_t)} templates, {len(flat_t)} of any line wrapping;"
        f" {len({k for k, _ in bad})} texts failed a perturbation, {len(dropped)} ambiguous",
        file=sys.stderr,
    )
    return line_t, flat_t


def write_templates(
    templates: tuple[dict[str, list[Variant]], dict[str, list[Variant]]], version: str, path: Path
) -> None:
    """Write the templates file (deterministic: sorted keys, one template per line)."""
    from licensedcode.legalese import common_license_words
    from licensedcode.stopwords import STOPWORDS

    header = {
        "algorithm": textid.ALGORITHM,
        "engine": version,
        "format": textmatch.FORMAT,
        "stopwords": sorted(STOPWORDS),
        "legalese": sorted(common_license_words),
        "holder_words": sorted(HOLDER_WORDS),
    }
    lines = ["{"]
    for name, value in sorted(header.items()):
        lines.append(f"{json.dumps(name)}:{json.dumps(value)},")
    for name, table in (("flat", templates[1]), ("templates", templates[0])):
        lines.append(f"{json.dumps(name)}:{{")
        body = [
            f"{json.dumps(k)}:{json.dumps(v, sort_keys=True, separators=(',', ':'))}"
            for k, v in sorted(table.items())
        ]
        lines.append(",\n".join(body))
        lines.append("}," if name == "flat" else "}")
    lines.append("}")
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
        "--add",
        type=Path,
        action="append",
        help="keep the table and the templates; add the licence files of this folder's "
        "*.dist-info that neither the table nor a template answers (repeatable; e.g. the "
        "output of scripts/fetch_top_licence_files.py)",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="re-identify the table's texts, keep its keys, rebuild the templates",
    )
    parser.add_argument(
        "--texts-from",
        type=Path,
        action="append",
        default=[],
        help="with --refresh or --templates-only: a folder whose *.dist-info licence texts "
        "the table holds (e.g. the output of fetch_top_licence_files.py): they are "
        "re-identified and become templates too (repeatable)",
    )
    parser.add_argument(
        "--own-parts",
        action="store_true",
        help="keep the table; add the opening parts of its texts that own_part reads alone",
    )
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

    if args.add:
        return add_texts(args.add, args.output, args.jobs, version)

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

    if args.refresh:
        return refresh(
            texts, labels, args.texts_from, args.output, args.templates, args.jobs, version
        )

    if args.own_parts:
        table = json.loads(args.output.read_text(encoding="utf-8"))["texts"]
        found = table_texts_from(texts, labels, args.texts_from, table)
        add_own_parts(table, found, labels, args.jobs)
        write_table(table, version, args.output)
        return 0

    if args.templates_only:
        table_texts = json.loads(args.output.read_text(encoding="utf-8"))["texts"]
        texts = table_texts_from(texts, labels, args.texts_from, table_texts)
        templates = build_templates(texts, table_texts, args.jobs, labels)
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

    add_own_parts(table, texts, labels, args.jobs)
    write_table(table, version, args.output)
    write_templates(build_templates(texts, table, args.jobs, labels), version, args.templates)
    print(f"identified in {elapsed:.0f} s", file=sys.stderr)
    return 0


def refresh(
    texts: dict[str, str],
    labels: dict[str, str],
    folders: list[Path],
    output: Path,
    templates: Path,
    jobs: int,
    version: str,
) -> int:
    """Re-identify every text of the table at ``output`` (``texts``: the default sources,
    plus ``folders``) and rebuild the templates from them."""
    table: dict[str, dict[str, object]] = json.loads(output.read_text(encoding="utf-8"))["texts"]
    found = table_texts_from(texts, labels, folders, table)
    for key in own_parts(table, found):  # found in no source: made again after the refresh
        table.pop(key, None)
    missing = sorted(set(table) - set(found))
    if missing:
        print(
            f"{len(missing)} texts of the table found nowhere, e.g. {missing[0]}", file=sys.stderr
        )
        return 2
    keys = sorted(table)
    print(f"re-identifying the table's {len(keys)} texts with {version} ...", file=sys.stderr)
    started = time.perf_counter()
    changed = 0
    for key, rec in zip(keys, textid.run_engine([found[k] for k in keys], jobs), strict=True):
        if rec.get("x"):
            print(f"kept (engine error or deadline): {labels.get(key, key)}", file=sys.stderr)
            continue
        new = {k: v for k, v in rec.items() if k not in ("x", "g")}
        if new != table[key]:
            changed += 1
            if new.get("e") != table[key].get("e"):
                print(
                    f"  {labels.get(key, key)}: {table[key].get('e')} -> {new.get('e')}",
                    file=sys.stderr,
                )
        table[key] = new
    elapsed = time.perf_counter() - started
    print(f"{changed} records changed, in {elapsed:.0f} s", file=sys.stderr)
    add_own_parts(table, found, labels, jobs)
    write_table(table, version, output)
    write_templates(build_templates(found, table, jobs, labels), version, templates)
    return 0


def own_parts(
    table: dict[str, Any], texts: dict[str, str], labels: dict[str, str] | None = None
) -> dict[str, str]:
    """Key -> normalised text of the opening parts (``ownlicence.own_part``) of the table's
    ``texts`` that a scan identifies again alone (``labels`` gets theirs)."""
    parts: dict[str, str] = {}
    for key in sorted(set(table) & set(texts)):
        ident = textid.record_to_identification(table[key], key, "", "shipped-table")
        part = own_part(ident.matches, texts[key])
        if part:
            part_key = textid.text_key(part.encode("utf-8"))
            parts.setdefault(part_key, textid.normalise_text(part.encode("utf-8")))
            if labels is not None:
                labels.setdefault(
                    part_key, f"{labels.get(key, key)} (lines 1-{len(part.splitlines())})"
                )
    return parts


def add_own_parts(
    table: dict[str, Any], texts: dict[str, str], labels: dict[str, str], jobs: int
) -> None:
    """Add to ``table`` the opening parts (``ownlicence.own_part``) of its ``texts`` that a
    scan identifies again alone, identified by the engine."""
    parts = {k: v for k, v in own_parts(table, texts, labels).items() if k not in table}
    keys = sorted(parts)
    print(f"{len(keys)} opening parts to identify alone", file=sys.stderr)
    for key, rec in zip(keys, textid.run_engine([parts[k] for k in keys], jobs), strict=True):
        print(f"  {labels[key]}: {rec.get('e')}", file=sys.stderr)
        if not rec.get("x"):
            table[key] = {k: v for k, v in rec.items() if k not in ("x", "g")}


def table_texts_from(
    texts: dict[str, str], labels: dict[str, str], folders: list[Path], table: dict[str, Any]
) -> dict[str, str]:
    """Return ``texts`` plus the texts of ``folders``' *.dist-info that ``table`` holds."""
    found = dict(texts)
    for folder in folders:
        for label, data in sorted(dist_info_files(folder).items()):
            key = textid.text_key(data)
            if key in table and key not in found:
                found[key], labels[key] = textid.normalise_text(data), label
    return found


def add_texts(folders: list[Path], output: Path, jobs: int, version: str) -> int:
    """Identify the folders' licence texts that the table and the templates miss; add them."""
    table: dict[str, dict[str, object]] = json.loads(output.read_text(encoding="utf-8"))["texts"]
    texts: dict[str, str] = {}
    for folder in folders:
        for _, data in sorted(dist_info_files(folder).items()):
            key, normalised = textid.text_key(data), textid.normalise_text(data)
            fresh = normalised and key not in table and key not in texts
            if fresh and textmatch.match(normalised) is None:
                texts[key] = normalised
    print(f"{len(texts)} texts to identify with {version} ...", file=sys.stderr)
    keys = sorted(texts)
    for key, rec in zip(keys, textid.run_engine([texts[k] for k in keys], jobs), strict=True):
        if not rec.get("x"):
            table[key] = {k: v for k, v in rec.items() if k not in ("x", "g")}
    add_own_parts(table, texts, {}, jobs)
    write_table(table, version, output)
    return 0


def write_table(table: dict[str, dict[str, object]], version: str, output: Path) -> None:
    """Write the table (deterministic: sorted keys, one text per line)."""
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
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(output.read_text(encoding="utf-8"))  # sanity
    print(f"wrote {len(table)} texts, {output.stat().st_size} bytes to {output}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
