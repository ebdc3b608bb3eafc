"""Frameworks: names per ecosystem, licence per version, changes, the seed's claims."""

from __future__ import annotations

import re

import pytest
from license_expression import get_spdx_licensing
from packaging.version import Version

from dllicense.knowledge import (
    framework_by_key,
    framework_for,
    framework_license,
    frameworks,
    known_license,
    license_changes_between,
    traits_of_expression,
)
from dllicense.knowledge.frameworks import expressions_of, period_for

SEED = [
    "torch7",
    "pytorch",
    "theano",
    "pylearn2",
    "lasagne",
    "blocks",
    "tensorflow",
    "keras",
    "caffe",
    "caffe2",
    "cntk",
    "chainer",
    "dsstne",
    "dynet",
    "mxnet",
    "paddlepaddle",
    "bigdl",
    "deeplearning4j",
    "nd4j",
]
TODAY = [
    "jax",
    "flax",
    "onnx",
    "onnxruntime",
    "transformers",
    "scikit-learn",
    "xgboost",
    "lightgbm",
    "opencv",
    "triton",
    "cupy",
    "nvidia-cuda",
    "intel-mkl",
]


def test_every_framework_of_the_seed_and_of_today_is_present() -> None:
    keys = {f.key for f in frameworks()}
    assert set(SEED) | set(TODAY) <= keys
    assert {f.key for f in frameworks() if f.seed} == set(SEED)
    assert [f.key for f in frameworks()] == sorted(keys)


def test_every_period_change_and_component_has_sources() -> None:
    for framework in frameworks():
        assert framework.reviewer_note, framework.key
        for period in framework.licenses:
            assert period.sources, (framework.key, period.versions)
        for change in framework.changes:
            assert change.sources, (framework.key, change.to_expression)
        for component in framework.bundled:
            assert component.sources, (framework.key, component.component)


def test_every_expression_parses_and_every_key_is_known() -> None:
    licensing = get_spdx_licensing()
    for framework in frameworks():
        for expression in expressions_of(framework):
            parsed = licensing.parse(expression, validate=False)
            assert parsed is not None, (framework.key, expression)
            for symbol in licensing.license_symbols(parsed, decompose=False):
                assert known_license(str(symbol.render())), (framework.key, symbol)


def _probe_versions(specifiers: list[str]) -> set[str]:
    versions: set[str] = {"0.1", "1.0", "99.0"}
    for spec in specifiers:
        for number in re.findall(r"[0-9][0-9a-z.]*", spec):
            base = Version(number)
            versions |= {
                str(base),
                base.base_version,
                f"{base.base_version}.1",
                f"{base.base_version}rc1",
            }
    return versions


def test_periods_never_overlap() -> None:
    for framework in frameworks():
        probes = _probe_versions([p.versions for p in framework.licenses])
        for version in probes:
            covering = [p.versions for p in framework.licenses if p.covers(version)]
            assert len(covering) <= 1, (framework.key, version, covering)


@pytest.mark.parametrize(
    ("name", "version", "expression"),
    [
        ("keras", "2.3.1", "MIT"),
        ("keras", "2.4.3", "MIT"),
        ("keras", "2.6.0", "Apache-2.0"),
        ("keras", "3.5.0", "Apache-2.0"),
        ("tf-keras", "2.15.0", "Apache-2.0"),
        ("onnx", "1.7.0", "MIT"),
        ("onnx", "1.8.1", "MIT"),
        ("onnx", "1.9.0", "Apache-2.0"),
        ("onnx", "1.23.2", "Apache-2.0"),
        ("opencv-python", "4.4.0.46", "BSD-3-Clause"),
        ("opencv-python-headless", "4.4.0", "BSD-3-Clause"),
        ("opencv-python", "4.5.0", "Apache-2.0"),
        ("opencv-contrib-python", "4.5.1.48", "Apache-2.0"),
        ("cntk", "2.4", "MIT AND LicenseRef-CNTK-1bitSGD"),
        ("cntk", "2.0rc1", "MIT AND LicenseRef-CNTK-1bitSGD"),
        ("cntk-gpu", "2.5", "MIT"),
        ("cntk", "2.7.post2", "MIT"),
        ("caffe2", "0.8.1", "BSD-3-Clause AND LicenseRef-Facebook-Patents"),
        ("caffe2", "0.5.0a0.dev100", "Apache-2.0"),
        ("torch", "2.9.0", "BSD-3-Clause"),
        ("torch", "2.14.1", "BSD-3-Clause"),
        ("tensorflow-cpu", "2.21.0", "Apache-2.0"),
        ("mxnet-cu112", "1.9.1", "Apache-2.0"),
        ("cupy-cuda12x", "13.0.0", "MIT"),
        ("nvidia-cublas-cu12", "12.4.5.8", "LicenseRef-NVIDIA-Proprietary"),
        ("nvidia-nvtx-cu12", "12.4.127", "LicenseRef-NVIDIA-Proprietary"),  # ships the CUDA EULA
        ("nvidia-nvtx-cu11", "11.8.86", "LicenseRef-NVIDIA-Proprietary"),
        ("nvidia-nvtx-cu12", "12.6.77", "Apache-2.0"),
        ("mkl", "2026.2.0", "LicenseRef-Intel-ISSL"),
    ],
)
def test_licence_by_version(name: str, version: str, expression: str) -> None:
    period = framework_license(name, version)
    assert period is not None, (name, version)
    assert period.expression == expression


def test_versions_no_period_covers() -> None:
    assert framework_license("keras", "2.5.0rc0") is None
    assert framework_license("caffe2", "0.6.0") is None
    assert framework_license("keras", "not-a-version") is None
    assert framework_license("not-a-framework", "1.0") is None


def test_version_none_answers_only_for_a_single_all_versions_period() -> None:
    period = framework_license("theano", None)
    assert period is not None and period.expression == "BSD-3-Clause"
    assert framework_license("keras", None) is None


def test_torch_wheel_expression_from_2_14() -> None:
    old = framework_license("torch", "2.9.0")
    new = framework_license("torch", "2.14.1")
    assert old is not None and old.wheel_expression == ""
    assert new is not None and new.wheel_expression == (
        "Apache-2.0 AND Apache-2.0 WITH LLVM-exception AND BSD-2-Clause AND BSD-3-Clause AND "
        "BSL-1.0 AND MIT"
    )


def _traits(name: str, version: str, ecosystem: str = "pypi") -> dict[str, tuple[str, str, str]]:
    period = framework_license(name, version, ecosystem)
    assert period is not None
    return {
        t.key: (t.family, t.patent, t.commercial) for t in traits_of_expression(period.expression)
    }


def test_seed_claim_bsd_frameworks_are_silent_on_patents() -> None:
    assert _traits("theano", "1.0.5") == {"BSD-3-Clause": ("permissive", "silent", "allowed")}
    assert _traits("torch", "scm-1", "luarocks") == {
        "BSD-3-Clause": ("permissive", "silent", "allowed")
    }
    torch7 = framework_license("torch", None, "luarocks")
    assert torch7 is not None
    assert [t.patent for t in traits_of_expression(torch7.expression)] == ["silent"]
    caffe = framework_license("caffe", None)
    assert caffe is not None
    assert [t.patent for t in traits_of_expression(caffe.expression)] == ["silent"]


def test_seed_claim_dl4j_and_nd4j_apache_grant_with_retaliation() -> None:
    for name in ("org.deeplearning4j:deeplearning4j-core", "org.nd4j:nd4j-native"):
        framework = framework_for(name, "maven")
        assert framework is not None, name
        period = framework_license(framework.key, None)
        assert period is not None and period.expression == "Apache-2.0"
        [traits] = traits_of_expression(period.expression)
        assert traits.patent == "grant-with-retaliation"


def test_seed_claim_cntk_one_bit_sgd() -> None:
    before = _traits("cntk", "2.4")
    assert before["LicenseRef-CNTK-1bitSGD"][2] == "forbidden"
    assert before["MIT"] == ("permissive", "silent", "allowed")
    after = _traits("cntk", "2.5")
    assert after == {"MIT": ("permissive", "silent", "allowed")}


def test_names_per_ecosystem_and_globs() -> None:
    def key(name: str, ecosystem: str = "pypi") -> str | None:
        found = framework_for(name, ecosystem)
        return found.key if found else None

    assert key("torch") == "pytorch"
    assert key("torch", "luarocks") == "torch7"
    assert key("Tensorflow_CPU") == "tensorflow"
    assert key("tf-nightly") == "tensorflow"
    assert key("opencv-python-headless") == "opencv"
    assert key("mxnet-cu117") == "mxnet"
    assert key("cupy-cuda12x") == "cupy"
    assert key("bigdl-nano") == "bigdl"
    assert key("com.intel.analytics.bigdl:bigdl-SPARK_2.4", "maven") == "bigdl"
    assert key("nvidia-cudnn-cu12") == "nvidia-cuda"
    assert key("nvidia-nvtx-cu12") == "nvidia-nvtx"
    assert key("nvidia-ml-py") is None
    assert key("nvidia-dali-cuda120") is None
    assert key("pytorch-triton-rocm") == "triton"
    assert key("requests") is None
    assert key("torch", "conda") is None
    assert key("pytorch", "conda") == "pytorch"


def test_framework_by_key() -> None:
    framework = framework_by_key("CNTK")
    assert framework is not None and framework.name.startswith("CNTK")
    assert framework_by_key("nope") is None


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("keras", "2.4.3", "2.6.0", [("MIT", "Apache-2.0")]),
        ("keras", "2.6.0", "2.4.3", [("MIT", "Apache-2.0")]),
        ("keras", "2.6.0", "3.0.0", []),
        ("opencv-python", "4.4.0.46", "4.5.1.48", [("BSD-3-Clause", "Apache-2.0")]),
        ("onnx", "1.8.1", "1.9.0", [("MIT", "Apache-2.0")]),
        ("cntk", "2.4", "2.7", [("MIT AND LicenseRef-CNTK-1bitSGD", "MIT")]),
        ("requests", "1.0", "2.0", []),
    ],
)
def test_licence_changes_crossed_by_an_upgrade(
    name: str, old: str, new: str, expected: list[tuple[str, str]]
) -> None:
    changes = license_changes_between(name, old, new)
    assert [(c.from_expression, c.to_expression) for c in changes] == expected


def test_commercial_support_from_the_seed() -> None:
    for key in ("torch7", "tensorflow", "caffe"):
        framework = framework_by_key(key)
        assert framework is not None
        assert framework.commercial_support.startswith("None")
        assert "seed" in framework.commercial_support_source


def test_local_version_labels_are_matched() -> None:
    period = framework_license("torch", "2.14.1+cu128")
    assert period is not None and period.wheel_expression.startswith("Apache-2.0 AND")


def test_every_dated_change_agrees_with_the_periods() -> None:
    for framework in frameworks():
        for change in framework.changes:
            if not change.at_version:
                continue
            period = period_for(framework, change.at_version)
            assert period is not None, (framework.key, change.at_version)
            declared = period.wheel_expression if change.kind == "metadata" else period.expression
            assert declared == change.to_expression, (framework.key, change.at_version)


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("keras", "2.4.3", "2.6.0"),
        ("opencv-python", "4.4.0.46", "4.5.0"),
        ("onnx", "1.8.0", "1.9.0"),
    ],
)
def test_relicensing_to_apache_adds_patent_grant_and_notice_file(
    name: str, old: str, new: str
) -> None:
    [before] = traits_of_expression(_period(name, old))
    [after] = traits_of_expression(_period(name, new))
    assert before.patent == "silent"
    assert after.patent == "grant-with-retaliation"
    assert "include-notice-file" in after.obligations
    assert "include-notice-file" not in before.obligations


def _period(name: str, version: str) -> str:
    period = framework_license(name, version)
    assert period is not None
    return period.expression


def test_the_pattern_screen_rules_out_nothing_a_pattern_matches() -> None:
    """``framework_for`` screens names by the literal starts of the patterns before trying
    them; on names made from every pattern (matching, near misses and excluded ones) it
    answers what trying every pattern in order answers."""
    from fnmatch import fnmatchcase

    from dllicense.knowledge.frameworks import _catalogue, normalize_name

    catalogue = _catalogue()

    def reference(name: str, ecosystem: str) -> object:
        wanted = normalize_name(name, ecosystem)
        if (ecosystem, wanted) in catalogue.exact:
            return catalogue.exact[(ecosystem, wanted)]
        for where, pattern, framework in catalogue.patterns:
            if (
                where == ecosystem
                and fnmatchcase(wanted, pattern)
                and not any(fnmatchcase(wanted, x) for x in framework.excluded_for(ecosystem))
            ):
                return framework
        return None

    names: list[tuple[str, str]] = []
    for ecosystem, pattern, framework in catalogue.patterns:
        for fill in ("", "x", "cu12", "-rocm-5-7"):
            made = pattern.replace("*", fill).replace("?", "z")
            names += [(made, ecosystem), ("x" + made, ecosystem), (made.upper(), ecosystem)]
        names += [(x.replace("*", "1"), ecosystem) for x in framework.excluded_for(ecosystem)]
    assert len(names) > 100
    matched = 0
    for name, ecosystem in names:
        found = framework_for(name, ecosystem)
        assert found == reference(name, ecosystem), (name, ecosystem)
        matched += found is not None
    assert matched > 50
