"""Property-based tests: any input to a parser gives a value or a typed error, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dllicense.classify.verdict import classify
from dllicense.collect.metadata import shorten
from dllicense.config.policy import load_policy
from dllicense.discover.declared import parse_declared
from dllicense.discover.distributions import read_distribution
from dllicense.discover.requirements import read_requirements
from dllicense.errors import ConfigError
from dllicense.licenses.spdx import license_keys, normalize, normalize_expression
from dllicense.models import Declared, Distribution, Evidence, Location, Problem

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LICENCE_WORDS = st.sampled_from(
    [
        "MIT",
        "Apache-2.0",
        "GPL-2.0-or-later",
        "BSD",
        "AND",
        "OR",
        "WITH",
        "(",
        ")",
        "LLVM-exception",
        "LicenseRef-x",
        "GPL v3",
        "Apache 2.0",
        "UNKNOWN",
        "+",
        ",",
        "/",
    ]
)
EXPRESSIONS = st.one_of(st.text(max_size=80), st.lists(LICENCE_WORDS, max_size=12).map(" ".join))


@SETTINGS
@given(EXPRESSIONS)
def test_expressions(text: str) -> None:
    for found in (normalize(text), normalize_expression(text)):
        assert isinstance(found.expression, str)
        assert found.expression or found.error
        if found.expression:  # whatever we accept must parse again to itself
            assert normalize_expression(found.expression).expression == found.expression
            assert isinstance(license_keys(found.expression), tuple)


@SETTINGS
@given(st.text(max_size=120))
def test_requirement_lines(line: str) -> None:
    item = parse_declared(line, "runtime", Location("requirements.txt", 1))
    assert isinstance(item, Declared | Problem)


@SETTINGS
@given(st.text(max_size=400))
def test_requirements_files(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "requirements.txt").write_bytes(text.encode("utf-8", "replace"))
        declared, problems, files = read_requirements(root / "requirements.txt", root)
        assert all(isinstance(d, Declared) for d in declared)
        assert all(isinstance(p, Problem) for p in problems)
        assert files[0] == "requirements.txt"


HEADERS = st.sampled_from(
    [
        "Metadata-Version",
        "Name",
        "Version",
        "License",
        "License-Expression",
        "Classifier",
        "Requires-Dist",
        "License-File",
        "Summary",
        "X-Odd",
    ]
)


@SETTINGS
@given(
    st.one_of(
        st.binary(max_size=600),
        st.lists(st.tuples(HEADERS, st.text(max_size=40)), max_size=12).map(
            lambda pairs: "".join(f"{k}: {v}\n" for k, v in pairs).encode("utf-8", "replace")
        ),
    )
)
def test_metadata(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pkg-1.0.dist-info"
        folder.mkdir()
        (folder / "METADATA").write_bytes(data)
        dist = read_distribution(folder, "site")
        assert isinstance(dist, Distribution | Problem)
        if isinstance(dist, Distribution):
            evidence = [
                Evidence(
                    "license", "METADATA:License", dist.license, normalize(dist.license).expression
                )
            ]
            assert isinstance(classify(evidence).expression, str)


POLICY_LINES = st.sampled_from(
    [
        'allow = ["MIT"]',
        'allow = ["@permissive"]',
        'extends = "default"',
        'use = "saas"',
        'forbid-traits = ["non-commercial"]',
        "[[exceptions]]",
        'package = "torch"',
        'reason = "r"',
        "expires = 2027-01-01",
        'versions = ">=1"',
        "[severity]",
        'DL103 = "off"',
        "[[clarifications]]",
        'expression = "MIT"',
        "bogus = 1",
        'allow = "MIT"',
        "[[scope-rules]]",
        'scopes = ["group:*"]',
        "[",
        "=",
    ]
)


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.lists(POLICY_LINES, max_size=10).map("\n".join)))
def test_policy_files(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "dllicense.toml").write_bytes(text.encode("utf-8", "replace"))
        try:
            policy = load_policy(root)
        except ConfigError as exc:
            lines = str(exc).splitlines()  # one line per error, each naming the file
            assert lines and all(line.startswith("dllicense.toml") for line in lines)
        else:
            assert isinstance(policy.allow, tuple)


@SETTINGS
@given(
    st.text(alphabet="ab \n\t\u2003\x1cé"),
    st.integers(min_value=1, max_value=12),
)
def test_shorten_collapses_as_if_it_read_the_whole_value(value: str, limit: int) -> None:
    """``shorten`` collapses only the words it needs; the result is the whole value's."""
    collapsed = " ".join(value.split())
    expected = collapsed if len(collapsed) <= limit else collapsed[: limit - 1] + "…"
    assert shorten(value, limit) == expected
