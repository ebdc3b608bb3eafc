"""Text for `dllicense explain`: JSON-ready, deterministic dicts and their plain text."""

from __future__ import annotations

import json

import pytest

from dllicense.knowledge.explain import explain_framework, explain_license, format_explanation


def test_explain_license_is_json_ready_and_deterministic() -> None:
    first = explain_license("apache-2.0")
    assert json.dumps(first, sort_keys=True) == json.dumps(
        explain_license("apache-2.0"), sort_keys=True
    )
    assert first["known"] and first["key"] == "Apache-2.0"
    assert first["patent"] == "grant-with-retaliation"
    assert {f["field"] for f in first["facts"]} >= {"family", "patent", "commercial"}
    assert "deeplearning4j" in first["frameworks"]
    text = format_explanation(first)
    assert text.startswith("Apache-2.0: Apache License 2.0\n")
    assert "§3" in text and "include-notice-file" in text


def test_explain_with_exception_and_unknown() -> None:
    combined = explain_license("GPL-2.0-only WITH Classpath-exception-2.0")
    assert combined["family"] == "weak-copyleft"
    assert combined["exception"]["key"] == "Classpath-exception-2.0"
    json.dumps(combined)
    unknown = explain_license("Nope-1.0")
    assert not unknown["known"] and unknown["family"] == "unknown"
    assert "not in the dllicense knowledge base" in format_explanation(unknown)


def test_explain_framework_with_version() -> None:
    d = explain_framework("cntk", "2.4")
    json.dumps(d)
    assert d["known"] and d["resolved"] == 0
    assert d["licenses"][0]["expression"] == "MIT AND LicenseRef-CNTK-1bitSGD"
    text = format_explanation(d)
    assert "LicenseRef-CNTK-1bitSGD: non-commercial" in text
    assert "[component] MIT AND LicenseRef-CNTK-1bitSGD -> MIT at 2.5" in text
    assert explain_framework("cntk", "2.4") == d


def test_explain_unknown_framework() -> None:
    d = explain_framework("requests")
    assert d == {"kind": "framework", "query": "requests", "known": False, "version": None}
    expected = "requests: not a framework of the dllicense knowledge base."
    assert format_explanation(d).strip() == expected


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("torch7", "torch7"),  # key
        ("Torch7", "torch7"),  # name, any case
        ("caffe", "caffe"),
        ("dsstne", "dsstne"),
        ("deeplearning4j", "deeplearning4j"),
        ("nd4j", "nd4j"),
        ("org.nd4j:nd4j-native", "nd4j"),  # Maven name
        ("torch", "pytorch"),  # the PyPI name comes before the LuaRocks one
        ("intel-openmp", "intel-mkl"),  # conda name (PyPI's intel-openmp is another licence)
    ],
)
def test_explain_finds_a_framework_by_key_name_and_package_names(query: str, key: str) -> None:
    d = explain_framework(query)
    assert d["known"] and d["key"] == key, d


def test_cli_explain_names_a_known_framework_by_key() -> None:
    from tests.conftest import run_cli

    done = run_cli("explain", "dsstne")
    assert done.returncode == 0 and "DSSTNE" in done.stdout, done.stderr


def test_cli_explains_a_scancode_id_a_scan_reports() -> None:
    # matplotlib 3.11.2 (haotian-liu/LLaVA's environment): its License text and LICENSE are
    # scancode's matplotlib-1.3.0, reported as LicenseRef-scancode-matplotlib-1.3.0 with the
    # traits of scancode's category; `dllicense explain` of that id said "neither a rule code,
    # a known licence nor a known framework" (exit 2)
    from dllicense.knowledge.traits import license_traits
    from tests.conftest import run_cli

    key = "LicenseRef-scancode-matplotlib-1.3.0"
    done = run_cli("explain", key, "--format", "json")
    assert done.returncode == 0, done.stderr
    d = json.loads(done.stdout)
    traits = license_traits(key)  # what the scan reports
    assert d["known"] and (d["key"], d["family"], d["commercial"]) == (
        traits.key,
        traits.family,
        traits.commercial,
    )
    assert d["sources"] == list(traits.sources) and d["origin"] == "scancode"
    assert "category 'Permissive'" in run_cli("explain", key).stdout
    assert run_cli("explain", "LicenseRef-scancode-no-such-licence").returncode == 2
