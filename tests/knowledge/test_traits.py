"""Licence lookups: keys, aliases, WITH exceptions, expressions."""

from __future__ import annotations

import pytest

from dllicense.knowledge import (
    all_license_keys,
    canonical_license_key,
    huggingface_license_key,
    known_license,
    license_expression_version,
    license_traits,
    traits_of_expression,
)
from dllicense.models import LicenseTraits


def test_lookup_is_case_insensitive_and_returns_proper_casing() -> None:
    assert canonical_license_key("apache-2.0") == "Apache-2.0"
    assert canonical_license_key("licenseref-nvidia-proprietary") == "LicenseRef-NVIDIA-Proprietary"
    assert license_traits("mit").key == "MIT"


def test_deprecated_spdx_ids_resolve_to_current_ids() -> None:
    assert canonical_license_key("GPL-2.0+") == "GPL-2.0-or-later"
    assert canonical_license_key("LGPL-2.1") == "LGPL-2.1-only"
    assert license_traits("AGPL-3.0").family == "network-copyleft"


def test_unknown_key_has_unknown_traits() -> None:
    traits = license_traits("Totally-Made-Up-1.0")
    assert isinstance(traits, LicenseTraits)
    assert (traits.family, traits.patent, traits.commercial) == ("unknown",) * 3
    assert not known_license("Totally-Made-Up-1.0")
    assert canonical_license_key("Totally-Made-Up-1.0") is None


def test_with_exception_keys() -> None:
    traits = license_traits("gpl-2.0-only with classpath-exception-2.0")
    assert traits.key == "GPL-2.0-only WITH Classpath-exception-2.0"
    assert traits.family == "weak-copyleft"
    assert traits.patent == "silent"
    llvm = license_traits("Apache-2.0 WITH LLVM-exception")
    assert llvm.family == "permissive" and llvm.patent == "grant-with-retaliation"
    assert known_license("Apache-2.0 WITH LLVM-exception")
    assert canonical_license_key("MIT WITH Not-An-Exception") is None
    assert license_traits("MIT WITH Not-An-Exception").family == "permissive"


def test_all_license_keys_sorted_and_complete() -> None:
    keys = all_license_keys()
    assert keys == tuple(sorted(keys, key=lambda k: (k.lower(), k)))
    assert {"MIT", "LicenseRef-Gemma", "LLVM-exception"} <= set(keys)
    assert len(keys) == len(set(keys))
    assert all(known_license(key) for key in keys[:50])


def test_every_record_converts_to_traits() -> None:
    for key in all_license_keys():
        traits = license_traits(key)
        assert traits.key == key and traits.family and traits.sources, key


def test_traits_of_expression_deduplicates_and_sorts() -> None:
    expression = (
        "Apache-2.0 AND Apache-2.0 WITH LLVM-exception AND BSD-2-Clause AND "
        "BSD-3-Clause AND BSL-1.0 AND MIT AND mit"
    )
    keys = [t.key for t in traits_of_expression(expression)]
    assert keys == [
        "Apache-2.0",
        "Apache-2.0 WITH LLVM-exception",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSL-1.0",
        "MIT",
    ]
    refs = traits_of_expression("BSD-3-Clause AND LicenseRef-Facebook-Patents")
    assert [t.patent for t in refs] == ["silent", "grant-with-retaliation"]
    assert traits_of_expression("") == ()


def test_traits_of_invalid_expression_raises_value_error() -> None:
    with pytest.raises(ValueError, match="invalid licence expression"):
        traits_of_expression("MIT AND AND")


def test_huggingface_ids_map_to_licence_keys() -> None:
    assert huggingface_license_key("llama2") == "LicenseRef-Llama2"
    assert huggingface_license_key("creativeml-openrail-m") == "LicenseRef-CreativeML-OpenRAIL-M"
    assert huggingface_license_key("apache-2.0") == "Apache-2.0"
    assert huggingface_license_key("cc-by-nc-4.0") == "CC-BY-NC-4.0"
    assert huggingface_license_key("other") is None


def test_source_version_is_recorded() -> None:
    assert license_expression_version()
    assert (
        license_traits("Sleepycat")
        .sources[0]
        .startswith(
            f"scancode licensedb category via license-expression {license_expression_version()}"
        )
    )
