"""The values passed along the pipeline: frozen dataclasses, no behaviour.

discover -> ``Project`` + ``Environment``; resolve -> ``Graph`` of ``Node``;
collect -> ``Evidence``; classify -> ``Verdict`` (+ ``LicenseTraits``);
evaluate -> ``Finding``; everything together -> ``ScanResult``.
Paths inside these values are relative (to the project or to a dist-info
folder) so that reports never leak the user's machine layout.
"""

from __future__ import annotations

from dataclasses import field
from enum import Enum
from typing import Literal

from dllicense.records import frozen

SCHEMA_VERSION = "1.0"
ENVIRONMENT_SCOPE = "environment"  # the scope of a distribution no declared root reaches

# What an ``Evidence`` item is. From a distribution's metadata: license-expression
# (PEP 639), license (a short name), license-text (a whole text in ``License``),
# classifier (trove), license-family (conda's vague family). Files it ships:
# license-file (its own licence), third-party-file (a bundled party's licence),
# notice-file, patents-file; sbom-component (a PEP 770 SBOM it ships). Other sources:
# knowledge (the knowledge base), clarification (the policy), conda-package (the conda
# package a distribution is), declaration (a manifest line of another ecosystem). Models
# and datasets: model-card, card-terms (terms a card adds), access-terms (the gate's
# prompt), weights-metadata (a weights file's own header), reference (where the code
# loads it).
EvidenceKind = Literal[
    "license-expression",
    "license",
    "license-text",
    "classifier",
    "license-family",
    "license-file",
    "third-party-file",
    "notice-file",
    "patents-file",
    "sbom-component",
    "knowledge",
    "clarification",
    "conda-package",
    "declaration",
    "model-card",
    "card-terms",
    "access-terms",
    "weights-metadata",
    "reference",
]
Confidence = Literal["high", "medium", "low", "none"]
Status = Literal["ok", "warning", "error"]  # the worst severity of a package's findings


class Severity(str, Enum):
    """Severity of a finding, ordered from least to most severe."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return ("info", "warning", "error").index(self.value)


@frozen
class Location:
    """A place in a file of the scanned project (``file`` is relative to it)."""

    file: str
    line: int | None = None


@frozen
class Declared:
    """One requirement the project declares, as written, with where and in which scope."""

    raw: str
    name: str  # canonical (PEP 503) name, "" when the line names no package
    scope: str  # "runtime", "extra:NAME" or "group:NAME"
    location: Location
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str = ""
    kind: str = "pypi"  # "pypi", "url", "editable", "path"


@frozen
class Problem:
    """Something discover/resolve/collect could not read; becomes a finding."""

    code: str
    message: str
    package: str = ""
    version: str = ""
    location: Location | None = None


# Why a stage did not carry a package forward (``dllicense.skipped`` maps each to its rule).
SkipReason = Literal[
    "declared-not-installed",  # declared, no installed distribution (environment walk)
    "required-not-installed",  # required by an installed package, not installed
    "metadata-unreadable",  # its metadata folder has no readable METADATA
    "not-locked",  # the lock has no version of it for the target (a gap in the lock)
    "lock-out-of-date",  # declared, but the lock does not lock it (or not that version)
    "unaccounted",  # reached by the graph but neither scanned nor reported: a dllicense bug
]
SkipStage = Literal["discover", "resolve", "collect", "pipeline"]


@frozen
class Skipped:
    """A package a stage reached but does not carry forward, and why: never dropped
    silently (pip-audit's ``SkippedDependency``). Each becomes a finding that names it."""

    package: str
    version: str
    stage: SkipStage
    reason: SkipReason
    detail: str  # the finding's message
    location: Location | None = None


@frozen
class Project:
    """What the project declares (discover)."""

    name: str
    declared: tuple[Declared, ...]
    sources: tuple[str, ...]  # relative paths of the files read
    problems: tuple[Problem, ...] = ()
    repository_prefix: str = ""  # the project's folder in its repository ("sub/dir/"; "": root)


@frozen
class Distribution:
    """One installed distribution, read from its ``*.dist-info`` (or ``*.egg-info``) folder.

    ``path`` is absolute and used only to read files; reports use ``location``.
    """

    name: str  # canonical name
    display_name: str
    version: str
    path: str
    location: str  # label of the folder it was found in, never an absolute path
    metadata_version: str = ""
    summary: str = ""
    license_expression: str = ""
    license: str = ""
    classifiers: tuple[str, ...] = ()
    license_files: tuple[str, ...] = ()
    requires_dist: tuple[str, ...] = ()
    provides_extra: tuple[str, ...] = ()
    home_page: str = ""
    problems: tuple[Problem, ...] = ()
    files_read: bool = True  # False: metadata from an index, licence files not fetched
    ecosystem: str = "pypi"  # "conda": a conda package record (path: its package's info folder)
    license_family: str = ""  # conda: the recipe's license_family, vague evidence only


@frozen
class Environment:
    """The set of distributions to inspect and the marker environment to resolve with."""

    description: str  # e.g. "venv .venv (Python 3.11.7)", never an absolute path
    python_version: str
    markers: tuple[tuple[str, str], ...]
    distributions: tuple[Distribution, ...]
    problems: tuple[Problem, ...] = ()
    skipped: tuple[Skipped, ...] = ()  # metadata folders that could not be read


@frozen
class LockedWheel:
    """A wheel a lock records for a package: its URL (may hold credentials: never print it),
    hashes as (algorithm, hex digest) and size in bytes."""

    url: str
    hashes: tuple[tuple[str, str], ...] = ()
    size: int | None = None


@frozen
class Node:
    """A package in the resolved graph with how it is reached."""

    name: str
    version: str
    scopes: tuple[str, ...]
    path: tuple[str, ...]  # a shortest path from a declared root, root first, self last
    parents: tuple[str, ...]  # canonical names of the packages that require it
    requires: tuple[str, ...]  # canonical names it requires (installed or not)
    direct: bool
    extras: tuple[str, ...] = ()
    ecosystem: str = "pypi"  # pypi, huggingface, maven, conda, luarocks
    index: str = ""  # the package index a lock says it came from; may hold credentials
    # the (name, version) of each graph node it requires: its edges by identity (a lock
    # read for every target can hold several versions of a name)
    depends: tuple[tuple[str, str], ...] = ()
    # the wheels the lock records, for --online to read their metadata without the index
    # page; not part of the node's identity
    wheels: tuple[LockedWheel, ...] = field(default=(), compare=False, repr=False)


@frozen
class Graph:
    """The resolved nodes; ``distributions``: metadata the graph's source itself holds for
    nodes of other ecosystems (conda records, keyed by name and version); ``evidence``:
    extra statements about a node by name (the conda package a Python distribution is)."""

    nodes: tuple[Node, ...]
    problems: tuple[Problem, ...] = ()
    skipped: tuple[Skipped, ...] = ()  # packages reached and not made nodes, with why
    distributions: tuple[Distribution, ...] = ()
    evidence: tuple[tuple[str, Evidence], ...] = ()
    # the label of a lock that records no edges (Pipfile.lock, pinned requirements without
    # ``# via``), read for one target: its gaps are found from its packages' metadata
    flat_lock: str = ""


@frozen
class ExternalPackage:
    """A dependency that is not an installed Python distribution.

    Models and datasets the code loads, Maven/conda/LuaRocks declarations:
    each comes with its own evidence and goes through the same classify and
    evaluate steps as a distribution.
    """

    node: Node  # scopes such as ("model",), ("dataset",), ("maven",)
    ecosystem: str  # "huggingface", "maven", "conda", "luarocks"
    evidence: tuple[Evidence, ...]
    problems: tuple[Problem, ...] = ()
    location: Location | None = None  # where the project references it


@frozen
class Evidence:
    """One statement about a package's licence, with its source.

    ``kind``: one of ``EvidenceKind`` (its comment says what each is).
    ``expression`` is the normalised SPDX expression this item supports
    ("" when it supports none, e.g. UNKNOWN).
    """

    kind: EvidenceKind
    source: str  # "METADATA:License-Expression", "licenses/LICENSE", ...
    value: str  # the raw value, shortened for texts
    expression: str = ""
    vague: bool = False  # a family name only ("BSD", "GPL")
    sha256: str = ""
    note: str = ""
    matched: tuple[str, ...] = ()  # for texts: every licence text found in it, longest first
    holders: tuple[str, ...] = ()  # for texts: the copyright holders it names, in text order


@frozen
class LicenseTraits:
    """What a licence means; one record per SPDX id or LicenseRef."""

    key: str
    name: str
    family: str  # permissive, weak-copyleft, strong-copyleft, network-copyleft,
    # public-domain, proprietary, non-commercial, source-available, unknown
    patent: str  # express-grant, grant-with-retaliation, excluded, silent, unknown
    commercial: str  # allowed, restricted, forbidden, unknown
    obligations: tuple[str, ...] = ()  # notice, attribution, state-changes,
    # source-disclosure, same-license, network-source-disclosure, use-restrictions
    osi_approved: bool = False
    sources: tuple[str, ...] = ()
    notes: str = ""


@frozen
class Verdict:
    """The licence of a package (classify)."""

    expression: str  # SPDX expression; "" when unknown
    confidence: Confidence
    decided_by: tuple[str, ...]  # sources of the evidence that decided
    traits: tuple[LicenseTraits, ...] = ()
    disagreements: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    bundled: tuple[str, ...] = ()  # "FILE: EXPR" licence texts the expression leaves out


@frozen
class Finding:
    """A rule violation or a problem worth reporting (evaluate)."""

    code: str
    slug: str
    severity: Severity
    message: str
    package: str = ""
    version: str = ""
    term: str = ""
    path: tuple[str, ...] = ()
    location: Location | None = None


@frozen
class Origin:
    """Where a package's facts came from (for the reviewer; see ``ORIGIN_TERMS`` in reports).

    ``version``: installed (the environment), lock (a lock file), resolver (``--online``
    resolution), declared (an exact pin, nothing resolved), project (models, datasets,
    other ecosystems referenced by the code or manifests).
    ``metadata``: installed (an installed copy's dist-info), index (the package index),
    none (knowledge base only). ``files``: read (licence files read), not-fetched (index
    metadata without files), none (no metadata to read them from).
    """

    version: str = ""
    metadata: str = ""
    files: str = ""


@frozen
class PackageResult:
    node: Node
    evidence: tuple[Evidence, ...]
    verdict: Verdict
    status: Status
    chosen: str = ""  # for OR expressions: the branch the policy accepted
    origin: Origin = field(default_factory=Origin)


@frozen
class Revision:
    """The scanned project's version-control state, read from ``.git`` (git never runs).

    ``dirty``: "yes", "no" or "unknown" (tracked files against the index, the index against
    the commit; untracked files are not checked); ``note`` says how it was decided.
    """

    vcs: str = ""  # "git"; "" when the project is in no repository found
    commit: str = ""
    branch: str = ""  # "" when HEAD is detached or unknown
    dirty: str = "unknown"
    note: str = ""


@frozen
class Approval:
    """A policy exception: a reviewed decision that accepts licences for a package."""

    package: str
    versions: str
    allow: tuple[str, ...]
    reason: str
    approved_by: str
    expires: str  # ISO date, "" when it never expires
    where: str  # "dllicense.toml:12"
    used: bool  # it accepted a package of this scan


@frozen
class LicenseText:
    """A distinct licence, notice or patents text found in the scan (for NOTICE files)."""

    sha256: str
    kind: EvidenceKind  # license-text, license-file, third-party-file, notice-file, patents-file
    expression: str
    text: str
    packages: tuple[str, ...]  # "name==version" of every package that ships it
    holders: tuple[str, ...] = ()  # the copyright holders it names, in text order


@frozen
class Rule:
    """A rule of the registry (``policy/rules.toml``)."""

    code: str
    slug: str
    severity: Severity
    summary: str
    explanation: str


@frozen
class LicenseChange:
    """A licence change a reviewer must see when an upgrade crosses it.

    ``kind``: relicense, component (a bundled part changed) or metadata (only
    the declared expression changed). ``at_version`` is the first version
    with the new licence, "" when unknown.
    """

    kind: str
    from_expression: str
    to_expression: str
    at_version: str = ""
    date: str = ""
    verified: bool = True
    sources: tuple[str, ...] = ()
    note: str = ""


@frozen
class LicensePeriod:
    """A licence period of a framework (a PEP 440 specifier set, "" = every version)."""

    versions: str
    expression: str
    wheel_expression: str
    verified: bool
    current: bool  # covers the scanned version
    note: str


@frozen
class FrameworkFacts:
    """What the knowledge base says of a deep learning framework, for one package of the
    scan (``name``/``version`` of the package; ``key``/``title`` of the framework)."""

    name: str
    version: str
    key: str
    title: str
    seed: bool  # reviewed in the seed document
    reviewer_note: str
    commercial_support: str
    periods: tuple[LicensePeriod, ...]
    changes: tuple[LicenseChange, ...]
    bundled: tuple[tuple[str, str, str], ...]  # (component, expression, note) at this version
    sources: tuple[str, ...]


@frozen
class ScanResult:
    """Everything a report needs; rendered by ``dllicense.report``."""

    tool_version: str
    project: str
    environment: str
    python_version: str
    policy: str
    scopes: tuple[str, ...]
    packages: tuple[PackageResult, ...]
    findings: tuple[Finding, ...]
    sources: tuple[str, ...] = ()
    declared: tuple[Declared, ...] = ()  # what the project declares, with file and line
    texts: tuple[LicenseText, ...] = ()
    schema_version: str = SCHEMA_VERSION
    generated: str = ""  # ISO scan time (SOURCE_DATE_EPOCH when set, for reproducible output)
    options: tuple[tuple[str, str], ...] = field(default=())
    repository_prefix: str = ""  # Project.repository_prefix: SARIF paths are repository-relative
    revision: Revision = field(default_factory=Revision)
    approvals: tuple[Approval, ...] = ()  # the policy's exceptions, used or not
    # what reports explain, from the knowledge base and the rule registry (not scan facts):
    frameworks: tuple[FrameworkFacts, ...] = ()  # one per framework package, package order
    meanings: tuple[tuple[str, str, str], ...] = ()  # (trait axis, value, meaning)
    rules: tuple[Rule, ...] = ()  # the whole registry, in code order


@frozen
class WhyPath:
    packages: tuple[str, ...]  # root first, the package last
    scopes: tuple[str, ...]  # how the root is declared ("environment" if not declared)


@frozen
class Why:
    """``dllicense why``: the paths from the project's roots to one package."""

    name: str
    version: str
    scopes: tuple[str, ...]
    paths: tuple[WhyPath, ...]
    truncated: bool  # more paths exist than were returned


@frozen
class Progress:
    """A step of a long task, for a progress bar: ``done`` of ``total`` items of ``label``.

    A scan's progress callback receives these and plain status lines (``str``).
    """

    label: str
    done: int
    total: int


def scope_selected(scope: str, selected: tuple[str, ...]) -> bool:
    """Is ``scope`` among the ``--scope`` choices? Extras and groups are opt-in; runtime,
    the environment and non-Python scopes (model, dataset, maven, ...) always count."""
    if "all" in selected or scope in selected:
        return True
    if scope.startswith("extra:"):
        return "extras" in selected
    if scope.startswith("group:"):
        return "groups" in selected
    return True
