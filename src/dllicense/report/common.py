"""What several renderers compute from a ``ScanResult``: counts, a package's
summary traits, dependency-path trees, framework facts, declaration lines.

Plain functions of the result; no formatting and no heavy imports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache

from dllicense.models import (
    Finding,
    FrameworkFacts,
    LicenseChange,
    LicensePeriod,
    LicenseTraits,
    Location,
    PackageResult,
    ScanResult,
)
from dllicense.records import frozen

SEVERITIES = ("error", "warning", "info")
# Trait values, least favourable first: a package governed by several licences
# (AND) is summarised by the least favourable value among them.
FAMILY_ORDER = (
    "proprietary",
    "non-commercial",
    "source-available",
    "network-copyleft",
    "strong-copyleft",
    "weak-copyleft",
    "unknown",
    "permissive",
    "public-domain",
)
PATENT_ORDER = ("excluded", "unknown", "silent", "grant-with-retaliation", "express-grant")
COMMERCIAL_ORDER = ("forbidden", "restricted", "unknown", "allowed")
ORDERS = {"family": FAMILY_ORDER, "patent": PATENT_ORDER, "commercial": COMMERCIAL_ORDER}
ENVIRONMENT_ROOT = "installed, not declared"


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per severity, every severity present."""
    counts = Counter(f.severity.value for f in findings)
    return {s: counts[s] for s in SEVERITIES}


def governing_traits(package: PackageResult) -> tuple[LicenseTraits, ...]:
    """The traits that bind the user: those of the chosen ``OR`` branch when there is one."""
    traits = package.verdict.traits
    if package.chosen:
        from dllicense.licenses.spdx import license_keys

        keys = set(license_keys(package.chosen))
        chosen = tuple(t for t in traits if t.key in keys)
        return chosen or traits
    return traits


def trait(package: PackageResult, axis: str) -> str:
    """The least favourable value of ``axis`` (family, patent, commercial); "unknown" if none."""
    order = ORDERS[axis]
    values = [str(getattr(t, axis)) for t in governing_traits(package)]
    if not values:
        return "unknown"
    return min(values, key=lambda v: order.index(v) if v in order else order.index("unknown"))


def obligations(package: PackageResult) -> tuple[str, ...]:
    """Every obligation of the governing licences, sorted."""
    return tuple(sorted({o for t in governing_traits(package) for o in t.obligations}))


def holders(package: PackageResult) -> tuple[str, ...]:
    """The copyright holders named in the package's licence and NOTICE texts, deduplicated,
    in evidence order, then text order."""
    return tuple(dict.fromkeys(h for e in package.evidence for h in e.holders))


def trait_counts(result: ScanResult, axis: str) -> list[tuple[str, int]]:
    """Packages per value of ``axis``, in the axis order, only values that occur."""
    counts = Counter(trait(p, axis) for p in result.packages)
    order = ORDERS[axis]
    extra = sorted(v for v in counts if v not in order)
    return [(v, counts[v]) for v in (*order, *extra) if counts[v]]


def findings_by_package(result: ScanResult) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.package:
            out.setdefault(f.package, []).append(f)
    return out


def failing(result: ScanResult) -> list[PackageResult]:
    """Packages whose status is not ok, errors first, then by name."""
    bad = [p for p in result.packages if p.status != "ok"]
    return sorted(bad, key=lambda p: (p.status != "error", p.node.name))


def root_label(result: ScanResult, path: tuple[str, ...], direct: set[str] | None = None) -> str:
    """The project when the path starts at a declared dependency, else the environment.

    ``direct``: the names of the direct dependencies, when the caller has them (a caller
    that labels every package passes them, or the work grows with the square)."""
    if direct is None:
        direct = {p.node.name for p in result.packages if p.node.direct}
    return result.project if path and path[0] in direct else ENVIRONMENT_ROOT


@frozen
class TreeNode:
    """A node of a drawn dependency tree, with its position in grid units."""

    key: str
    label: str
    depth: int
    row: float
    status: str  # "root", "ok", "warning", "error", "missing"
    parent: str = ""


@frozen
class Tree:
    nodes: tuple[TreeNode, ...]
    depth: int  # number of columns
    rows: int  # number of leaf rows


def path_tree(
    result: ScanResult,
    packages: Iterable[PackageResult],
    path_of: Callable[[PackageResult], tuple[str, ...]] | None = None,
) -> Tree:
    """The union of the dependency paths of ``packages`` as a tree laid out left to right.

    Column = depth (the project or the environment first), leaves take one row
    each, a parent sits at the middle of its children. Deterministic. ``path_of``:
    the path drawn for a package (default: ``node.path``).
    """
    status = {p.node.name: p.status for p in result.packages}
    direct = {p.node.name for p in result.packages if p.node.direct}
    children: dict[tuple[str, ...], dict[tuple[str, ...], None]] = {}  # ordered sets
    for package in packages:
        path = path_of(package) if path_of else package.node.path or (package.node.name,)
        full = (root_label(result, path, direct), *path)
        for i in range(1, len(full)):
            children.setdefault(full[:i], {})[full[: i + 1]] = None
    roots = sorted({k[:1] for k in children}, key=lambda k: (k[0] == ENVIRONMENT_ROOT, k[0]))
    nodes: list[TreeNode] = []
    next_row = 0

    def place(top: tuple[str, ...]) -> None:
        """Lay out ``top``'s subtree, children before parents, without recursion (a
        dependency path may be thousands of packages long)."""
        nonlocal next_row
        rows: dict[tuple[str, ...], float] = {}
        stack: list[tuple[tuple[str, ...], list[tuple[str, ...]] | None]] = [(top, None)]
        while stack:
            key, kids = stack.pop()
            if kids is None:
                kids = sorted(children.get(key, {}), key=lambda k: (k[-1] not in status, k[-1]))
                stack.append((key, kids))
                stack.extend((k, None) for k in reversed(kids))
                continue
            if kids:
                row = (rows[kids[0]] + rows[kids[-1]]) / 2
            else:
                row = float(next_row)
                next_row += 1
            rows[key] = row
            state = "root" if len(key) == 1 else status.get(key[-1], "missing")
            parent = "/".join(key[:-1])
            nodes.append(TreeNode("/".join(key), key[-1], len(key) - 1, row, state, parent))

    for root in roots:
        place(root)
    nodes.sort(key=lambda n: (n.depth, n.row, n.key))
    depth = max((n.depth for n in nodes), default=-1) + 1
    return Tree(tuple(nodes), depth, next_row)


def declaration(result: ScanResult, name: str) -> Location | None:
    """Where the project declares ``name``: its first declaration, else a finding's location.

    Findings on ``name`` itself (DL001, DL005) carry the declaring line too.
    """
    return _declarations(result).get(name)


_DECLARATIONS: list[tuple[ScanResult, dict[str, Location]]] = []


def _declarations(result: ScanResult) -> dict[str, Location]:
    """``declaration`` for every name, built once per result (the last one is kept): a
    search per finding grew with the square of the findings."""
    if _DECLARATIONS and _DECLARATIONS[0][0] is result:
        return _DECLARATIONS[0][1]
    out: dict[str, Location] = {}
    for item in result.declared:
        out.setdefault(item.name, item.location)
    for f in result.findings:
        if f.package and f.package not in out and f.location is not None and len(f.path) <= 1:
            out[f.package] = f.location
    _DECLARATIONS[:] = [(result, out)]
    return out


def finding_location(result: ScanResult, finding: Finding) -> Location | None:
    """The finding's own location, else the declaration of the first package of its path."""
    if finding.location is not None:
        return finding.location
    if finding.path:
        return declaration(result, finding.path[0])
    if finding.package:
        return declaration(result, finding.package)
    return None


@frozen
class FrameworkInfo:
    """A deep learning framework found in the scan: one of its packages and what the
    knowledge base says of it (``ScanResult.frameworks``)."""

    package: PackageResult
    facts: FrameworkFacts

    @property
    def key(self) -> str:
        return self.facts.key

    @property
    def name(self) -> str:
        return self.facts.title

    @property
    def seed(self) -> bool:
        return self.facts.seed

    @property
    def reviewer_note(self) -> str:
        return self.facts.reviewer_note

    @property
    def commercial_support(self) -> str:
        return self.facts.commercial_support

    @property
    def periods(self) -> tuple[LicensePeriod, ...]:
        return self.facts.periods

    @property
    def changes(self) -> tuple[LicenseChange, ...]:
        return self.facts.changes

    @property
    def bundled(self) -> tuple[tuple[str, str, str], ...]:
        return self.facts.bundled

    @property
    def sources(self) -> tuple[str, ...]:
        return self.facts.sources

    @property
    def known(self) -> LicensePeriod | None:
        """The period covering the scanned version, if the knowledge base has one."""
        return next((p for p in self.periods if p.current), None)


def frameworks(result: ScanResult) -> list[FrameworkInfo]:
    """Deep learning frameworks among the packages, with facts and licence history."""
    facts = {(f.name, f.version): f for f in result.frameworks}
    found = ((p, facts.get((p.node.name, p.node.version))) for p in result.packages)
    return [FrameworkInfo(p, f) for p, f in found if f is not None]


def meaning(result: ScanResult, axis: str, value: str) -> str:
    """The one-line meaning of a trait value ("" when the value is not in the vocabulary)."""
    return _meanings(result.meanings).get((axis, value), "")


@cache
def _meanings(rows: tuple[tuple[str, str, str], ...]) -> dict[tuple[str, str], str]:
    return {(axis, value): text for axis, value, text in rows}


def content_digest(result: ScanResult) -> str:
    """A sha256 of what identifies a scan (project, tool, time, packages and verdicts).

    Used for ids that must be unique per scan yet reproducible (SBOM serial
    numbers and namespaces).
    """
    import hashlib

    digest = hashlib.sha256()
    for part in (
        result.project,
        result.tool_version,
        result.generated,
        result.policy,
        result.environment,
    ):
        digest.update(part.encode("utf-8") + b"\x00")
    for p in result.packages:
        line = f"{p.node.name}\x1f{p.node.version}\x1f{p.verdict.expression}\x1f{p.status}"
        digest.update(line.encode("utf-8") + b"\x00")
    return digest.hexdigest()


def require(module: str, fmt: str, distribution: str) -> None:
    """Fail with one clear line when the library a format is built with is not installed."""
    from importlib.util import find_spec

    from dllicense.errors import UsageError

    if find_spec(module) is None:
        raise UsageError(f"--format {fmt} needs {distribution}: pip install 'dllicense[sbom]'")
