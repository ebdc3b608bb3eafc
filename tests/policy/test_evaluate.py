"""Policy evaluation, table-driven: expression x policy x scope -> outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from dllicense.config.policy import Policy, load_policy
from dllicense.knowledge import license_traits
from dllicense.models import LicenseTraits, Node, Verdict
from dllicense.policy.evaluate import evaluate_package

TODAY = dt.date(2026, 11, 27)


def policy(tmp_path: Path, text: str) -> Policy:
    (tmp_path / "dllicense.toml").write_text(text, encoding="utf-8")
    return load_policy(tmp_path)


def node(name: str = "pkg", version: str = "1.0", scopes: tuple[str, ...] = ("runtime",)) -> Node:
    return Node(name, version, scopes, (name,), (), (), True)


def outcome(p: Policy, expression: str, n: Node | None = None) -> tuple[str, list[str], str]:
    """(status, sorted codes, chosen) of one package under policy ``p``."""
    result = evaluate_package(
        n or node(), Verdict(expression, "high", ("test",)), p, license_traits, TODAY
    )
    codes = sorted(f.code for f in result.findings)
    worst = max((f.severity.rank for f in result.findings), default=-1)
    status = {-1: "pass", 0: "pass", 1: "warn", 2: "fail"}[worst]
    return status, codes, result.chosen


BUILTIN_CASES = [
    # (policy, expression, status, codes, chosen)
    ("default", "MIT", "pass", [], ""),
    ("default", "MIT OR GPL-3.0-only", "pass", [], "MIT"),
    ("default", "GPL-3.0-only OR MIT", "pass", [], "MIT"),
    ("default", "GPL-3.0-only", "fail", ["DL201"], ""),
    ("default", "Apache-2.0 AND LGPL-2.1-or-later", "pass", [], ""),
    ("default", "Apache-2.0 AND GPL-2.0-only", "fail", ["DL201"], ""),
    # an exception with a family of its own decides by it (weak copyleft, as `explain` says);
    # one without (Autoconf's) leaves the base licence's
    ("default", "GPL-2.0-or-later WITH Classpath-exception-2.0", "pass", [], ""),
    ("default", "GPL-3.0-only WITH GCC-exception-3.1", "pass", [], ""),
    ("commercial-distribution", "GPL-3.0-or-later WITH GCC-exception-3.1", "pass", [], ""),
    ("permissive", "GPL-3.0-only WITH GCC-exception-3.1", "fail", ["DL201"], ""),
    ("default", "GPL-2.0-only WITH Autoconf-exception-2.0", "fail", ["DL201"], ""),
    ("default", "LGPL-2.1-only WITH LLVM-exception", "pass", [], ""),
    ("default", "AGPL-3.0-only", "fail", ["DL201"], ""),
    ("default", "CC-BY-NC-4.0", "fail", ["DL202"], ""),
    ("default", "LicenseRef-NVIDIA-Proprietary", "warn", ["DL203"], ""),
    ("default", "LicenseRef-Intel-ISSL", "warn", ["DL203"], ""),
    ("default", "LicenseRef-CNTK-1bitSGD", "fail", ["DL202"], ""),
    ("default", "MIT AND LicenseRef-CNTK-1bitSGD", "fail", ["DL202"], ""),
    ("default", "LicenseRef-dllicense-unspecified-BSD", "pass", [], ""),
    ("default", "LicenseRef-dllicense-unspecified-GPL", "fail", ["DL201"], ""),
    ("default", "LicenseRef-unknown-to-everyone", "fail", ["DL201"], ""),
    ("default", "", "fail", ["DL101"], ""),
    ("default", "CC0-1.0", "pass", [], ""),
    ("default", "MPL-2.0", "pass", [], ""),
    ("default", "BUSL-1.1", "fail", ["DL201"], ""),
    ("permissive", "MIT", "pass", [], ""),
    ("permissive", "LGPL-3.0-only", "fail", ["DL201"], ""),
    ("permissive", "LicenseRef-NVIDIA-Proprietary", "fail", ["DL202"], ""),
    ("permissive", "MPL-2.0 OR Apache-2.0", "pass", [], "Apache-2.0"),
    ("patent-safe", "Apache-2.0", "pass", [], ""),
    ("patent-safe", "BSD-3-Clause", "fail", ["DL201"], ""),
    ("patent-safe", "MIT", "fail", ["DL201"], ""),
    ("patent-safe", "BSD-2-Clause-Patent", "pass", [], ""),
    ("patent-safe", "BSD-3-Clause-Clear", "fail", ["DL201"], ""),
    ("patent-safe", "MIT OR Apache-2.0", "pass", [], "Apache-2.0"),
    ("patent-safe", "Apache-2.0 AND BSD-3-Clause", "fail", ["DL201"], ""),
    ("patent-safe", "GPL-3.0-only", "fail", ["DL202"], ""),
    ("patent-safe", "UPL-1.0", "pass", [], ""),
    ("commercial-distribution", "CC-BY-NC-4.0", "fail", ["DL202"], ""),
    ("commercial-distribution", "MIT AND LicenseRef-CNTK-1bitSGD", "fail", ["DL202"], ""),
    ("commercial-distribution", "LicenseRef-Llama2", "fail", ["DL202"], ""),
    ("commercial-distribution", "GPL-2.0-only", "fail", ["DL202"], ""),
    ("commercial-distribution", "LicenseRef-NVIDIA-Proprietary", "warn", ["DL203"], ""),
    ("commercial-distribution", "Apache-2.0", "pass", [], ""),
    ("saas", "GPL-3.0-only", "pass", [], ""),
    ("saas", "AGPL-3.0-or-later", "fail", ["DL202"], ""),
    ("saas", "AGPL-3.0-only OR MIT", "pass", [], "MIT"),
    ("research", "CC-BY-NC-4.0", "warn", ["DL203"], ""),
    ("research", "AGPL-3.0-only", "pass", [], ""),
    ("research", "", "warn", ["DL101"], ""),
]


@pytest.mark.parametrize(("name", "expression", "status", "codes", "chosen"), BUILTIN_CASES)
def test_builtin_policies(
    tmp_path: Path, name: str, expression: str, status: str, codes: list[str], chosen: str
) -> None:
    got = outcome(load_policy(tmp_path, name), expression)
    assert got == (status, codes, chosen)


def test_failing_term_and_reason_are_named(tmp_path: Path) -> None:
    p = load_policy(tmp_path, "patent-safe")
    result = evaluate_package(
        node("torch"), Verdict("Apache-2.0 AND BSD-3-Clause", "high", ()), p, license_traits, TODAY
    )
    [f] = result.findings
    assert f.term == "BSD-3-Clause"
    assert "no express patent grant" in f.message


def test_use_context_widens_allow(tmp_path: Path) -> None:
    base = policy(tmp_path, 'allow = ["@permissive"]\n')
    assert outcome(base, "GPL-3.0-only")[0] == "fail"
    assert outcome(replace(base, use="saas"), "GPL-3.0-only")[0] == "pass"
    assert outcome(replace(base, use="saas"), "AGPL-3.0-only")[0] == "fail"
    assert outcome(replace(base, use="internal"), "AGPL-3.0-only")[0] == "pass"


def test_a_failing_pair_is_named_whole(tmp_path: Path) -> None:
    """The failure names the licence with its exception, not the base alone (libgcc's
    ``GPL-3.0-only WITH GCC-exception-3.1`` read "GPL-3.0-only is not allowed")."""
    result = evaluate_package(
        node(),
        Verdict("GPL-3.0-only WITH GCC-exception-3.1", "high", ("test",)),
        load_policy(tmp_path, "permissive"),
        license_traits,
        TODAY,
    )
    assert [f.code for f in result.findings] == ["DL201"]
    assert "GPL-3.0-only WITH GCC-exception-3.1 is not allowed" in result.findings[0].message
    assert "weak-copyleft" in result.findings[0].message


def test_with_exception_allowed_literally(tmp_path: Path) -> None:
    p = policy(tmp_path, 'allow = ["MIT", "GPL-2.0-or-later WITH Classpath-exception-2.0"]\n')
    assert outcome(p, "GPL-2.0-or-later WITH Classpath-exception-2.0")[0] == "pass"
    assert outcome(p, "GPL-2.0-or-later")[0] == "fail"


def test_scope_rules(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        'extends = "default"\n[[scope-rules]]\nscopes = ["group:*"]\n'
        'allow = ["@permissive", "@strong-copyleft"]\nreason = "dev tools ship nowhere"\n',
    )
    dev = node("pylint", scopes=("group:dev",))
    both = node("pylint", scopes=("runtime", "group:dev"))
    assert outcome(p, "GPL-2.0-or-later", dev)[0] == "pass"
    assert outcome(p, "GPL-2.0-or-later", both)[0] == "fail"
    assert outcome(p, "GPL-2.0-or-later")[0] == "fail"


def test_rules_are_kept_per_policy_and_scopes(tmp_path: Path) -> None:
    """The rules a scan makes once per policy and scopes: alternating two policies (one
    with a scope rule) and two scopes, each package gets its own policy's answer."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    strict = policy(tmp_path / "a", 'allow = ["MIT"]\n')
    loose = policy(
        tmp_path / "b",
        'allow = ["MIT", "Apache-2.0"]\n[[scope-rules]]\nscopes = ["group:*"]\n'
        'allow = ["@permissive", "@strong-copyleft"]\nreason = "dev tools ship nowhere"\n',
    )
    dev = node("pylint", scopes=("group:dev",))
    for _ in range(2):
        assert outcome(strict, "Apache-2.0")[0] == "fail"
        assert outcome(loose, "Apache-2.0")[0] == "pass"
        assert outcome(strict, "GPL-2.0-or-later", dev)[0] == "fail"
        assert outcome(loose, "GPL-2.0-or-later", dev)[0] == "pass"
        assert outcome(loose, "GPL-2.0-or-later")[0] == "fail"


def test_decisions_are_kept_per_traits(tmp_path: Path) -> None:
    """The decisions kept with the rules are per ``traits_of`` too: the same policy, scopes
    and expression, with traits that make the licence strong copyleft (which ``permissive``
    does not allow), are decided again, alternating."""
    p = policy(tmp_path, 'extends = "permissive"\n')
    copyleft = license_traits("GPL-3.0-only")

    def as_copyleft(key: str) -> LicenseTraits:
        return copyleft

    for _ in range(2):
        plain = evaluate_package(node(), Verdict("MIT", "high", ("t",)), p, license_traits, TODAY)
        odd = evaluate_package(node(), Verdict("MIT", "high", ("t",)), p, as_copyleft, TODAY)
        assert not plain.findings
        assert [f.code for f in odd.findings] == ["DL201"]


EXCEPTION = """extends = "patent-safe"
[[exceptions]]
package = "torch"
versions = ">=2.0"
allow = ["BSD-3-Clause"]
reason = "BSD: no patent grant; reviewed"
approved-by = "legal@example.com"
expires = {expires}
"""


def test_exception_accepts_and_says_why(tmp_path: Path) -> None:
    p = policy(tmp_path, EXCEPTION.format(expires="2027-06-30"))
    assert outcome(p, "BSD-3-Clause", node("torch", "2.13.0")) == ("pass", ["DL204"], "")
    result = evaluate_package(
        node("torch", "2.13.0"), Verdict("BSD-3-Clause", "high", ()), p, license_traits, TODAY
    )
    assert "legal@example.com" in result.findings[0].message
    assert "until 2027-06-30" in result.findings[0].message
    # the version range and the package name both have to match
    assert outcome(p, "BSD-3-Clause", node("torch", "1.13.0"))[0] == "fail"
    assert outcome(p, "BSD-3-Clause", node("theano", "2.13.0"))[0] == "fail"
    # an exception never lets through licences it does not name
    assert outcome(p, "BSD-3-Clause AND MIT", node("torch", "2.13.0"))[0] == "fail"


def test_expired_exception_is_not_applied(tmp_path: Path) -> None:
    p = policy(tmp_path, EXCEPTION.format(expires="2026-01-31"))
    assert outcome(p, "BSD-3-Clause", node("torch", "2.13.0"))[0] == "fail"


def test_review_trait_cleared_by_exception(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        'extends = "default"\n[[exceptions]]\npackage = "nvidia-cudnn-cu12"\n'
        'allow = ["LicenseRef-NVIDIA-Proprietary"]\nreason = "EULA read: runtime only"\n',
    )
    n = node("nvidia-cudnn-cu12", "9.1")
    assert outcome(p, "LicenseRef-NVIDIA-Proprietary", n) == ("pass", ["DL204"], "")


def test_wildcard_exception_for_unknown_licence(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        '[[exceptions]]\npackage = "torchsummary"\nallow = ["*"]\n'
        'reason = "author confirmed MIT by mail"\n',
    )
    assert outcome(p, "", node("torchsummary", "1.5.1")) == ("pass", ["DL204"], "")


def test_exception_overrides_forbidden_traits_for_the_licences_it_names(tmp_path: Path) -> None:
    p = policy(
        tmp_path,
        'extends = "commercial-distribution"\n[[exceptions]]\n'
        'package = "meta-llama/Llama-2-7b-hf"\nallow = ["LicenseRef-Llama2"]\n'
        'reason = "fewer than 700M monthly active users; AUP passed on"\n',
    )
    model = node("meta-llama/Llama-2-7b-hf", "0123abcd", ("model",))
    assert outcome(p, "LicenseRef-Llama2", model) == ("pass", ["DL204"], "")
    assert outcome(p, "LicenseRef-Llama2 AND CC-BY-NC-4.0", model)[0] == "fail"


def test_teams_own_licence_refs_may_be_allowed(tmp_path: Path) -> None:
    p = policy(tmp_path, 'allow = ["@permissive", "LicenseRef-hf-yi-license"]\n')
    assert outcome(p, "LicenseRef-hf-yi-license")[0] == "pass"
