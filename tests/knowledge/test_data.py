"""The shipped data files: schemas, vocabulary, completeness and sourcing."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from dllicense.knowledge import all_license_keys, license_record, vocabulary

from .conftest import DATA_FILES, load


def _validator(schemas: Mapping[str, Any], name: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resources(
        [(schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()]
    )
    return Draft202012Validator(schemas[name], registry=registry)


@pytest.mark.parametrize("name", sorted(DATA_FILES))
def test_every_data_file_validates_against_its_schema(
    schemas: Mapping[str, Any], name: str
) -> None:
    Draft202012Validator.check_schema(schemas[DATA_FILES[name]])
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in _validator(schemas, DATA_FILES[name]).iter_errors(load(name))
    ]
    assert errors == []


def test_every_schema_has_a_data_file_or_is_shared(schemas: Mapping[str, Any]) -> None:
    assert set(schemas) == {*DATA_FILES.values(), "common.schema.json"}


def test_schema_rejects_a_curated_trait_without_its_fact(schemas: Mapping[str, Any]) -> None:
    data = copy.deepcopy(load("licenses.curated.toml"))
    del data["licenses"]["Apache-2.0"]["facts"]["patent"]
    errors = list(_validator(schemas, "licenses.curated.schema.json").iter_errors(data))
    assert errors, "a patent stance without its clause must not validate"


def test_schema_rejects_a_value_outside_the_vocabulary(schemas: Mapping[str, Any]) -> None:
    data = copy.deepcopy(load("licenserefs.toml"))
    data["licenses"]["LicenseRef-Gemma"]["family"] = "open-ish"
    assert list(_validator(schemas, "licenserefs.schema.json").iter_errors(data))


def test_schema_vocabulary_equals_vocabulary_file(schemas: Mapping[str, Any]) -> None:
    defs = schemas["common.schema.json"]["$defs"]
    for field, schema_def in [
        ("family", "family"),
        ("patent", "patent"),
        ("commercial", "commercial"),
        ("obligations", "obligation"),
        ("retaliation", "retaliation"),
    ]:
        assert set(defs[schema_def]["enum"]) == set(vocabulary()[field]), field


def test_every_pinned_spdx_id_has_a_record(pinned_spdx_ids: set[str]) -> None:
    generated = {record["key"] for record in load("licenses.generated.json")["licenses"]}
    assert generated == pinned_spdx_ids
    assert pinned_spdx_ids <= set(all_license_keys())


def test_generated_records_cite_license_expression_and_leave_patents_unknown() -> None:
    document = load("licenses.generated.json")
    version = document["source"]["version"]
    for record in document["licenses"]:
        assert record["patent"] == "unknown", record["key"]
        assert record["sources"][0].startswith(
            f"scancode licensedb category via license-expression {version}"
        ), record["key"]


def test_no_licence_without_family() -> None:
    families = set(vocabulary()["family"])
    for key in all_license_keys():
        record = license_record(key)
        assert record is not None and record.family in families, key


@pytest.mark.parametrize("name", ["licenses.curated.toml", "licenserefs.toml"])
def test_no_curated_fact_without_a_source(name: str) -> None:
    for key, record in load(name)["licenses"].items():
        assert record["sources"], key
        facts = record["facts"]
        for field in ("family", "patent", "commercial"):
            if record[field] != "unknown":
                assert facts.get(field, "").strip(), f"{key}: {field} has no fact"
        assert facts.get("obligations", "").strip(), f"{key}: obligations have no fact"
        if "osi_approved" in record:
            assert facts.get("osi_approved", "").strip(), f"{key}: osi_approved has no fact"


def test_curated_keys_are_spdx_ids_of_the_pinned_list(pinned_spdx_ids: set[str]) -> None:
    assert set(load("licenses.curated.toml")["licenses"]) <= pinned_spdx_ids


REQUIRED_CURATED = [
    "0BSD",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-2-Clause-Patent",
    "BSD-4-Clause",
    "MIT",
    "MIT-0",
    "ISC",
    "Apache-2.0",
    "MPL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "UPL-1.0",
    "CC0-1.0",
    "CC-BY-4.0",
    "CC-BY-3.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-NC-ND-4.0",
    "Unlicense",
    "PSF-2.0",
    "Python-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-2.0",
    "BSL-1.0",
    "Zlib",
    "HPND",
    "OpenSSL",
    "CDDL-1.0",
    "EUPL-1.2",
    "OSL-3.0",
    "Unicode-3.0",
    "WTFPL",
    "LLVM-exception",
    "Classpath-exception-2.0",
    "GCC-exception-3.1",
]

REQUIRED_REFS = [
    "LicenseRef-NVIDIA-Proprietary",
    "LicenseRef-Intel-ISSL",
    "LicenseRef-Facebook-Patents",
    "LicenseRef-CNTK-1bitSGD",
    "LicenseRef-CreativeML-OpenRAIL-M",
    "LicenseRef-BigScience-OpenRAIL-M",
    "LicenseRef-BigScience-BLOOM-RAIL-1.0",
    "LicenseRef-OpenRAIL",
    "LicenseRef-Llama2",
    "LicenseRef-Llama3",
    "LicenseRef-Gemma",
    "LicenseRef-dllicense-unspecified-BSD",
    "LicenseRef-dllicense-unspecified-GPL",
    "LicenseRef-dllicense-unspecified-LGPL",
    "LicenseRef-dllicense-unspecified-AGPL",
]


def test_required_records_are_curated() -> None:
    assert set(REQUIRED_CURATED) <= set(load("licenses.curated.toml")["licenses"])
    assert set(REQUIRED_REFS) <= set(load("licenserefs.toml")["licenses"])
    for key in REQUIRED_CURATED:
        record = license_record(key)
        assert record is not None and record.origin == "curated", key
    for key in REQUIRED_REFS:
        record = license_record(key)
        assert record is not None and record.origin == "licenseref", key


@pytest.mark.parametrize("key", ["LLVM-exception", "Classpath-exception-2.0", "GCC-exception-3.1"])
def test_exceptions_are_flagged(key: str) -> None:
    record = license_record(key)
    assert record is not None and record.is_exception


def test_network_copyleft_comes_from_the_curated_groups() -> None:
    groups = load("licenses.curated.toml")["network_copyleft"]
    listed = {key for group in groups for key in group["keys"]}
    generated = {r["key"]: r for r in load("licenses.generated.json")["licenses"]}
    network = {key for key, r in generated.items() if r["family"] == "network-copyleft"}
    assert network == listed
    for key in ("AGPL-1.0-only", "OSL-2.1", "EUPL-1.1", "CPAL-1.0"):
        assert "network-source-disclosure" in generated[key]["obligations"], key
    assert "EUPL-1.0" not in listed


def test_category_mapping_for_noncommercial_and_free_restricted() -> None:
    generated = {r["key"]: r for r in load("licenses.generated.json")["licenses"]}
    assert generated["CC-BY-NC-3.0"]["family"] == "non-commercial"
    assert generated["CC-BY-NC-3.0"]["commercial"] == "forbidden"
    assert generated["Hippocratic-2.1"]["family"] == "source-available"
    assert "use-restrictions" in generated["Hippocratic-2.1"]["obligations"]
    assert generated["NCGL-UK-2.0"]["family"] == "non-commercial"
    assert generated["BUSL-1.1"]["family"] == "source-available"
    rules = load("licenses.curated.toml")["category_map"]
    categories = {r["scancode_category"] for r in generated.values()}
    assert categories <= set(rules)


def test_seed_licence_traits() -> None:
    for key, family, patent, commercial in [
        ("BSD-3-Clause", "permissive", "silent", "allowed"),
        ("Apache-2.0", "permissive", "grant-with-retaliation", "allowed"),
        ("BSD-3-Clause-Clear", "permissive", "excluded", "allowed"),
        ("BSD-2-Clause-Patent", "permissive", "express-grant", "allowed"),
        ("CC-BY-NC-4.0", "non-commercial", "excluded", "forbidden"),
        ("AGPL-3.0-only", "network-copyleft", "grant-with-retaliation", "allowed"),
        ("LicenseRef-Llama2", "source-available", "grant-with-retaliation", "restricted"),
        ("LicenseRef-Facebook-Patents", "permissive", "grant-with-retaliation", "allowed"),
    ]:
        record = license_record(key)
        assert record is not None
        assert (record.family, record.patent, record.commercial) == (family, patent, commercial)
    apache = license_record("Apache-2.0")
    assert apache is not None
    assert apache.obligations == ("notice", "state-changes", "include-notice-file")
    facebook = license_record("LicenseRef-Facebook-Patents")
    assert facebook is not None and facebook.retaliation == "broad"


def test_pillow_licence_keeps_its_notice() -> None:
    """MIT-CMU (pillow >= 11: ``License-Expression: MIT-CMU``) requires the copyright and
    permission notice in all copies: a generated record (scancode category only) had no
    obligation, so pillow was left out of the notices to ship."""
    record = license_record("MIT-CMU")
    assert record is not None
    traits = (record.family, record.patent, record.obligations)
    assert traits == ("permissive", "silent", ("notice",))
