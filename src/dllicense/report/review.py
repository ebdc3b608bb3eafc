"""What the legal review report (HTML, PDF) computes for a reviewer from a ``ScanResult``.

One framework card per framework, a glossary of every trait value with the
clauses it comes from, one value per trait and package (the most restrictive;
the others as notes), where each package's facts came from, the sign-off
summary (what blocks release and what clears it, what needs review and who
approved what, the obligations to fulfil) and the real dependency paths of
packages no declared root reaches. Plain functions of the result.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from dllicense.models import (
    Approval,
    Finding,
    LicenseTraits,
    PackageResult,
    ScanResult,
    scope_selected,
)
from dllicense.records import frozen
from dllicense.report.common import (
    ORDERS,
    FrameworkInfo,
    frameworks,
    governing_traits,
    meaning,
    obligations,
    trait,
)
from dllicense.resources import package_text
from dllicense.tomlfile import parse_toml

AXES = ("family", "patent", "commercial")
AXIS_TITLES = {
    "family": "Licence family",
    "patent": "Patent stance",
    "commercial": "Commercial use",
    "obligations": "Obligation",
}
# Origin values, in words (models.Origin)
ORIGIN_TERMS = {
    "version": {
        "installed": "the installed environment",
        "lock": "the lock file",
        "resolver": "the resolver (--online)",
        "index": "the package index (best match of the declaration)",
        "declared": "the declaration (exact pin; nothing resolved)",
        "project": "the project's code or manifests",
    },
    "metadata": {
        "installed": "an installed copy",
        "index": "the package index",
        "none": "none (knowledge base only)",
        "project": "the project (model card or manifest)",
    },
    "files": {
        "read": "read",
        "not-fetched": "declared only, not fetched",
        "none": "none read",
    },
}
ACTION_TITLES = {
    "remove": "Remove",
    "replace": "Replace",
    "exception": "Remove, replace or get an exception approved",
    "clarify": "Clarify",
}
REVIEW_FAMILIES = ("proprietary", "non-commercial", "source-available")
SOURCE_OBLIGATIONS = ("source-disclosure", "same-license", "network-source-disclosure")
NOTICE_OBLIGATIONS = ("notice", "attribution", "include-notice-file")


# ---------------------------------------------------------------- frameworks


@frozen
class FrameworkCard:
    """One deep learning framework with every wheel of it in the scan."""

    info: FrameworkInfo  # the facts, from its first wheel
    wheels: tuple[PackageResult, ...]

    @property
    def expressions(self) -> tuple[str, ...]:
        return tuple(sorted({p.verdict.expression or "UNKNOWN" for p in self.wheels}))


def framework_cards(result: ScanResult) -> list[FrameworkCard]:
    """One card per framework key, its wheels sorted by name and version."""
    groups: dict[str, list[FrameworkInfo]] = {}
    for info in frameworks(result):
        groups.setdefault(info.key, []).append(info)
    out = []
    for key in sorted(groups, key=lambda k: groups[k][0].name.lower()):
        infos = sorted(groups[key], key=lambda i: (i.package.node.name, i.package.node.version))
        out.append(FrameworkCard(infos[0], tuple(i.package for i in infos)))
    return out


# ------------------------------------------------------------ traits, glossary


@frozen
class AxisValue:
    """A package's one value on a trait axis and what the other licences said."""

    axis: str
    value: str
    source: str  # the licence key the kept value comes from
    others: tuple[tuple[str, str], ...]  # (licence key, value) that differ
    reason: str  # why the kept value was chosen ("" when nothing differs)


def axis_values(package: PackageResult) -> tuple[AxisValue, ...]:
    """One value per axis: the least favourable among the governing licences."""
    governing = governing_traits(package)
    out = []
    for axis in AXES:
        value = trait(package, axis)
        source = next((t.key for t in governing if getattr(t, axis) == value), "")
        others = tuple(
            (t.key, str(getattr(t, axis)))
            for t in package.verdict.traits
            if str(getattr(t, axis)) != value
        )
        reason = ""
        if others:
            if package.chosen and len(governing) < len(package.verdict.traits):
                reason = (
                    f"the package is used under {package.chosen} (an OR choice); "
                    "within it the most restrictive value binds"
                )
            else:
                reason = "every licence of the expression applies, so the most restrictive binds"
        out.append(AxisValue(axis, value, source, others, reason))
    return tuple(out)


@frozen
class Clause:
    licence: str  # key
    name: str
    text: str  # the clause, or where the value comes from when no clause is recorded
    recorded: bool  # a clause of the licence text (knowledge-base fact)


@frozen
class GlossaryEntry:
    axis: str
    value: str
    anchor: str
    meaning: str
    clauses: tuple[Clause, ...]


def glossary_anchor(axis: str, value: str) -> str:
    return f"g-{axis}-{value}"


def _clause(t: LicenseTraits, axis: str) -> Clause:
    prefix = f"{axis}: "
    found = [s[len(prefix) :] for s in t.sources if s.startswith(prefix)]
    if found:
        return Clause(t.key, t.name, " ".join(found), True)
    where = next((s for s in t.sources if ":" not in s[:20] or s.startswith("http")), "")
    where = where or (t.sources[0] if t.sources else "")
    text = f"No clause recorded; the value comes from {where}." if where else t.notes
    return Clause(t.key, t.name, text or "Not in the knowledge base.", False)


def glossary(result: ScanResult) -> list[GlossaryEntry]:
    """Every trait and obligation value the report shows, with the clauses behind it."""
    used: dict[tuple[str, str], dict[str, LicenseTraits]] = {}
    for p in result.packages:
        for t in p.verdict.traits:
            for axis in AXES:
                used.setdefault((axis, str(getattr(t, axis))), {}).setdefault(t.key, t)
            for o in t.obligations:
                used.setdefault(("obligations", o), {}).setdefault(t.key, t)
        for axis in AXES:
            used.setdefault((axis, trait(p, axis)), {})
    order = {axis: i for i, axis in enumerate((*AXES, "obligations"))}

    def rank(key: tuple[str, str]) -> tuple[int, int, str]:
        axis, value = key
        values = ORDERS.get(axis, ())
        return (order[axis], values.index(value) if value in values else 99, value)

    return [
        GlossaryEntry(
            axis,
            value,
            glossary_anchor(axis, value),
            meaning(result, axis, value) or "Not in the vocabulary.",
            tuple(_clause(t, axis) for _, t in sorted(used[(axis, value)].items())),
        )
        for axis, value in sorted(used, key=rank)
    ]


# ------------------------------------------------------------------ origins


def origin_words(package: PackageResult) -> tuple[tuple[str, str], ...]:
    """(what, where from) for the package card."""
    o = package.origin
    rows = (
        ("Version", ORIGIN_TERMS["version"].get(o.version, o.version)),
        ("Metadata", ORIGIN_TERMS["metadata"].get(o.metadata, o.metadata)),
        ("Licence files", ORIGIN_TERMS["files"].get(o.files, o.files)),
    )
    return tuple((k, v) for k, v in rows if v)


def origin_counts(result: ScanResult) -> list[tuple[str, list[tuple[str, int]]]]:
    """Per kind of fact, packages per source, for the summary."""
    out = []
    for kind, title in (("version", "Versions from"), ("metadata", "Metadata from")):
        counts = Counter(getattr(p.origin, kind) for p in result.packages)
        out.append(
            (
                title,
                [(ORIGIN_TERMS[kind].get(v, v or "not recorded"), n) for v, n in _sorted(counts)],
            )
        )
    files = Counter(p.origin.files for p in result.packages)
    out.append(
        (
            "Licence files",
            [(ORIGIN_TERMS["files"].get(v, v or "not recorded"), n) for v, n in _sorted(files)],
        )
    )
    return out


def _sorted(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


# ------------------------------------------------------------------- scopes


def scope_split(result: ScanResult, package: PackageResult) -> tuple[list[str], list[str]]:
    """(the scopes the report is about, the others) of a package."""
    shown = [s for s in package.node.scopes if scope_selected(s, result.scopes)]
    return shown, [s for s in package.node.scopes if s not in shown]


# ----------------------------------------------------------------- sign-off


@frozen
class Blocker:
    code: str
    slug: str
    action: str  # remove, replace, exception, clarify
    title: str
    text: str
    findings: tuple[Finding, ...]


@frozen
class ReviewItem:
    package: PackageResult
    why: tuple[str, ...]
    approvals: tuple[Approval, ...]


@frozen
class Obligations:
    notices: tuple[PackageResult, ...]
    notice_files: int  # distinct NOTICE files to ship
    source: tuple[PackageResult, ...]
    restrictions: tuple[PackageResult, ...]


@frozen
class SignOff:
    blockers: tuple[Blocker, ...]
    review: tuple[ReviewItem, ...]
    approvals: tuple[Approval, ...]
    obligations: Obligations


@cache
def _actions() -> dict[str, Any]:
    """What a reviewer does about each rule code: data shipped with this package, read as
    the templates are (never through the scan's journaled reader)."""
    text = package_text(__file__, "data/actions.toml")
    return parse_toml(text)


def sign_off(result: ScanResult) -> SignOff:
    actions = _actions()
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.severity.value == "error":
            groups.setdefault(f.code, []).append(f)
    blockers = []
    for code in sorted(groups):
        entry = actions.get(code, actions["default"])
        action = str(entry["action"])
        blockers.append(
            Blocker(
                code,
                groups[code][0].slug,
                action,
                ACTION_TITLES.get(action, action),
                str(entry["text"]),
                tuple(groups[code]),
            )
        )
    review = []
    for p in result.packages:
        why = []
        family = trait(p, "family")
        if family in REVIEW_FAMILIES:
            why.append(f"licence family {family}")
        commercial = trait(p, "commercial")
        if commercial in ("restricted", "forbidden"):
            why.append(f"commercial use {commercial}")
        if "use-restrictions" in obligations(p):
            why.append("use restrictions (model licence or EULA)")
        codes = {f.code for f in result.findings if f.package == p.node.name}
        if "DL203" in codes:
            why.append("the policy asks for review (DL203)")
        if "DL064" in codes:
            why.append("model licence conditions (DL064)")
        if why:
            approved = tuple(a for a in result.approvals if a.package == p.node.name and a.used)
            review.append(ReviewItem(p, tuple(why), approved))
    duties = {p.node.name: set(obligations(p)) for p in result.packages}
    packages = result.packages
    return SignOff(
        tuple(blockers),
        tuple(review),
        result.approvals,
        Obligations(
            tuple(p for p in packages if duties[p.node.name] & set(NOTICE_OBLIGATIONS)),
            sum(1 for t in result.texts if t.kind == "notice-file"),
            tuple(p for p in packages if duties[p.node.name] & set(SOURCE_OBLIGATIONS)),
            tuple(p for p in packages if "use-restrictions" in duties[p.node.name]),
        ),
    )


# ---------------------------------------------------------------- real paths


def real_path(result: ScanResult, package: PackageResult) -> tuple[str, ...]:
    """The package's path from a declared root, else the shortest chain of ``parents``
    from a package nobody requires (the environment's roots); itself alone in a cycle."""
    path = package.node.path or (package.node.name,)
    direct = {p.node.name for p in result.packages if p.node.direct}
    if path[0] in direct:
        return path
    parents = {p.node.name: p.node.parents for p in result.packages}
    start = package.node.name
    seen = {start}
    frontier: list[tuple[str, ...]] = [(start,)]
    while frontier:
        nxt: list[tuple[str, ...]] = []
        for chain in frontier:
            ups = sorted(q for q in parents.get(chain[0], ()) if q in parents)
            if not ups:
                if len(chain) > 1:
                    return chain
                continue
            for q in ups:
                if q not in seen:
                    seen.add(q)
                    nxt.append((q, *chain))
        frontier = nxt
    return path
