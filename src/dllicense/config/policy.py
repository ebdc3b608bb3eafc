"""Policies: where they live, how they extend each other, validation with file:line.

A policy is found, in order, from ``--policy NAME|PATH``, ``dllicense.toml``
in the project, ``[tool.dllicense]`` in its ``pyproject.toml``, else the
built-in ``default``. ``extends = "NAME"`` starts from a built-in policy
(``policies/NAME.toml``) or another policy file and overrides its keys;
exceptions, clarifications, scope rules and severities are added to the base's.
Nothing is guessed: an unknown key, licence, trait, date or version range is
a ``ConfigError``; one run names every error, each with its file, real line and
key path (``exceptions[1].expires``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.config.policyreader import Reader
from dllicense.config.policytypes import (
    SELECTORS,
    SEVERITIES,
    USES,
    Clarification,
    Policy,
    PolicyException,
    ScopeRule,
)
from dllicense.config.tomllines import Path as KeyPath
from dllicense.errors import ConfigError
from dllicense.models import Severity
from dllicense.paths import inside
from dllicense.resources import data_dir
from dllicense.tomlfile import describe_error, error_line, parse_toml, read_text

__all__ = [
    "SELECTORS",
    "SEVERITIES",
    "USES",
    "Clarification",
    "Policy",
    "PolicyException",
    "ScopeRule",
    "builtin_names",
    "load_policy",
]
_KEYS = {
    "name",
    "description",
    "extends",
    "use",
    "allow",
    "forbid-traits",
    "review-traits",
    "unknown-license",
    "scopes",
    "severity",
    "scope-rules",
    "exceptions",
    "clarifications",
    "models",
}
_EXCEPTION_KEYS = {"package", "versions", "allow", "reason", "approved-by", "expires"}
_CLARIFICATION_KEYS = {"package", "versions", "expression", "reason", "files"}
_SCOPE_RULE_KEYS = {"scopes", "allow", "forbid-traits", "reason"}


def builtin_names() -> list[str]:
    return sorted(p.stem for p in data_dir("policies").glob("*.toml"))


def load_policy(project: Path, choice: str | None = None) -> Policy:
    """Find and load the policy for ``project`` (see module docstring)."""
    if choice:
        path = Path(choice)
        if path.suffix == ".toml" or path.exists():
            if not path.is_file():
                raise ConfigError(f"--policy {choice}: no such file")
            # a file of the project is named relative to it, not by a machine path
            return _load_file(path, inside(path, project) or choice, table=None)
        return _load_builtin(choice)
    own = project / "dllicense.toml"
    if own.is_file():
        return _load_file(own, "dllicense.toml", table=None)
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = parse_toml(read_text(pyproject))
        except (OSError, ValueError):
            data = {}  # reported as DL010 by discover; fall back to the default policy
        if isinstance(data.get("tool"), dict) and "dllicense" in data["tool"]:
            return _load_file(pyproject, "pyproject.toml", table="dllicense")
    return _load_builtin("default")


def _load_builtin(name: str) -> Policy:
    path = data_dir("policies") / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(
            f"unknown policy {name!r}; built-in policies: " + ", ".join(builtin_names())
        )
    return _load_file(path, f"built-in {name}", table=None)


def _load_file(path: Path, label: str, table: str | None, seen: tuple[str, ...] = ()) -> Policy:
    text = ""
    try:
        text = read_text(path)
        data: Any = parse_toml(text)
    except (OSError, ValueError) as exc:
        line = error_line(exc, text)
        where = f"{label}:{line}" if line else label
        raise ConfigError(f"{where}: {describe_error(exc)}") from exc
    if table:
        data = data["tool"][table]
    reader = Reader(label, text, f"tool.{table}" if table else "")
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: the policy must be a table")
    reader.keys(data, _KEYS, (), "policy")
    base = _base(data.get("extends"), reader, path, seen)
    policy = _build(data, reader, base, path)
    _contradictions(policy, reader)
    reader.done()
    return policy


def _contradictions(policy: Policy, r: Reader) -> None:
    """An explicit allow entry that forbid-traits takes back (cargo-deny flags the same)."""
    if not policy.forbid_traits:
        return
    from dllicense.knowledge import license_traits
    from dllicense.knowledge.traits import trait_labels

    for entry, _ in policy.allow_where:
        key = entry.split(" WITH ")[0]
        traits = license_traits(key)
        hit = sorted(trait_labels(traits) & set(policy.forbid_traits)) if traits else []
        if hit:
            r.error(
                ("allow",),
                f"{entry!r} is both allowed and forbidden (forbid-traits: {', '.join(hit)})",
                entry,
            )


def _build(data: dict[str, Any], r: Reader, base: Policy | None, path: Path) -> Policy:
    allow = r.licences(r.strings(data, (), "allow") or (), ("allow",)) if "allow" in data else None
    forbid = r.strings(data, (), "forbid-traits")
    review = r.strings(data, (), "review-traits")
    scopes = r.strings(data, (), "scopes")
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        r.error(("severity",), 'must be a table of CODE = "error|warning|info|off"')
        severity = {}
    from dllicense.rules import rules

    for code, level in list(severity.items()):
        if code not in rules():
            r.error(("severity", code), "unknown rule code")
            del severity[code]
        elif level not in SEVERITIES:
            r.error(("severity", code), f"must be one of {', '.join(SEVERITIES)}")
            del severity[code]
    unknown_default = base.unknown_severity.value if base else "error"
    merged_severity = dict(base.severity if base else ()) | {
        str(k): str(v) for k, v in severity.items()
    }
    own_allow = allow if allow is not None else (base.allow if base else ())
    return Policy(
        name=r.string(data, (), "name", base.name if base else path.stem),
        description=r.string(data, (), "description", base.description if base else ""),
        allow=own_allow,
        forbid_traits=r.traits(forbid, ("forbid-traits",))
        if forbid is not None
        else (base.forbid_traits if base else ()),
        review_traits=r.traits(review, ("review-traits",))
        if review is not None
        else (base.review_traits if base else ()),
        unknown_severity=Severity(
            r.choice(data, "unknown-license", ("error", "warning", "info"), unknown_default)
        ),
        source=r.label,
        use=r.choice(data, "use", USES, base.use if base else "distributed"),
        scopes=scopes if scopes is not None else (base.scopes if base else ("runtime",)),
        severity=tuple(sorted(merged_severity.items())),
        scope_rules=(*(base.scope_rules if base else ()), *_scope_rules(data, r)),
        exceptions=(*(base.exceptions if base else ()), *_exceptions(data, r)),
        clarifications=(*(base.clarifications if base else ()), *_clarifications(data, r)),
        models=_flag(data, r, "models", base.models if base else False),
        # explicit licences of the user's own policy, checked for use (DL304)
        allow_where=tuple(
            (a, r.where(("allow",), a))
            for a in (allow or ())
            if not a.startswith("@") and not r.label.startswith("built-in")
        ),
    )


def _flag(data: dict[str, Any], r: Reader, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        r.error((key,), "must be true or false")
        return default
    return value


def _exceptions(data: dict[str, Any], r: Reader) -> list[PolicyException]:
    out = []
    for index, entry in enumerate(r.tables(data, (), "exceptions")):
        at: KeyPath = ("exceptions", index)
        r.keys(entry, _EXCEPTION_KEYS, at, "exceptions")
        package = r.string(entry, at, "package")
        allow = r.strings(entry, at, "allow")
        reason = r.string(entry, at, "reason")
        if not package:
            r.error((*at, "package"), "every exception needs a package")
        if not allow:
            r.error((*at, "allow"), "must list the licences accepted")
        if not reason.strip():
            r.error((*at, "reason"), "a reason is required")
        versions = r.versions(entry, at)
        accepted = r.licences(allow or (), (*at, "allow"), star=True)
        approved = r.string(entry, at, "approved-by")
        expires = r.date(entry, at, "expires")
        if package and allow and reason.strip():
            out.append(
                PolicyException(
                    package=canonicalize_name(package),
                    versions=versions,
                    allow=accepted,
                    reason=reason,
                    approved_by=approved,
                    expires=expires,
                    where=r.where((*at, "package")),
                )
            )
    return out


def _clarifications(data: dict[str, Any], r: Reader) -> list[Clarification]:
    from dllicense.licenses.spdx import normalize_expression

    out = []
    for index, entry in enumerate(r.tables(data, (), "clarifications")):
        at: KeyPath = ("clarifications", index)
        r.keys(entry, _CLARIFICATION_KEYS, at, "clarifications")
        package = r.string(entry, at, "package")
        raw = r.string(entry, at, "expression")
        normal = normalize_expression(raw)
        if not package:
            r.error((*at, "package"), "every clarification needs a package")
        if not normal.expression:
            r.error((*at, "expression"), f"{raw!r} is not valid ({normal.error or 'missing'})")
        files = []
        for number, item in enumerate(r.tables(entry, at, "files")):
            where: KeyPath = (*at, "files", number)
            r.keys(item, {"path", "sha256"}, where, "clarifications.files")
            digest = r.string(item, where, "sha256").lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                r.error((*where, "sha256"), "must be 64 hex digits")
            files.append((r.string(item, where, "path"), digest))
        versions = r.versions(entry, at)
        reason = r.string(entry, at, "reason")
        if package and normal.expression:
            out.append(
                Clarification(
                    package=canonicalize_name(package),
                    versions=versions,
                    expression=normal.expression,
                    reason=reason,
                    files=tuple(files),
                    where=r.where((*at, "package")),
                )
            )
    return out


def _scope_rules(data: dict[str, Any], r: Reader) -> list[ScopeRule]:
    out = []
    for index, entry in enumerate(r.tables(data, (), "scope-rules")):
        at: KeyPath = ("scope-rules", index)
        r.keys(entry, _SCOPE_RULE_KEYS, at, "scope-rules")
        scopes = r.strings(entry, at, "scopes")
        if not scopes:
            r.error((*at, "scopes"), "must list scope patterns")
            continue
        allow = r.strings(entry, at, "allow")
        forbid = r.strings(entry, at, "forbid-traits")
        out.append(
            ScopeRule(
                scopes=scopes,
                allow=r.licences(allow, (*at, "allow")) if allow is not None else None,
                forbid_traits=r.traits(forbid, (*at, "forbid-traits"))
                if forbid is not None
                else None,
                reason=r.string(entry, at, "reason"),
            )
        )
    return out


def _base(extends: object, r: Reader, path: Path, seen: tuple[str, ...]) -> Policy | None:
    """The policy ``extends`` names (its own errors are raised with its own file)."""
    if extends is None:
        return None
    if not isinstance(extends, str):
        r.error(("extends",), "must be a policy name or a path")
        return None
    if extends in seen:
        r.error(("extends",), f"policy extends itself ({' -> '.join((*seen, extends))})")
        return None
    candidate = path.parent / extends
    if extends.endswith(".toml") and candidate.is_file():
        return _load_file(candidate, extends, None, (*seen, extends))
    builtin = data_dir("policies") / f"{extends}.toml"
    if not builtin.is_file():
        r.error(("extends",), f"unknown policy {extends!r}")
        return None
    return _load_file(builtin, f"built-in {extends}", None, (*seen, extends))
