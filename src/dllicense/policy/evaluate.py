"""Apply a closed-world policy to each licence expression, term by term.

``OR`` passes when one branch passes (the first passing branch is reported
as chosen); ``AND`` needs every term; ``X WITH Y`` passes when ``X`` is
allowed (an exception only adds permissions) or when ``X WITH Y`` is allowed
literally. Every failing term comes back with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from license_expression import AND, OR, ExpressionError, LicenseSymbol, LicenseWithExceptionSymbol

from dllicense.config.policy import Policy
from dllicense.licenses.spdx import licensing
from dllicense.models import LicenseTraits

TraitsOf = Callable[[str], LicenseTraits]


@dataclass(frozen=True)
class TermFailure:
    code: str  # DL201 not allowed, DL202 forbidden trait
    term: str
    reason: str


@dataclass(frozen=True)
class Decision:
    passed: bool
    chosen: str  # the expression that satisfied the policy ("" if it failed)
    failures: tuple[TermFailure, ...]


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


def decide(expression: str, policy: Policy, traits_of: TraitsOf) -> Decision:
    """Evaluate one normalised SPDX expression against ``policy``."""
    try:
        tree = licensing().parse(expression, validate=False)
    except ExpressionError as exc:
        return Decision(False, "", (TermFailure("DL201", expression, f"unparsable: {exc}"),))
    return _node(tree, policy, traits_of)


def _node(node: object, policy: Policy, traits_of: TraitsOf) -> Decision:
    if isinstance(node, OR):
        results = [_node(arg, policy, traits_of) for arg in node.args]
        for result in results:
            if result.passed:
                return result
        return Decision(False, "", tuple(f for r in results for f in r.failures))
    if isinstance(node, AND):
        results = [_node(arg, policy, traits_of) for arg in node.args]
        failures = tuple(f for r in results for f in r.failures)
        if failures:
            return Decision(False, "", failures)
        chosen = " AND ".join(f"({r.chosen})" if " OR " in r.chosen else r.chosen for r in results)
        return Decision(True, chosen, ())
    if isinstance(node, LicenseWithExceptionSymbol):
        whole = f"{node.license_symbol.key} WITH {node.exception_symbol.key}"
        if whole in policy.allow:
            return Decision(True, whole, ())
        base = _symbol(node.license_symbol.key, policy, traits_of)
        return Decision(base.passed, whole if base.passed else "", base.failures)
    if isinstance(node, LicenseSymbol):
        return _symbol(node.key, policy, traits_of)
    return Decision(False, "", (TermFailure("DL201", str(node), "not a licence term"),))


def _symbol(key: str, policy: Policy, traits_of: TraitsOf) -> Decision:
    traits = traits_of(key)
    labels = trait_labels(traits)
    forbidden = sorted(labels & set(policy.forbid_traits))
    if forbidden:
        return Decision(
            False,
            "",
            (
                TermFailure(
                    "DL202", key, f"{key} is {', '.join(forbidden)}, which the policy forbids"
                ),
            ),
        )
    if key in policy.allow or any(a.startswith("@") and a[1:] in labels for a in policy.allow):
        return Decision(True, key, ())
    return Decision(
        False,
        "",
        (
            TermFailure(
                "DL201", key, f"{key} ({traits.family}) is not allowed by policy {policy.name!r}"
            ),
        ),
    )
