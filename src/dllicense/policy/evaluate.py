"""Apply a closed-world policy to each package's licence expression, term by term.

``OR`` passes when one branch passes (the first passing branch is reported
as chosen); ``AND`` needs every term; ``X WITH Y`` passes when ``X WITH Y`` is
allowed literally, when its traits are (an exception with a family of its own:
``GPL-3.0-only WITH GCC-exception-3.1`` is weak copyleft), or when ``X`` is (an
exception only adds permissions). ``forbid-traits`` cuts back what ``allow`` let
in; ``review-traits`` pass with a warning. The use context widens ``allow``: copyleft obligations
are triggered by distribution, so ``internal`` accepts strong and network
copyleft and ``saas`` accepts strong copyleft. Exceptions accept more
licences for one package; every failing term comes back with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

from dllicense.config.policy import Clarification, Policy, PolicyException
from dllicense.knowledge.traits import trait_labels
from dllicense.licenses.spdx import ExpressionError, Group, Term, Tree, expression_tree
from dllicense.models import Finding, LicenseTraits, Node, Severity, Verdict
from dllicense.policy.codes import finding, location_of
from dllicense.records import frozen

TraitsOf = Callable[[str], LicenseTraits]
USE_ALLOWS = {
    "internal": ("@strong-copyleft", "@network-copyleft"),
    "saas": ("@strong-copyleft",),
    "distributed": (),
}
_PATENT_WORDS = {
    "express-grant": "an express patent grant",
    "grant-with-retaliation": "a patent grant with retaliation",
    "excluded": "patents expressly excluded",
    "silent": "no express patent grant",
    "unknown": "an unknown patent stance",
}


@frozen
class Rules:
    """The allow/forbid/review lists that apply to one package."""

    allow: tuple[str, ...]
    forbid: tuple[str, ...]
    review: tuple[str, ...]
    policy: str
    reviewed: tuple[str, ...] = ()  # licences an exception accepts whatever their traits


@frozen
class TermFailure:
    code: str  # DL201 not allowed, DL202 forbidden trait
    term: str
    reason: str


@frozen
class Decision:
    passed: bool
    chosen: str  # the expression that satisfied the policy ("" if it failed)
    failures: tuple[TermFailure, ...]
    used: frozenset[str] = frozenset()  # allow entries that admitted a chosen term
    review: tuple[str, ...] = ()  # chosen terms that carry a review trait


@frozen
class PackageOutcome:
    chosen: str
    findings: tuple[Finding, ...]
    used_allow: frozenset[str]
    used_exceptions: frozenset[PolicyException]


def rules_for(policy: Policy, node: Node) -> Rules:
    """The policy's lists for ``node``, or a scope rule's when only its scopes reach it."""
    allow, forbid = policy.allow, policy.forbid_traits
    for rule in policy.scope_rules:
        if rule.covers(node.scopes):
            allow = rule.allow if rule.allow is not None else allow
            forbid = rule.forbid_traits if rule.forbid_traits is not None else forbid
            break
    return Rules((*allow, *USE_ALLOWS[policy.use]), forbid, policy.review_traits, policy.name)


# rules_for by (policy, scopes): a scan asks it for every package, with a few scopes; with
# the rules, their decisions by (expression, traits_of)
_Decided = dict[tuple[str, TraitsOf], Decision]
_RULES: dict[tuple[int, tuple[str, ...]], tuple[Policy, Rules, _Decided]] = {}


def _rules_for(policy: Policy, node: Node) -> tuple[Rules, _Decided]:
    """``rules_for``, made once per policy object and scopes (the policy is kept with its
    rules: a key is never answered for another policy that reused its ``id``), and the
    decisions made with them (``decide`` keyed by the rules object itself: hashing the
    rules for each of 20,000 packages cost ~0.02 s, bench/RESULTS.md, branch scale19)."""
    key = (id(policy), node.scopes)
    found = _RULES.get(key)
    if found is None or found[0] is not policy:
        if len(_RULES) >= 256:
            _RULES.clear()
        found = _RULES[key] = (policy, rules_for(policy, node), {})
    return found[1], found[2]


@lru_cache(maxsize=8192)
def decide(expression: str, rules: Rules, traits_of: TraitsOf) -> Decision:
    """Evaluate one normalised SPDX expression against ``rules`` (values are immutable, so
    the thousands of packages that share an expression and rules share one decision)."""
    try:
        tree = expression_tree(expression)  # read without license-expression when it can be
    except ExpressionError as exc:
        return Decision(False, "", (TermFailure("DL201", expression, f"unparsable: {exc}"),))
    return _node(str(tree) if tree is None else tree, rules, traits_of)


def _node(node: Tree | str, rules: Rules, traits_of: TraitsOf) -> Decision:
    if isinstance(node, Group) and node.operator == "OR":
        results = [_node(arg, rules, traits_of) for arg in node.args]
        for result in results:
            if result.passed:
                return result
        return Decision(False, "", tuple(f for r in results for f in r.failures))
    if isinstance(node, Group):
        results = [_node(arg, rules, traits_of) for arg in node.args]
        failures = tuple(f for r in results for f in r.failures)
        if failures:
            return Decision(False, "", failures)
        chosen = " AND ".join(f"({r.chosen})" if " OR " in r.chosen else r.chosen for r in results)
        used = frozenset().union(*(r.used for r in results))
        return Decision(True, chosen, (), used, tuple(t for r in results for t in r.review))
    if isinstance(node, Term) and node.exception is not None:
        whole = f"{node.key} WITH {node.exception}"
        if whole in rules.allow:
            return Decision(True, whole, (), frozenset({whole}))
        # the pair's traits first: an exception with a family of its own (GCC's runtime
        # library exception, Classpath: weak copyleft, as ``explain`` says) decides by it
        pair = _symbol(whole, rules, traits_of)
        if pair.passed:
            return pair
        base = _symbol(node.key, rules, traits_of)
        return Decision(
            base.passed, whole if base.passed else "", pair.failures, base.used, base.review
        )
    if isinstance(node, Term):
        return _symbol(node.key, rules, traits_of)
    return Decision(False, "", (TermFailure("DL201", str(node), "not a licence term"),))


def _symbol(key: str, rules: Rules, traits_of: TraitsOf) -> Decision:
    if key in rules.reviewed or "*" in rules.reviewed:
        return Decision(True, key, (), frozenset({key if key in rules.reviewed else "*"}))
    traits = traits_of(key)
    labels = trait_labels(traits)
    forbidden = sorted(labels & set(rules.forbid))
    if forbidden:
        reason = f"{key} is {', '.join(forbidden)}, which policy {rules.policy!r} forbids"
        return Decision(False, "", (TermFailure("DL202", key, reason),))
    used = frozenset(a for a in rules.allow if a == key or (a.startswith("@") and a[1:] in labels))
    if "*" in rules.allow:
        used = used | {"*"}
    if used:
        review = (key,) if labels & set(rules.review) else ()
        return Decision(True, key, (), used, review)
    reason = (
        f"{key} is not allowed by policy {rules.policy!r}: {traits.family}, "
        f"{_PATENT_WORDS.get(traits.patent, traits.patent)}, commercial use {traits.commercial}"
        f" (allowed: {', '.join(a for a in rules.allow) or 'nothing'})"
    )
    return Decision(False, "", (TermFailure("DL201", key, reason),))


def evaluate_package(
    node: Node, verdict: Verdict, policy: Policy, traits_of: TraitsOf, today: dt.date
) -> PackageOutcome:
    """Policy findings of one package; exceptions accept what the policy alone would not."""
    rules, decided = _rules_for(policy, node)
    matching = [e for e in policy.exceptions if e.matches(node.name, node.version)]
    active = [e for e in matching if e.expires is None or e.expires >= today]

    def make(code: str, message: str, term: str = "", severity: Severity | None = None) -> Finding:
        return finding(code, message, node.name, node.version, term, node.path, severity=severity)

    if not verdict.expression:
        if any("*" in e.allow for e in active):
            used = frozenset(e for e in active if "*" in e.allow)
            return PackageOutcome("", tuple(_accepted(make, used)), frozenset(), used)
        detail = "; ".join(verdict.notes) or "no licence metadata or licence file"
        return PackageOutcome(
            "",
            (make("DL101", f"no licence found ({detail})", severity=policy.unknown_severity),),
            frozenset(),
            frozenset(),
        )
    decision = decided.get((verdict.expression, traits_of))
    if decision is None:
        if len(decided) >= 8192:  # as many as ``decide`` keeps
            decided.clear()
        decision = decided[(verdict.expression, traits_of)] = decide(
            verdict.expression, rules, traits_of
        )
    used_exceptions: frozenset[PolicyException] = frozenset()
    if active and (not decision.passed or decision.review):
        accepted = tuple(a for e in active for a in e.allow)
        widened = Rules((*rules.allow, *accepted), rules.forbid, (), rules.policy, accepted)
        retry = decide(verdict.expression, widened, traits_of)
        if retry.passed:
            extra = {a for e in active for a in e.allow}
            used_exceptions = frozenset(e for e in active if set(e.allow) & (retry.used | {"*"}))
            decision = Decision(True, retry.chosen, (), retry.used - extra, ())
            findings = _accepted(make, used_exceptions)
            return PackageOutcome(
                _chosen(verdict, decision), tuple(findings), decision.used, used_exceptions
            )
    findings = [make(f.code, f.reason, f.term) for f in decision.failures]
    findings += [
        make("DL203", _review_message(term, policy, traits_of), term) for term in decision.review
    ]
    return PackageOutcome(
        _chosen(verdict, decision), tuple(findings), decision.used, used_exceptions
    )


def _review_message(term: str, policy: Policy, traits_of: TraitsOf) -> str:
    """One line: the licence, the policy's review traits it has, where its clauses are and how
    to accept it. The clauses themselves (redistribution, patents) are long and the same for
    every package of a family (16 CUDA wheels): ``dllicense explain`` and the report's
    glossary show them."""
    base = term.split(" WITH ")[0]
    traits = traits_of(base)
    labels = trait_labels(traits)
    had = [t for t in policy.review_traits if t in labels] or list(policy.review_traits)
    read = f"read `dllicense explain {base}`, then " if traits.sources else "read its terms, then "
    return (
        f"{term} needs review ({', '.join(had)}: review-traits of policy {policy.name!r}); "
        f"{read}record an exception"
    )


def _chosen(verdict: Verdict, decision: Decision) -> str:
    return decision.chosen if " OR " in verdict.expression else ""


def _accepted(
    make: Callable[..., Finding], exceptions: frozenset[PolicyException]
) -> list[Finding]:
    out = []
    for e in sorted(exceptions, key=lambda x: x.where):
        who = f", approved by {e.approved_by}" if e.approved_by else ""
        until = f", until {e.expires.isoformat()}" if e.expires else ""
        out.append(make("DL204", f"accepted by exception ({e.where}): {e.reason}{who}{until}"))
    return out


def hygiene_findings(
    policy: Policy,
    used_allow: set[str],
    used_exceptions: set[PolicyException],
    used_clarifications: set[Clarification],
    names: set[tuple[str, str]],
    today: dt.date,
) -> list[Finding]:
    """Policy-file hygiene: expired and unused exceptions, unused clarifications, allow
    entries nothing used."""
    out = []
    for e in policy.exceptions:
        location = location_of(e.where)
        if e.expires is not None and e.expires < today:
            out.append(
                finding(
                    "DL302",
                    f"exception for {e.package} expired on "
                    f"{e.expires.isoformat()}; it is no longer applied",
                    e.package,
                    location=location,
                )
            )
        elif e not in used_exceptions and not any(e.matches(n, v) for n, v in names):
            out.append(
                finding(
                    "DL301",
                    f"exception for {e.package} {e.versions or ''} matches "
                    "no scanned package".replace("  ", " "),
                    e.package,
                    location=location,
                )
            )
    for c in policy.clarifications:
        if c not in used_clarifications:
            out.append(
                finding(
                    "DL305",
                    f"clarification for {c.package} matches no scanned package",
                    c.package,
                    location=location_of(c.where),
                )
            )
    for entry, where in policy.allow_where:
        if entry not in used_allow:
            out.append(
                finding(
                    "DL304",
                    f"allow entry {entry!r} admitted no licence in this scan",
                    term=entry,
                    location=location_of(where),
                )
            )
    return out
