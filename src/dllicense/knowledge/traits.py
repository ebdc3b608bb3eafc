"""Licence traits: the merged generated, curated and LicenseRef records.

Generated records (``licenses.generated.json``) cover every SPDX id of the
pinned licence list; curated records (``licenses.curated.toml``) replace them
where hand-checked; ``licenserefs.toml`` adds licences without an SPDX id.
Lookups are case-insensitive and accept deprecated SPDX ids and
``LICENSE WITH exception`` keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import field, replace
from functools import cache, lru_cache
from typing import Any

from dllicense.knowledge._resources import (
    CURATED_FILE,
    GENERATED_FILE,
    LICENSEREFS_FILE,
    KnowledgeError,
    load_json,
    load_toml,
    vocabulary,
)
from dllicense.models import LicenseTraits
from dllicense.records import frozen

_WITH = re.compile(r"\s+with\s+", re.IGNORECASE)
_TRAIT_FIELDS = ("family", "patent", "commercial")


@frozen
class LicenseRecord:
    """Everything the knowledge base holds about one licence key.

    ``origin`` is "generated", "curated" or "licenseref"; ``facts`` pairs a
    trait name with the clause that decides it; ``osi_approved`` is None when
    not recorded.
    """

    key: str
    name: str
    family: str
    patent: str
    commercial: str
    origin: str
    obligations: tuple[str, ...] = ()
    osi_approved: bool | None = None
    retaliation: str = "unknown"
    with_family: str = ""
    is_exception: bool = False
    is_deprecated: bool = False
    facts: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""
    scancode_key: str = ""
    scancode_category: str = ""
    huggingface_ids: tuple[str, ...] = ()

    def traits(self) -> LicenseTraits:
        """The record as the pipeline's ``LicenseTraits`` (facts are listed as sources)."""
        facts = tuple(f"{field}: {clause}" for field, clause in self.facts)
        return LicenseTraits(
            key=self.key,
            name=self.name,
            family=self.family,
            patent=self.patent,
            commercial=self.commercial,
            obligations=self.obligations,
            osi_approved=bool(self.osi_approved),
            sources=self.sources + facts,
            notes=self.notes,
        )


_Layer = tuple[Mapping[str, Any], str, str]  # (data, origin, where) of one file's entry


@frozen
class _Index:
    """The keys, aliases and Hub ids of every record; a record itself is built (and checked
    against the vocabulary) when first asked for: building all 790 cost ~10 ms per scan."""

    layers: Mapping[str, tuple[_Layer, ...]]  # canonical key -> its entries, file by file
    lookup: Mapping[str, str]  # lower-cased key or alias -> canonical key
    huggingface: Mapping[str, str]  # Hub licence id -> canonical key
    source_version: str  # license-expression version of the generated file
    built: dict[str, LicenseRecord] = field(default_factory=dict)

    def record(self, key: str) -> LicenseRecord:
        """The record of a canonical key: each file's entry in turn (a curated one completes
        the generated one, a LicenseRef file's replaces it)."""
        found = self.built.get(key)
        if found is None:
            for data, origin, where in self.layers[key]:
                found = _record(data, origin, where, found if origin == "curated" else None)
            assert found is not None
            self.built[key] = found
        return found


def _ordered(values: Iterable[Any], field: str, where: str) -> tuple[str, ...]:
    allowed = list(vocabulary()[field])
    items = [str(value) for value in values]
    unknown = sorted(set(items) - set(allowed))
    if unknown:
        raise KnowledgeError(f"{where}: {field} value(s) {unknown} not in the vocabulary")
    return tuple(value for value in allowed if value in items)


def _checked(value: Any, field: str, where: str) -> str:
    text = str(value)
    if text not in vocabulary()[field]:
        raise KnowledgeError(f"{where}: {field} {text!r} not in the vocabulary")
    return text


def _record(
    data: Mapping[str, Any], origin: str, where: str, base: LicenseRecord | None = None
) -> LicenseRecord:
    key = str(data["key"])
    missing = [field for field in _TRAIT_FIELDS if field not in data]
    if missing:
        raise KnowledgeError(f"{where}: missing {', '.join(missing)}")
    traits = {field: _checked(data[field], field, where) for field in _TRAIT_FIELDS}
    facts = data.get("facts") or {}
    with_family = str(data.get("with_family", ""))
    if with_family:
        _checked(with_family, "family", where)
    osi = data.get("osi_approved")
    return LicenseRecord(
        key=key,
        name=str(data.get("name") or key),
        origin=origin,
        obligations=_ordered(data.get("obligations", ()), "obligations", where),
        osi_approved=None if osi is None else bool(osi),
        retaliation=_checked(data.get("retaliation", "unknown"), "retaliation", where),
        with_family=with_family,
        is_exception=bool(data.get("is_exception", base.is_exception if base else False)),
        is_deprecated=bool(data.get("is_deprecated", base.is_deprecated if base else False)),
        facts=tuple((str(field), str(clause)) for field, clause in facts.items()),
        sources=tuple(str(source) for source in data.get("sources", ())),
        notes=str(data.get("notes", "")),
        scancode_key=str(data.get("scancode_key", base.scancode_key if base else "")),
        scancode_category=str(
            data.get("scancode_category", base.scancode_category if base else "")
        ),
        huggingface_ids=tuple(str(i) for i in data.get("huggingface_ids", ())),
        **traits,
    )


def _toml_records(name: str) -> Iterable[tuple[str, Mapping[str, Any]]]:
    table = load_toml(name).get("licenses")
    if not isinstance(table, dict):
        raise KnowledgeError(f"{name}: missing [licenses] table")
    for key, data in table.items():
        if not isinstance(data, dict):
            raise KnowledgeError(f"{name}: licenses.{key} must be a table")
        yield str(key), {**data, "key": key}


@cache
def _index() -> _Index:
    generated = load_json(GENERATED_FILE)
    layers: dict[str, list[_Layer]] = {}
    for data in generated.get("licenses", ()):
        where = f"{GENERATED_FILE}: {data.get('key')}"
        layers[str(data["key"])] = [(data, "generated", where)]  # a repeated key: the last
    for key, data in _toml_records(CURATED_FILE):
        layers.setdefault(key, []).append((data, "curated", f"{CURATED_FILE}: {key}"))
    for key, data in _toml_records(LICENSEREFS_FILE):
        if not key.startswith("LicenseRef-"):
            raise KnowledgeError(f"{LICENSEREFS_FILE}: {key} must start with LicenseRef-")
        layers[key] = [(data, "licenseref", f"{LICENSEREFS_FILE}: {key}")]
    lookup = {key.lower(): key for key in layers}
    for alias, target in dict(generated.get("aliases", {})).items():
        if str(target) in layers:
            lookup.setdefault(str(alias).lower(), str(target))
    huggingface = {
        str(hf).lower(): key
        for key, entries in layers.items()
        for hf in entries[-1][0].get("huggingface_ids", ())
    }
    version = str(dict(generated.get("source", {})).get("version", ""))
    return _Index(
        layers={key: tuple(entries) for key, entries in layers.items()},
        lookup=lookup,
        huggingface=huggingface,
        source_version=version,
    )


def split_with(key: str) -> tuple[str, str | None]:
    """``"X WITH Y"`` -> ``("X", "Y")``; a key without WITH -> ``(key, None)``."""
    parts = _WITH.split(key.strip(), maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip(), parts[1].strip()
    return parts[0], None


def license_record(key: str) -> LicenseRecord | None:
    """The record of one licence key (no WITH), or None when unknown."""
    index = _index()
    canonical = index.lookup.get(key.strip().lower())
    return index.record(canonical) if canonical else None


def aliased_record(key: str) -> LicenseRecord | None:
    """The record of the licence the alias table reads an unknown ``LicenseRef-`` id as
    (``LicenseRef-Proprietary``: the unspecified proprietary placeholder), else None."""
    from dllicense.licenses.spdx import normalize

    if not key.startswith("LicenseRef-") or license_record(key) is not None:
        return None
    alias = normalize(key).expression
    return license_record(alias) if alias and alias != key else None


def canonical_license_key(key: str) -> str | None:
    """Proper spelling of an SPDX id, LicenseRef or ``X WITH Y`` key; None if unknown.

    Deprecated SPDX ids resolve to their current id (``GPL-2.0+`` -> ``GPL-2.0-or-later``).
    """
    base, exception = split_with(key)
    record = license_record(base)
    if record is None:
        return None
    if exception is None:
        return record.key
    exception_record = license_record(exception)
    return f"{record.key} WITH {exception_record.key}" if exception_record else None


def known_license(key: str) -> bool:
    """Whether the knowledge base has a record for ``key`` (WITH keys need both parts)."""
    return canonical_license_key(key) is not None


def all_license_keys() -> tuple[str, ...]:
    """Every licence key with a record (SPDX ids, exceptions and LicenseRefs), sorted."""
    return tuple(sorted(_index().layers, key=lambda k: (k.lower(), k)))


def huggingface_license_key(hub_id: str) -> str | None:
    """The licence key of a Hugging Face model card ``license:`` value, or None."""
    canonical = _index().huggingface.get(hub_id.strip().lower())
    return canonical or canonical_license_key(hub_id)


def license_expression_version() -> str:
    """The license-expression version whose SPDX list the generated records follow."""
    return _index().source_version


def scancode_traits(key: str) -> LicenseTraits | None:
    """A ``LicenseRef-scancode-*`` id: traits from its scancode category (no hand check);
    None for any other key or an id scancode's licence database does not have."""
    from dllicense.licenses.scancode_keys import scancode_index

    if not key.lower().startswith("licenseref-scancode-"):
        return None
    record = scancode_index().get(key.lower())
    mapping = (
        load_toml(CURATED_FILE).get("category_map", {}).get(record.category) if record else None
    )
    if record is None or not isinstance(mapping, Mapping):
        return None
    return LicenseTraits(
        key=key,
        name=key,
        family=str(mapping.get("family", "unknown")),
        patent="unknown",
        commercial=str(mapping.get("commercial", "unknown")),
        sources=(
            f"scancode licensedb category {record.category!r} of {record.key!r} "
            f"via license-expression {license_expression_version()}",
        ),
        notes="Generated from scancode's category only: review the licence text.",
    )


def unknown_traits(key: str) -> LicenseTraits:
    """Traits of a key the knowledge base does not know."""
    text = key.strip()
    return LicenseTraits(
        key=text,
        name=text,
        family="unknown",
        patent="unknown",
        commercial="unknown",
        notes="Not in the dllicense knowledge base: review the licence text.",
    )


def _with_traits(base: LicenseRecord, exception_key: str) -> LicenseTraits:
    traits = base.traits()
    exception = license_record(exception_key)
    if exception is None:
        return replace(
            traits,
            key=f"{base.key} WITH {exception_key}",
            name=f"{base.name} with {exception_key}",
            notes=" ".join(
                filter(
                    None,
                    (
                        traits.notes,
                        f"Unknown exception {exception_key}: traits are those of {base.key}.",
                    ),
                )
            ),
        )
    extra = exception.traits()
    return replace(
        traits,
        key=f"{base.key} WITH {exception.key}",
        name=f"{base.name} with {exception.name}",
        family=exception.with_family or base.family,
        sources=traits.sources + extra.sources,
        notes=" ".join(filter(None, (traits.notes, f"{exception.key}: {exception.notes}"))),
    )


@lru_cache(maxsize=8192)
def license_traits(key: str) -> LicenseTraits:
    """Traits of an SPDX id, LicenseRef or ``X WITH Y`` key (case-insensitive).

    Unknown keys give ``family``, ``patent`` and ``commercial`` "unknown".
    """
    base_key, exception_key = split_with(key)
    base = license_record(base_key)
    if base is None:
        return scancode_traits(key) or _aliased_traits(key) or unknown_traits(key)
    if exception_key is None:
        return base.traits()
    return _with_traits(base, exception_key)


def _aliased_traits(key: str) -> LicenseTraits | None:
    """A ``LicenseRef-`` id the alias table reads as a known licence (a PEP 639
    ``License-Expression: LicenseRef-Proprietary`` keeps its own id, litellm-enterprise): that
    licence's traits under the id as written, so ``License: Proprietary`` and the
    LicenseRef mean the same to a policy."""
    record = aliased_record(key)
    if record is None:
        return None
    note = f"{key} is read as {record.key} ({record.name}) by the alias table."
    return replace(record.traits(), key=key, notes=f"{note} {record.notes}".strip())


def _spdx_licensing() -> Any:
    """The one SPDX ``Licensing`` of the process (building it costs ~80 ms)."""
    from dllicense.licenses.spdx import licensing

    return licensing()


@lru_cache(maxsize=4096)
def traits_of_expression(expression: str) -> tuple[LicenseTraits, ...]:
    """Traits of every licence key in an SPDX expression, de-duplicated, sorted by key.

    ``X WITH Y`` counts as one key. Raises ``ValueError`` for an invalid expression.
    """
    from dllicense.licenses.spdx import simple_symbols

    symbols = simple_symbols(expression)  # read without license-expression, as it reads it
    if symbols is None:
        symbols = _parsed_symbols(expression)
    found: dict[str, LicenseTraits] = {}
    for symbol in symbols:
        traits = license_traits(symbol)
        found.setdefault(traits.key, traits)
    return tuple(found[key] for key in sorted(found, key=lambda k: (k.lower(), k)))


def _parsed_symbols(expression: str) -> tuple[str, ...]:
    """license-expression's unique symbols of ``expression`` (``X WITH Y`` as one), rendered."""
    from dllicense.licenses.spdx import ExpressionError, parse_expression

    licensing = _spdx_licensing()
    try:
        parsed = parse_expression(expression)
    except ExpressionError as error:
        raise ValueError(f"invalid licence expression {expression!r}: {error}") from error
    if parsed is None:
        return ()
    return tuple(
        str(symbol.render())
        for symbol in licensing.license_symbols(parsed, unique=True, decompose=False)
    )


def trait_labels(traits: LicenseTraits) -> set[str]:
    """The selector names a licence satisfies (``permissive``, ``patent-grant``, ...)."""
    labels = {traits.family, f"commercial-{traits.commercial}"}
    if traits.patent in ("express-grant", "grant-with-retaliation"):
        labels.add("patent-grant")
    if traits.patent == "grant-with-retaliation":
        labels.add("patent-retaliation")
    if traits.patent == "silent":
        labels.add("patent-silent")
    if traits.patent == "excluded":
        labels.add("patents-excluded")
    if traits.osi_approved:
        labels.add("osi-approved")
    return labels
