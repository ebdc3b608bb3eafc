"""Fully pinned requirements files (``pip-compile``, ``uv pip compile``, ``pip freeze``).

Every requirement is ``name==version`` (extras, a marker and ``--hash`` options
allowed). ``# via`` annotations, when present, give the edges and the roots;
without them every line is a root of the file's scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dllicense.discover.locks.common import unreadable
from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage, Root
from dllicense.discover.requirements import scope_for
from dllicense.models import Location, Problem
from dllicense.sanitize import quoted
from dllicense.tomlfile import read_text

_OPTION = re.compile(r"\s--?[a-z][a-z-]*(?:=|\s+)\S+")
_ALLOWED_OPTIONS = (
    "--index-url",
    "-i",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--trusted-host",
    "--no-index",
    "--prefer-binary",
    "--only-binary",
    "--no-binary",
    "--pre",
)
_SOURCE = re.compile(r"\((?P<file>[^():]+)(?::(?P<group>[^()]+))?\)\s*$")


@dataclass
class _Line:
    number: int
    text: str
    via: list[str] = field(default_factory=list)


def is_pinned_file(path: Path) -> bool:
    """A requirements file where every requirement is pinned with ``==``."""
    try:
        lines = _lines(read_text(path))
    except (OSError, ValueError):
        return False
    return bool(lines) and all(_pin(line.text) is not None for line in lines)


def read_pinned(path: Path, label: str, root: Path) -> Lock:
    try:
        text = read_text(path)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Lock(
            "requirements", label, (), problems=(unreadable(label, reason),), files=(label,)
        )
    scope = scope_for(path)
    problems: list[Problem] = []
    pinned: list[tuple[_Line, Requirement, str]] = []
    for line in _lines(text):
        pin = _pin(line.text)
        if pin is None:
            problems.append(
                Problem(
                    "DL034",
                    f"{label} is used as a lock but this line is not pinned with ==: "
                    f"{quoted(line.text)} (skipped)",
                    location=Location(label, line.number),
                )
            )
            continue
        pinned.append((line, *pin))
    names = {canonicalize_name(req.name) for _, req, _ in pinned}
    children: dict[str, list[LockedDependency]] = {}
    roots: list[Root] = []
    annotated = any(line.via for line, _, _ in pinned)
    for line, req, version in pinned:
        name = canonicalize_name(req.name)
        dep = LockedDependency(
            name,
            version=version,
            marker=str(req.marker) if req.marker else "",
            extras=tuple(sorted(canonicalize_name(e) for e in req.extras)),
        )
        parents = [canonicalize_name(v) for v in line.via if canonicalize_name(v) in names]
        for parent in parents:
            children.setdefault(parent, []).append(dep)
        sources = [v for v in line.via if canonicalize_name(v) not in names]
        where = Location(label, line.number)
        for source in sources or ([] if parents else [""]):
            roots.append(Root(_source_scope(source, scope), dep, "lock", where))
    packages = tuple(
        LockedPackage(
            name=canonicalize_name(req.name),
            version=version,
            marker=str(req.marker) if req.marker else "",
            dependencies=tuple(children.get(canonicalize_name(req.name), [])),
            scopes=(scope,),
            line=line.number,
        )
        for line, req, version in pinned
    )
    return Lock(
        "requirements",
        label,
        packages,
        roots=tuple(roots),
        edges=annotated,
        project_roots=False,
        files=(label,),
        problems=tuple(problems),
        universal=any(p.marker for p in packages),
        covers=frozenset({scope, *(r.scope for r in roots)}),
    )


def _source_scope(source: str, default: str) -> str:
    """``x (pyproject.toml:dev)`` -> ``group:dev``; ``-r requirements-test.in`` -> its scope."""
    found = _SOURCE.search(source)
    if found and found.group("group"):
        return f"group:{canonicalize_name(found.group('group'))}"
    words = source.split()
    if len(words) == 2 and words[0] in ("-r", "-c"):
        return scope_for(Path(words[1]))
    return default


def _pin(text: str) -> tuple[Requirement, str] | None:
    """(requirement, version) of a ``name==version`` line; ``None`` for anything else."""
    try:
        req = Requirement(_OPTION.sub("", " " + text).strip())
    except InvalidRequirement:
        return None
    specs = list(req.specifier)
    if (
        req.url
        or len(specs) != 1
        or specs[0].operator not in ("==", "===")
        or "*" in specs[0].version
    ):
        return None
    return req, specs[0].version


def _lines(text: str) -> list[_Line]:
    """Requirement lines (continuations joined) with their ``# via`` annotations."""
    out: list[_Line] = []
    buffer, start, in_via = "", 0, False
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and stripped.startswith("#"):
            comment = stripped.lstrip("#").strip()
            if out and comment.startswith("via"):
                rest = comment[3:].strip()
                in_via = not rest
                if rest:
                    out[-1].via.append(rest)
            elif out and in_via and raw.lstrip().startswith("#   ") and comment:
                out[-1].via.append(comment)
            else:
                in_via = False
            continue
        if not buffer:
            start = number
        content = re.sub(r"(^|\s)#.*$", "", raw)
        if content.rstrip().endswith("\\"):
            buffer += content.rstrip()[:-1] + " "
            continue
        buffer += content
        line, buffer = buffer.strip(), ""
        in_via = False
        if not line or (line.startswith("-") and line.split()[0].split("=")[0] in _ALLOWED_OPTIONS):
            continue
        out.append(_Line(start, line))
    return out
