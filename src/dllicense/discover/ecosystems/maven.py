"""``pom.xml``: dependencies, properties, dependencyManagement and local parent POMs."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from dllicense.discover.ecosystems.common import (
    EXACT_VERSION,
    Declaration,
    ManifestError,
    find_line,
    read_manifest,
)
from dllicense.models import Location, Problem
from dllicense.paths import reason, resolve
from dllicense.records import frozen

MAVEN_TEST_SCOPES = frozenset({"test"})

MAX_POM_PARENTS = 10

MAVEN_COORDINATES = ("groupId", "artifactId", "version")


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: ET.Element | None, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _refuse_declarations(data: bytes) -> None:
    """Refuse DOCTYPE and entity declarations (whatever the encoding) before building a tree."""
    message = "DOCTYPE or entity declarations are not accepted in pom.xml"
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        raise ManifestError(message)
    scanner = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise ManifestError(message, scanner.CurrentLineNumber)

    scanner.StartDoctypeDeclHandler = refuse
    scanner.EntityDeclHandler = refuse
    scanner.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        scanner.Parse(data, True)
    except expat.ExpatError as error:
        reason = expat.errors.messages[error.code]
        raise ManifestError(f"not well-formed XML: {reason}", error.lineno) from error


def _parse_pom(data: bytes) -> ET.Element:
    """The ``<project>`` element of a POM; ``ManifestError`` for XML dllicense will not parse."""
    _refuse_declarations(data)
    try:
        project = ET.fromstring(data, parser=ET.XMLParser())
    except ET.ParseError as error:
        raise ManifestError(f"not well-formed XML: {error}", error.position[0]) from error
    if _local(project.tag) != "project":
        raise ManifestError("the root element is not <project>")
    return project


@frozen
class _Pom:
    project: ET.Element
    text: str
    rel: str  # relative to the project folder, "/"-separated


def _coordinates(element: ET.Element | None) -> str:
    return ":".join(x for x in (_text(element, n) for n in MAVEN_COORDINATES) if x)


def _parent_path(pom: _Pom, root: Path) -> tuple[Path | None, str, str]:
    """(file, relative name, why not) of the parent POM named by ``<relativePath>``.

    The path is checked lexically against the project folder before anything is touched,
    then again after symlinks are resolved: nothing outside the folder is read.
    """
    parent = _child(pom.project, "parent")
    element = _child(parent, "relativePath")
    written = "../pom.xml" if element is None else (element.text or "").strip()
    written = written.replace("\\", "/")
    if not written:
        return None, "", "its <relativePath/> is empty: Maven takes it from a repository"
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(pom.rel), written))
    if joined.startswith("../") or joined == ".." or posixpath.isabs(written):
        return None, "", f"<relativePath> {written} is outside the project folder"
    try:
        base = resolve(root)
        path = resolve(base / joined)
        if path.is_dir():
            joined = posixpath.join(joined, "pom.xml")
            path = resolve(base / joined)
    except OSError as error:
        return None, "", f"<relativePath> {written} cannot be followed ({reason(error)})"
    if not path.is_relative_to(base):
        return None, "", f"<relativePath> {written} leads outside the project folder"
    if not path.is_file():
        return None, "", f"<relativePath> {written} is not a file of the project"
    return path, path.relative_to(base).as_posix(), ""


def _pom_ancestors(own: _Pom, root: Path | None) -> tuple[list[_Pom], str, list[Problem]]:
    """Parent POMs read from the project folder (nearest first), why the chain stops, problems."""
    chain: list[_Pom] = []
    problems: list[Problem] = []
    current = own
    seen = {own.rel}
    for _ in range(MAX_POM_PARENTS):
        parent = _child(current.project, "parent")
        if parent is None:
            return chain, "", problems
        wanted = _coordinates(parent)
        stop = f"parent POM {wanted} is not read"
        if root is None:
            return chain, f"{stop} (remote)", problems
        path, rel, why = _parent_path(current, root)
        if path is None:
            return chain, f"{stop}: {why}", problems
        try:
            data = read_manifest(path)
            project = _parse_pom(data)
        except OSError as error:
            problems.append(
                Problem("DL070", f"{rel}: cannot read ({error.strerror})", location=Location(rel))
            )
            return chain, f"{stop}: {rel} cannot be read", problems
        except ManifestError as error:
            where = Location(rel, error.line)
            problems.append(Problem("DL070", f"{rel}: {error}", location=where))
            return chain, f"{stop}: {rel} is not valid", problems
        found = {
            "groupId": _text(project, "groupId") or _text(_child(project, "parent"), "groupId"),
            "artifactId": _text(project, "artifactId"),
            "version": _text(project, "version") or _text(_child(project, "parent"), "version"),
        }
        if any(_text(parent, k) and _text(parent, k) != v for k, v in found.items()):
            have = ":".join(v for v in found.values() if v)
            why = f"{rel} is {have}; Maven takes the parent from a repository"
            return chain, f"{stop}: {why}", problems
        if rel in seen:
            return chain, f"{stop}: {rel} is already in the chain of parents", problems
        current = _Pom(project, data.decode("utf-8", "replace"), rel)
        chain.append(current)
        seen.add(rel)
    return chain, f"parent POMs deeper than {MAX_POM_PARENTS} are not read", problems


def read_pom(
    data: bytes, rel: str, root: Path | None = None, problems: list[Problem] | None = None
) -> list[Declaration]:
    """Direct dependencies of a POM; raises ``ManifestError`` for XML dllicense will not parse.

    With ``root`` (the project folder), parent POMs reached through ``<relativePath>``
    inside that folder supply properties, ``<dependencyManagement>`` versions and
    inherited ``<dependencies>``; their own problems go to ``problems``.
    """
    project = _parse_pom(data)
    own = _Pom(project, data.decode("utf-8", "replace"), rel)
    ancestors, unread, more = _pom_ancestors(own, root)
    if problems is not None:
        problems.extend(more)
    poms = [*reversed(ancestors), own]  # farthest ancestor first: nearer ones override
    parent = _child(project, "parent")
    properties: dict[str, str] = {}
    for pom in poms:
        properties.update(
            (_local(p.tag), (p.text or "").strip())
            for p in (_child(pom.project, "properties") or [])
        )
    version = _text(project, "version") or _text(parent, "version")
    builtins = {
        "project.version": version,
        "pom.version": version,
        "version": version,
        "project.groupId": _text(project, "groupId") or _text(parent, "groupId"),
        "project.artifactId": _text(project, "artifactId"),
        "project.parent.version": _text(parent, "version"),
        "project.parent.groupId": _text(parent, "groupId"),
    }
    properties = {**builtins, **properties}

    def resolve(value: str) -> str:
        for _ in range(10):
            new = re.sub(
                r"\$\{([^${}]+)\}", lambda m: properties.get(m.group(1), m.group(0)), value
            )
            if new == value:
                break
            value = new
        return value

    managed: dict[tuple[str, str], tuple[str, str]] = {}  # (group, artifact) -> (version, file)
    imports: list[str] = []  # BOMs imported into <dependencyManagement>: not read
    declared: dict[tuple[str, ...], tuple[ET.Element, _Pom, int | None]] = {}
    for pom in poms:
        cursor = find_line(pom.text, "</dependencyManagement>") or 1
        management = _child(_child(pom.project, "dependencyManagement"), "dependencies")
        for dep in management if management is not None else []:
            key = (resolve(_text(dep, "groupId")), resolve(_text(dep, "artifactId")))
            if _text(dep, "scope") == "import":
                imports.append(":".join((*key, resolve(_text(dep, "version")))))
            else:
                managed[key] = (_text(dep, "version"), pom.rel)
        dependencies = _child(pom.project, "dependencies")
        for dep in dependencies if dependencies is not None else []:
            if _local(dep.tag) != "dependency":
                continue
            needle = f"<artifactId>{_text(dep, 'artifactId')}</artifactId>"
            line = find_line(pom.text, needle, cursor)
            cursor = line + 1 if line and line >= cursor else cursor
            names = ("groupId", "artifactId", "classifier")
            coordinates = (*(resolve(_text(dep, n)) for n in names), _text(dep, "type") or "jar")
            declared.pop(coordinates, None)  # a nearer POM's declaration wins, in its place
            declared[coordinates] = (dep, pom, line)
    out = []
    for (group, artifact, classifier, _), (dep, pom, line) in declared.items():
        if not group or not artifact:
            continue
        managed_version, managed_in = managed.get((group, artifact), ("", ""))
        written = _text(dep, "version") or managed_version
        version = resolve(written)
        notes = []
        if pom is not own:
            notes.append(f"inherited from the parent POM {pom.rel}")
        if not _text(dep, "version") and written:
            where = "" if managed_in == rel else f" of {managed_in}"
            notes.append(f"version from <dependencyManagement>{where}")
        if "${" in version:
            why = unread or "not defined in the POM's <properties>"
            notes.append(f"version {version} not resolved ({why})")
            version = ""
        elif version and not EXACT_VERSION.match(version):
            notes.append(f"version range {version}")
            version = ""
        elif not version:
            sources = [f"imported BOM {b} (not read)" for b in imports]
            sources += [unread] if unread else []
            notes.append(
                "version not resolved: no <version>, none in <dependencyManagement>"
                + (f"; it may be managed by: {'; '.join(sources)}" if sources else "")
            )
        if classifier:
            notes.append(f"classifier {classifier}")
        scope = _text(dep, "scope") or "compile"
        if scope != "compile":
            notes.append(f"Maven scope {scope}")
        raw = f"{group}:{artifact}" + (f":{written}" if written else "")
        out.append(
            Declaration(
                "maven",
                f"{group}:{artifact}",
                version,
                raw,
                Location(pom.rel, line),
                "group:test" if scope in MAVEN_TEST_SCOPES else "maven",
                "; ".join(notes),
            )
        )
    return out
