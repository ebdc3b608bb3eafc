"""Generate ``src/dllicense/knowledge/licenses.generated.json``.

One record per licence key of the SPDX licence list as pinned by the installed
``license-expression`` (its bundled scancode licensedb index), with traits
derived from the scancode category. The rules (category map, network-copyleft
licences, group overrides) live in ``licenses.curated.toml``; the vocabulary in
``vocabulary.toml``. Output is deterministic: same inputs, same bytes.

Usage::

    python scripts/gen_license_traits.py            # write the file
    python scripts/gen_license_traits.py --check    # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata, resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "src" / "dllicense" / "knowledge"
OUTPUT = KNOWLEDGE / "licenses.generated.json"
SCHEMA_VERSION = 1
INDEX = "data/scancode-licensedb-index.json"
ABOUT = "data/license_key_index.json.ABOUT"
# An alias is kept only if it is spelled like an SPDX id ("GPL 2.0" is not).
ALIAS_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*\+?$")


class GenerationError(Exception):
    """The inputs are inconsistent (unknown category, unknown override key, ...)."""


def _load_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _index() -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    """The license-expression version, its licensedb index and the ABOUT fields."""
    version = metadata.version("license-expression")
    package = resources.files("license_expression")
    index = json.loads((package / INDEX).read_text(encoding="utf-8"))
    about: dict[str, str] = {}
    about_file = package / ABOUT
    if about_file.is_file():
        for line in about_file.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition(":")
            if sep and not line.startswith(" "):
                about[name.strip()] = value.strip()
    return version, index, about


def _ordered(values: Iterable[str], order: list[str]) -> list[str]:
    unique = set(values)
    unknown = unique - set(order)
    if unknown:
        raise GenerationError(f"unknown obligation(s): {sorted(unknown)}")
    return [value for value in order if value in unique]


def _check_keys(keys: Iterable[str], known: Mapping[str, Any], where: str) -> None:
    missing = sorted(set(keys) - set(known))
    if missing:
        raise GenerationError(f"{where}: not an SPDX id of the pinned list: {missing}")


def build(
    index: list[dict[str, Any]],
    version: str,
    about: Mapping[str, str],
    rules: Mapping[str, Any],
    vocabulary: Mapping[str, Any],
) -> dict[str, Any]:
    """The generated document, as plain data."""
    order = list(vocabulary["obligations"])
    source = f"scancode licensedb category via license-expression {version}"
    entries = {
        entry["spdx_license_key"]: entry
        for entry in index
        if entry.get("spdx_license_key") and not entry["spdx_license_key"].startswith("LicenseRef-")
    }
    categories: Mapping[str, Any] = rules["category_map"]
    records: dict[str, dict[str, Any]] = {}
    for key, entry in entries.items():
        category = entry["category"]
        if category not in categories:
            raise GenerationError(
                f"{key}: scancode category {category!r} has no category_map entry"
            )
        mapped = categories[category]
        records[key] = {
            "key": key,
            "name": key,
            "family": mapped["family"],
            "patent": "unknown",
            "commercial": mapped["commercial"],
            "obligations": _ordered(mapped.get("obligations", ()), order),
            "osi_approved": None,
            "is_exception": bool(entry["is_exception"]),
            "is_deprecated": bool(entry["is_deprecated"]),
            "scancode_key": entry["license_key"],
            "scancode_category": category,
            "sources": [f"{source} (scancode key {entry['license_key']}: {category})"],
            "notes": f"Traits from the scancode category {category!r} (category_map in "
            f"licenses.curated.toml); patent stance not curated.",
        }
    for group in rules.get("network_copyleft", ()):
        _check_keys(group["keys"], records, "network_copyleft")
        for key in group["keys"]:
            record = records[key]
            record["family"] = "network-copyleft"
            record["obligations"] = _ordered(
                [
                    *record["obligations"],
                    "network-source-disclosure",
                    "source-disclosure",
                    "same-license",
                ],
                order,
            )
            record["sources"].append(f"network copyleft: {group['clause']} ({group['source']})")
    for group in rules.get("generated_overrides", ()):
        _check_keys(group["keys"], records, "generated_overrides")
        for key in group["keys"]:
            record = records[key]
            for field in ("family", "commercial"):
                if field in group:
                    record[field] = group[field]
            record["obligations"] = _ordered(
                [*record["obligations"], *group.get("add_obligations", ())], order
            )
            record["sources"].append(f"{group['clause']} ({group['source']})")
    for record in records.values():
        for field in ("family", "commercial"):
            if record[field] not in vocabulary[field]:
                raise GenerationError(
                    f"{record['key']}: {field} {record[field]!r} not in vocabulary"
                )
    aliases: dict[str, str] = {}
    lowered = {key.lower() for key in records}
    for key, entry in entries.items():
        for alias in entry.get("other_spdx_license_keys") or ():
            if (
                alias.startswith("LicenseRef-")
                or not ALIAS_RE.match(alias)
                or alias.lower() in lowered
            ):
                continue
            aliases[alias] = key
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_by": "scripts/gen_license_traits.py",
        "source": {
            "package": "license-expression",
            "version": version,
            "file": f"license_expression/{INDEX}",
            "spdx_license_list_version": about.get("spdx_license_list_version", ""),
            "licensedb_url": about.get("download_url", ""),
        },
        "rules": "licenses.curated.toml: category_map, network_copyleft, generated_overrides",
        "aliases": dict(sorted(aliases.items(), key=lambda item: (item[0].lower(), item[0]))),
        "licenses": [records[key] for key in sorted(records, key=lambda k: (k.lower(), k))],
    }


def render() -> str:
    """The exact text of ``licenses.generated.json`` for the installed inputs."""
    version, index, about = _index()
    rules = _load_toml(KNOWLEDGE / "licenses.curated.toml")
    vocabulary = _load_toml(KNOWLEDGE / "vocabulary.toml")
    document = build(index, version, about, rules, vocabulary)
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 when the committed file differs"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="file to write or check")
    args = parser.parse_args(argv)
    try:
        text = render()
    except GenerationError as error:
        print(f"gen_license_traits: {error}", file=sys.stderr)
        return 2
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(
                f"{args.output} is stale: run python scripts/gen_license_traits.py", file=sys.stderr
            )
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
