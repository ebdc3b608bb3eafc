"""The quick ``Requires-Dist`` reader agrees with packaging's full PEP 508 parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dllicense.discover.distributions import read_distribution
from dllicense.models import Distribution
from dllicense.resolve.requires import _SIMPLE, display, parse_requires

FIXTURES = Path(__file__).parent.parent / "fixtures" / "dists"


def _packaging(raw: str) -> tuple[str, tuple[str, ...], str | None] | None:
    try:
        req = Requirement(raw)
    except InvalidRequirement:
        return None
    marker = str(req.marker) if req.marker else None
    return canonicalize_name(req.name), tuple(sorted(req.extras)), marker


def _ours(raw: str) -> tuple[str, tuple[str, ...], str | None] | None:
    parse_requires.cache_clear()
    found = parse_requires(raw)
    if found is None:
        return None
    return found.name, found.extras, str(found.marker) if found.marker else None


def _real_requires() -> list[str]:
    out = []
    for folder in sorted(FIXTURES.glob("*/*.dist-info")):
        dist = read_distribution(folder, "fixtures")
        if isinstance(dist, Distribution):
            out += dist.requires_dist
    return sorted(set(out))


REAL = _real_requires()


def test_real_requires_dist_agree_and_most_take_the_quick_path() -> None:
    assert len(REAL) > 300
    quick = 0
    for raw in REAL:
        assert _ours(raw) == _packaging(raw), raw
        quick += _SIMPLE.fullmatch(raw) is not None
    assert quick / len(REAL) > 0.8  # the point of the quick path: the usual shapes


@pytest.mark.parametrize(
    "raw",
    [
        "foo",
        "Foo.Bar_baz >= 1.0",
        "foo (>=1.0,<2)",
        "foo[bar, baz]>=1.0; python_version < '3.8'",
        "foo [ bar ] ; extra == 'x'",
        "foo[]",
        "foo~=1.4.2",
        "foo==1.*",
        "foo!=1.0.*,>=0.9rc1",
        "foo>=1.0.post1.dev2",
        "foo;os_name=='nt'",
        "foo @ https://example.org/foo.whl ; python_version >= '3'",
        # invalid, or outside the quick path: packaging decides
        "foo~=1",
        "foo>=1.0.*",
        "foo==1.0+cpu",
        "foo>=1.0,",
        "foo 1.0",
        "foo;",
        "foo; python_version <",
        "foo; python_version < '3' ; x",
        "-foo",
        "foo-",
        "foo[bar",
        "foo>=1.0 and more",
        "foo===weird",
        "foo(>=1.0",
        "foo>=1.0\n",
        "",
    ],
)
def test_edge_cases_agree(raw: str) -> None:
    assert _ours(raw) == _packaging(raw)


PIECES = st.sampled_from(
    [
        "foo", "Foo_Bar", "a.b-c", " ", "\t", "[", "]", ",", "x", "(", ")", ">=", "<", "==",
        "~=", "!=", "===", "1", "1.0", "2.3.4", ".*", "rc1", ".post1", ".dev0", "+local", ";",
        "python_version", "'3.8'", "extra", "==", "'gpu'", " and ", " or ", "@", "1.0a",
    ]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_generated_requirements_agree(raw: str) -> None:
    assert _ours(raw) == _packaging(raw)


def test_display_is_packagings_normal_form() -> None:
    assert display("Foo (>=1.0 , <2)") == "Foo<2,>=1.0"
    assert display("not a requirement!") == "not a requirement!"


def test_extra_only_markers_hold_exactly_when_packaging_says() -> None:
    """A requirement whose marker is ``extra == "x"`` alone is recognised without parsing
    the marker and holds for no chosen extra; on every requirement with a marker of the
    fixture distributions, packaging's evaluation agrees, with no extra chosen, with each
    extra the marker names, and with another one."""
    from dllicense.discover.locks.markers import holds
    from dllicense.resolve.graph import _Markers

    env = {"python_version": "3.11", "sys_platform": "linux", "platform_system": "Linux"}
    markers = _Markers(env)
    marked = [req for raw in REAL if (req := parse_requires(raw)) and req.marker_text]
    assert sum(req.extra_only for req in marked) > 100
    for req in marked:
        marker = req.marker
        assert marker is not None
        named = re.findall(r"extra\s*==\s*['\"]([^'\"]+)", req.marker_text)
        if req.extra_only:
            assert len(named) == 1 and " and " not in req.marker_text, req.raw
        for chosen in ({*named[:1]}, set(), {"some-other-extra"}):
            wanted = holds(marker, env, frozenset(chosen))
            assert markers.holds(req, frozenset(chosen)) == wanted, (req.raw, chosen)
