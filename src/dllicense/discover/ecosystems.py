"""Frameworks declared outside PyPI: Maven, Gradle, conda and LuaRocks manifests.

Read at the project root, statically (no Maven, Gradle, conda or Lua is run):
``pom.xml`` (``<dependencies>`` with ``${property}`` values from
``<properties>`` and versions from ``<dependencyManagement>``, also those of
parent POMs reached by ``<relativePath>`` inside the project folder; DOCTYPE
and entity declarations are rejected before parsing), ``build.gradle`` and
``build.gradle.kts`` (``group:artifact:version`` strings,
``group:/name:/version:`` maps and ``libs.x``/``libs.bundles.x`` accessors of
``gradle/libs.versions.toml`` in dependency configurations, ``$var`` from
simple assignments and ``gradle.properties``), ``environment.yml`` (conda
match specs; its ``pip:`` list holds PyPI requirements) and ``*.rockspec``
(the ``dependencies`` table). Only direct dependencies are known: what they
depend on in turn is not resolved. Each declaration is recognised through
the knowledge base and becomes an ``ExternalPackage``; unknown names get no
licence (the policy's unknown-licence finding).
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dllicense.discover.yamlsubset import YamlError, parse_yaml
from dllicense.models import Evidence, ExternalPackage, Location, Node, Problem
from dllicense.readfile import read_bounded
from dllicense.tomlfile import TOMLDecodeError, describe_error, error_line, line_of, parse_toml

MAX_MANIFEST_BYTES = 5 * 1024 * 1024
CONDA_FILES = ("environment.yml", "environment.yaml")
GRADLE_FILES = ("build.gradle", "build.gradle.kts")
GRADLE_CATALOG = "gradle/libs.versions.toml"
MAVEN_COORDINATES = ("groupId", "artifactId", "version")
MAX_POM_PARENTS = 10
# conda entries that are the interpreter and the installer, not libraries the code uses
CONDA_SKIP = frozenset({"python", "pip"})
DIRECT_ONLY = (
    "direct dependency as declared; the dependencies it brings in are not resolved or checked"
)
_MAVEN_TEST_SCOPES = frozenset({"test"})
_GRADLE_CONFIGS = (
    r"(?<![\w.$])(?P<config>implementation|api|compile|compileOnly|compileOnlyApi|runtime|runtimeOnly"
    r"|testImplementation|testCompile|testCompileOnly|testRuntimeOnly|androidTestImplementation"
    r"|kapt|annotationProcessor)"
)
_GRADLE_STRING = re.compile(_GRADLE_CONFIGS + r"\s*\(?\s*(?P<q>[\"'])(?P<coord>[^\"'\n]+)(?P=q)")
_GRADLE_MAP = re.compile(
    _GRADLE_CONFIGS + r"\s*\(?\s*group\s*[:=]\s*[\"'](?P<group>[^\"'\n]+)[\"']\s*,\s*"
    r"name\s*[:=]\s*[\"'](?P<name>[^\"'\n]+)[\"']"
    r"(?:\s*,\s*version\s*[:=]\s*[\"'](?P<version>[^\"'\n]+)[\"'])?"
)
_GRADLE_VAR = re.compile(
    r"^\s*(?:def|val|var)?\s*(?:(?:project\.)?ext\.)?(?P<name>[A-Za-z_]\w*)\s*=\s*"
    r"[\"'](?P<value>[^\"'$\n]*)[\"']\s*$",
    re.MULTILINE,
)
_GRADLE_CATALOG_REF = re.compile(
    _GRADLE_CONFIGS + r"\s*\(?\s*libs\.(?P<path>[A-Za-z_]\w*(?:\.\w+)*)(?P<call>\(\))?"
)
_EXACT_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+_-]*$")
_LUA_TOKEN = re.compile(
    r"""(?P<comment>--\[(?P<eq>=*)\[.*?\](?P=eq)\]|--[^\n]*)"""
    r"""|(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"""|(?P<long>\[(?P<leq>=*)\[.*?\](?P=leq)\])"""
    r"""|(?P<name>[A-Za-z_]\w*)|(?P<punct>[{}=,;.\[\]()])|(?P<space>\s+)|(?P<other>.)""",
    re.DOTALL,
)


@dataclass(frozen=True)
class Declaration:
    """One dependency a non-PyPI manifest declares, as written."""

    ecosystem: str  # maven, conda, pypi (a conda pip: entry), luarocks
    name: str  # group:artifact, conda or rock name, PyPI name (canonical)
    version: str  # the exact (or conda fuzzy) version when pinned, else ""
    raw: str
    location: Location
    scope: str  # maven, conda, luarocks; group:test for test-only Maven/Gradle dependencies
    note: str = ""


class _Invalid(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _read(path: Path) -> bytes:
    data, size = read_bounded(path, MAX_MANIFEST_BYTES)
    if size > MAX_MANIFEST_BYTES:
        raise _Invalid(f"larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB")
    return data


def _line(text: str, needle: str, start: int = 1) -> int | None:
    return line_of(text, needle, start) or line_of(text, needle)


# -- Maven -------------------------------------------------------------------------


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
        raise _Invalid(message)
    scanner = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise _Invalid(message, scanner.CurrentLineNumber)

    scanner.StartDoctypeDeclHandler = refuse
    scanner.EntityDeclHandler = refuse
    scanner.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        scanner.Parse(data, True)
    except expat.ExpatError as error:
        reason = expat.errors.messages[error.code]
        raise _Invalid(f"not well-formed XML: {reason}", error.lineno) from error


def _parse_pom(data: bytes) -> ET.Element:
    """The ``<project>`` element of a POM; raises ``_Invalid`` for XML dllicense will not parse."""
    _refuse_declarations(data)
    try:
        project = ET.fromstring(data, parser=ET.XMLParser())
    except ET.ParseError as error:
        raise _Invalid(f"not well-formed XML: {error}", error.position[0]) from error
    if _local(project.tag) != "project":
        raise _Invalid("the root element is not <project>")
    return project


@dataclass(frozen=True)
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
    base = root.resolve()
    path = (base / joined).resolve()
    if path.is_dir():
        joined = posixpath.join(joined, "pom.xml")
        path = (base / joined).resolve()
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
            data = _read(path)
            project = _parse_pom(data)
        except OSError as error:
            problems.append(
                Problem("DL070", f"{rel}: cannot read ({error.strerror})", location=Location(rel))
            )
            return chain, f"{stop}: {rel} cannot be read", problems
        except _Invalid as error:
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
    """Direct dependencies of a POM; raises ``_Invalid`` for XML dllicense will not parse.

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
            new = re.sub(r"\$\{([^}]+)\}", lambda m: properties.get(m.group(1), m.group(0)), value)
            if new == value:
                break
            value = new
        return value

    managed: dict[tuple[str, str], tuple[str, str]] = {}  # (group, artifact) -> (version, file)
    imports: list[str] = []  # BOMs imported into <dependencyManagement>: not read
    declared: dict[tuple[str, ...], tuple[ET.Element, _Pom, int | None]] = {}
    for pom in poms:
        cursor = _line(pom.text, "</dependencyManagement>") or 1
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
            line = _line(pom.text, needle, cursor)
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
        elif version and not _EXACT_VERSION.match(version):
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
                "group:test" if scope in _MAVEN_TEST_SCOPES else "maven",
                "; ".join(notes),
            )
        )
    return out


# -- Gradle ------------------------------------------------------------------------


def _strip_jvm_comments(text: str) -> str:
    """Drop /* */ and // comments, keeping line numbers (URLs in strings survive)."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.DOTALL)
    return re.sub(r"(?m)(^|\s)//.*$", r"\1", text)


@dataclass(frozen=True)
class CatalogLibrary:
    """One ``[libraries]`` entry of a Gradle version catalog."""

    group: str
    artifact: str
    written: str  # the version as written ("" when none), ``ref`` resolved
    line: int | None  # in the catalog file
    note: str = ""


@dataclass(frozen=True)
class Catalog:
    """A Gradle version catalog: accessor paths (``nd4j.native``) to libraries and bundles."""

    rel: str
    libraries: dict[str, CatalogLibrary]
    bundles: dict[str, tuple[str, ...]]  # bundle accessor -> library accessors
    versions: dict[str, str]  # version accessor -> version, for ``libs.versions.x``
    broken: bool = False  # unreadable (a finding already): its references are not reported


def _accessor(alias: str) -> str:
    """Gradle maps '-', '_' and '.' of an alias to '.' in the ``libs`` accessors."""
    return re.sub(r"[-_.]", ".", alias)


def _toml_key_line(text: str, table: str, key: str) -> int | None:
    """Line of ``key = ...`` (or ``key.x = ...``) in ``[table]`` of a TOML text."""
    section = ""
    pattern = re.compile(r"""^\s*["']?""" + re.escape(key) + r"""["']?\s*[=.]""")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            section = header.group(1)
        elif section == table and pattern.match(line):
            return number
    return None


def _catalog_version(value: object, versions: dict[str, object]) -> tuple[str, str]:
    """(version, note) of a catalog version: a string, ``{ref}`` or a rich version table."""
    if isinstance(value, dict) and "ref" in value:
        ref = str(value["ref"])
        if ref not in versions:
            return "", f"version.ref {ref} is not in [versions]"
        value = versions[ref]
    if isinstance(value, str):
        return value, ""
    if isinstance(value, dict):
        for kind in ("strictly", "require", "prefer"):
            if isinstance(value.get(kind), str):
                return str(value[kind]), "" if kind == "require" else f"{kind} version"
    if value is None:
        return "", ""
    return "", f"version {value!r} not understood"


def read_catalog(text: str, rel: str) -> tuple[Catalog, list[Problem]]:
    """Libraries and bundles of a version catalog; raises ``_Invalid`` for broken TOML."""
    try:
        data = parse_toml(text)
    except TOMLDecodeError as error:
        raise _Invalid(
            f"not valid TOML: {describe_error(error)}", error_line(error, text)
        ) from error
    problems: list[Problem] = []
    sections = {}
    for name in ("versions", "libraries", "bundles"):
        section = data.get(name, {})
        if not isinstance(section, dict):
            raise _Invalid(f"[{name}] is not a table", _line(text, name))
        sections[name] = section
    libraries: dict[str, CatalogLibrary] = {}
    for alias, value in sections["libraries"].items():
        line = _toml_key_line(text, "libraries", alias)
        version: object = None
        if isinstance(value, str):
            parts = value.split(":")
            group, artifact = [*parts, "", ""][:2]
            version = ":".join(parts[2:]) or None
        elif isinstance(value, dict):
            module = value.get("module")
            if isinstance(module, str):
                group, _, artifact = module.partition(":")
            else:
                group, artifact = str(value.get("group", "")), str(value.get("name", ""))
            version = value.get("version")
        else:
            group = artifact = ""
        if not group or not artifact:
            problems.append(
                Problem(
                    "DL070",
                    f"{rel}: library {alias} names no group:artifact "
                    "(module, or group and name); its dependency is not checked",
                    location=Location(rel, line),
                )
            )
            continue
        written, note = _catalog_version(version, sections["versions"])
        libraries[_accessor(alias)] = CatalogLibrary(group, artifact, written, line, note)
    bundles: dict[str, tuple[str, ...]] = {}
    for alias, members in sections["bundles"].items():
        line = _toml_key_line(text, "bundles", alias)
        names = members if isinstance(members, list) else []
        missing = [str(m) for m in names if _accessor(str(m)) not in libraries]
        if not isinstance(members, list) or missing:
            what = f"{', '.join(missing)} not in [libraries]" if missing else "not a list"
            problems.append(
                Problem(
                    "DL070",
                    f"{rel}: bundle {alias}: {what}",
                    location=Location(rel, line),
                )
            )
        bundles[_accessor(alias)] = tuple(
            _accessor(str(m)) for m in names if _accessor(str(m)) in libraries
        )
    versions = {}
    for alias, value in sections["versions"].items():
        written, _ = _catalog_version(value, {})
        versions[_accessor(alias)] = written
    return Catalog(rel, libraries, bundles, versions), problems


def _catalog_references(
    code: str, rel: str, catalog: Catalog | None, problems: list[Problem]
) -> list[tuple[int, str, str, str, str, str]]:
    """(offset, config, group, artifact, version, note) of each ``libs.x`` dependency."""
    found = []
    for match in _GRADLE_CATALOG_REF.finditer(code):
        path = match["path"].removesuffix(".get") if match["call"] else match["path"]
        if path.startswith(("versions.", "plugins.")):
            continue
        if catalog is None:
            problems.append(
                Problem(
                    "DL070",
                    f"{rel}: libs.{path} refers to a version catalog, but there is no "
                    f"{GRADLE_CATALOG} (catalogs declared in settings.gradle are not read); "
                    "its dependency is not checked",
                    location=Location(rel, code.count("\n", 0, match.start()) + 1),
                )
            )
            continue
        if catalog.broken:
            continue
        if path.startswith("bundles."):
            members = catalog.bundles.get(path.removeprefix("bundles."))
            via = f"bundle libs.{path} of {catalog.rel}"
        else:
            members = (path,) if path in catalog.libraries else None
            via = f"libs.{path} of {catalog.rel}"
        if members is None:
            problems.append(
                Problem(
                    "DL070",
                    f"{rel}: libs.{path} is not a library or bundle of {catalog.rel}; "
                    "its dependency is not checked",
                    location=Location(rel, code.count("\n", 0, match.start()) + 1),
                )
            )
            continue
        for member in members:
            library = catalog.libraries[member]
            where = f"{catalog.rel}:{library.line}" if library.line else catalog.rel
            note = "; ".join(x for x in (f"{via} ({where})", library.note) if x)
            found.append(
                (
                    match.start(),
                    match["config"],
                    library.group,
                    library.artifact,
                    library.written,
                    note,
                )
            )
    return found


def read_gradle(
    text: str,
    rel: str,
    properties: dict[str, str],
    catalog: Catalog | None = None,
    problems: list[Problem] | None = None,
) -> list[Declaration]:
    """Direct dependencies of a Gradle build script (strings, maps and ``libs.x`` accessors).

    ``catalog`` is the project's ``gradle/libs.versions.toml`` (``None`` when absent or
    broken); references it cannot answer go to ``problems``.
    """
    code = _strip_jvm_comments(text)
    variables = {**properties, **{m["name"]: m["value"] for m in _GRADLE_VAR.finditer(code)}}
    catalog_versions = catalog.versions if catalog is not None else {}

    def resolve(value: str) -> str:
        value = re.sub(
            r"\$\{libs\.versions\.([\w.]+?)(?:\.get\(\))?\}",
            lambda m: catalog_versions.get(m.group(1)) or m.group(0),
            value,
        )
        return re.sub(
            r"\$\{?([A-Za-z_][\w.]*)\}?",
            lambda m: variables.get(m.group(1).removeprefix("project."), m.group(0)),
            value,
        )

    # (offset, config, group, artifact, version, note)
    found: list[tuple[int, str, str, str, str, str]] = []
    for match in _GRADLE_STRING.finditer(code):
        parts = match["coord"].split("@")[0].split(":")
        if len(parts) >= 2:
            version = parts[2] if len(parts) > 2 else ""
            found.append((match.start(), match["config"], parts[0], parts[1], version, ""))
    for match in _GRADLE_MAP.finditer(code):
        found.append(
            (
                match.start(),
                match["config"],
                match["group"],
                match["name"],
                match["version"] or "",
                "",
            )
        )
    found += _catalog_references(code, rel, catalog, [] if problems is None else problems)
    out = []
    for offset, config, group, artifact, written, source in sorted(found):
        version = resolve(written)
        notes = [f"configuration {config}"] + ([source] if source else [])
        if "$" in version:
            notes.append(f"version {version} not resolved")
            version = ""
        elif version and not _EXACT_VERSION.match(version):
            notes.append(f"version range {version}")
            version = ""
        elif not version and source:
            notes.append("version not resolved: the catalog gives none (a platform/BOM?)")
        line = code.count("\n", 0, offset) + 1
        out.append(
            Declaration(
                "maven",
                f"{resolve(group)}:{resolve(artifact)}",
                version,
                f"{group}:{artifact}" + (f":{written}" if written else ""),
                Location(rel, line),
                "group:test" if config.startswith(("test", "androidTest")) else "maven",
                "; ".join(notes),
            )
        )
    return out


def _gradle_properties(path: Path) -> dict[str, str]:
    try:
        text = _read(path).decode("utf-8", "replace")
    except (OSError, _Invalid):
        return {}
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith(("#", "!")):
            out[key.strip()] = value.strip()
    return out


# -- conda -------------------------------------------------------------------------


def conda_version(spec: str) -> str:
    """The exact (or fuzzy ``=2.1`` -> ``2.1``) version of a conda match spec's version part."""
    spec = spec.strip()
    if spec.startswith("=="):
        value = spec[2:]
    elif spec.startswith("="):
        value = spec[1:]
    elif spec[:1].isdigit():
        value = spec
    else:
        return ""
    value = value.split("=")[0].split()[0] if value.strip() else ""
    value = value.removesuffix("*").removesuffix(".")
    return value if _EXACT_VERSION.match(value) and not re.search(r"[,|<>!]", value) else ""


def read_conda(text: str, rel: str) -> tuple[list[Declaration], list[Problem]]:
    """Dependencies of a conda environment file (and its ``pip:`` sub-list)."""
    try:
        data = parse_yaml(text)
    except YamlError as error:
        raise _Invalid(str(error), error.line) from error
    if data is None:
        return [], []
    if not isinstance(data, dict):
        raise _Invalid("not a mapping of name/channels/dependencies")
    dependencies = data.get("dependencies") or []
    if not isinstance(dependencies, list):
        raise _Invalid("dependencies must be a list", _line(text, "dependencies:"))
    start = _line(text, "dependencies:") or 1
    out: list[Declaration] = []
    problems: list[Problem] = []
    for item in dependencies:
        if isinstance(item, str):
            declaration = _conda_spec(item, text, rel, start)
            if declaration is not None:
                out.append(declaration)
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            for entry in item["pip"]:
                if isinstance(entry, str):
                    _pip_entry(entry, text, rel, start, out, problems)
        else:
            problems.append(
                Problem(
                    "DL070",
                    f"{rel}: dependency entry {item!r} is neither a match spec nor a pip: list",
                    location=Location(rel, start),
                )
            )
    return out, problems


def _conda_spec(raw: str, text: str, rel: str, start: int) -> Declaration | None:
    found = re.match(r"^(?:(?P<channel>[^\s:]+)::)?(?P<name>[A-Za-z0-9_.\-]+)(?P<spec>.*)$", raw)
    if not found:
        return None
    name = found["name"].lower()
    if name in CONDA_SKIP:
        return None
    note = f"channel {found['channel']}" if found["channel"] else ""
    return Declaration(
        "conda",
        name,
        conda_version(found["spec"]),
        raw,
        Location(rel, _line(text, raw, start)),
        "conda",
        note,
    )


def _pip_entry(
    raw: str, text: str, rel: str, start: int, out: list[Declaration], problems: list[Problem]
) -> None:
    location = Location(rel, _line(text, raw, start))
    if raw.startswith("-"):
        return  # pip options (-r file, --index-url, -e path): nothing declared by name here
    try:
        requirement = Requirement(raw)
    except InvalidRequirement as error:
        problems.append(Problem("DL004", f"{rel}: pip entry {raw!r}: {error}", location=location))
        return
    pins = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
    version = pins[0] if len(pins) == 1 and "*" not in pins[0] else ""
    name = str(canonicalize_name(requirement.name))
    out.append(Declaration("pypi", name, version, raw, location, "conda", "pip: section"))


# -- LuaRocks ----------------------------------------------------------------------


def _lua_string(token: str) -> str:
    if token.startswith("["):
        return re.sub(r"^\[=*\[\n?|\]=*\]$", "", token)
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def read_rockspec(text: str, rel: str) -> list[Declaration]:
    """Strings of the top-level ``dependencies`` table of a rockspec (Lua is never run)."""
    tokens: list[tuple[str, str, int]] = []
    for match in _LUA_TOKEN.finditer(text):
        if match["comment"] is not None or match["space"] is not None:
            continue
        if match["string"] is not None or match["long"] is not None:
            kind = "string"
        else:
            kind = "name" if match["name"] is not None else "punct"
        tokens.append((kind, match.group(0), match.start()))
    for index, (kind, value, _) in enumerate(tokens[:-2]):
        if (
            kind == "name"
            and value == "dependencies"
            and tokens[index + 1][1] == "="
            and tokens[index + 2][1] == "{"
            and (index == 0 or tokens[index - 1][1] not in (".", ":"))
        ):
            return _rock_dependencies(tokens[index + 3 :], text, rel)
    raise _Invalid("no top-level 'dependencies = { ... }' table")


def _rock_dependencies(
    tokens: list[tuple[str, str, int]], text: str, rel: str
) -> list[Declaration]:
    out: list[Declaration] = []
    depth = 1
    for kind, value, offset in tokens:
        if value == "{" and kind != "string":
            depth += 1
        elif value == "}" and kind != "string":
            depth -= 1
            if depth == 0:
                return out
        elif kind == "string":
            raw = _lua_string(value).strip()
            found = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", raw)
            if not found or found.group(1).lower() == "lua":
                continue
            constraint = found.group(2).strip()
            exact = re.fullmatch(r"(?:==\s*)?([0-9][\w.\-]*)", constraint)
            version = exact.group(1) if exact else ""
            line = text.count("\n", 0, offset) + 1
            note = f"constraint {constraint}" if constraint and not exact else ""
            name = found.group(1).lower()
            location = Location(rel, line)
            out.append(Declaration("luarocks", name, version, raw, location, "luarocks", note))
    raise _Invalid("the dependencies table is not closed")


# -- the project ---------------------------------------------------------------------


def _read_catalog(root: Path, problems: list[Problem], files: list[str]) -> Catalog | None:
    """The project's ``gradle/libs.versions.toml``, or ``None`` (absent, or a finding)."""
    path = root / GRADLE_CATALOG
    if not path.is_file():
        return None
    location = Location(GRADLE_CATALOG)
    try:
        text = _read(path).decode("utf-8", "replace")
        catalog, more = read_catalog(text, GRADLE_CATALOG)
    except OSError as error:
        message = f"{GRADLE_CATALOG}: cannot read ({error.strerror})"
        problems.append(Problem("DL070", message, location=location))
        return Catalog(GRADLE_CATALOG, {}, {}, {}, broken=True)
    except _Invalid as error:
        message = f"{GRADLE_CATALOG}: {error}; the libs.* dependencies are not checked"
        problems.append(Problem("DL070", message, location=Location(GRADLE_CATALOG, error.line)))
        return Catalog(GRADLE_CATALOG, {}, {}, {}, broken=True)
    problems.extend(more)
    files.append(GRADLE_CATALOG)
    return catalog


def ecosystem_declarations(root: Path) -> tuple[list[Declaration], list[Problem], list[str]]:
    """Declarations of every supported manifest at the project root, with problems and files."""
    declarations: list[Declaration] = []
    problems: list[Problem] = []
    files: list[str] = []
    try:
        names = sorted(p.name for p in root.iterdir() if p.is_file())
    except OSError as error:
        return [], [Problem("DL070", f"cannot list the project folder ({error.strerror})")], []
    properties = _gradle_properties(root / "gradle.properties")
    catalog = None
    if any(name in GRADLE_FILES for name in names):
        catalog = _read_catalog(root, problems, files)
    readers: dict[str, Callable[[str, bytes], list[Declaration]]] = {}
    for name in names:
        if name == "pom.xml":
            readers[name] = lambda rel, data: read_pom(data, rel, root, problems)
        elif name in GRADLE_FILES:
            readers[name] = lambda rel, data: read_gradle(
                data.decode("utf-8", "replace"), rel, properties, catalog, problems
            )
        elif name in CONDA_FILES:

            def conda(rel: str, data: bytes) -> list[Declaration]:
                found, more = read_conda(data.decode("utf-8", "replace"), rel)
                problems.extend(more)
                return found

            readers[name] = conda
        elif name.endswith(".rockspec"):
            readers[name] = lambda rel, data: read_rockspec(data.decode("utf-8", "replace"), rel)
    for name, reader in readers.items():
        try:
            declarations += reader(name, _read(root / name))
            files.append(name)
        except OSError as error:
            problems.append(
                Problem("DL070", f"{name}: cannot read ({error.strerror})", location=Location(name))
            )
        except _Invalid as error:
            problems.append(
                Problem("DL070", f"{name}: {error}", location=Location(name, error.line))
            )
    return declarations, problems, files


def _knowledge(declaration: Declaration) -> Evidence:
    """What the knowledge base says about one declaration (an expression, or why none)."""
    from dllicense.knowledge import framework_for, framework_license

    ecosystem = declaration.ecosystem
    framework = framework_for(declaration.name, ecosystem)
    if framework is None:
        where = {
            "maven": "its POM",
            "conda": "its recipe",
            "luarocks": "its rockspec",
            "pypi": "its wheel metadata",
        }[ecosystem]
        return Evidence(
            "knowledge",
            f"knowledge:{ecosystem}",
            declaration.name,
            "",
            note=f"{declaration.name} is not a framework of the dllicense knowledge base and "
            f"{where} is not fetched: clarify its licence in the policy",
        )
    period = framework_license(declaration.name, declaration.version or None, ecosystem)
    note = ""
    if period is None and not declaration.version:
        expressions = {p.expression for p in framework.licenses}
        if len(expressions) == 1:
            period = framework.licenses[0]
            note = "version not pinned; every known version has this licence"
        else:
            return Evidence(
                "knowledge",
                f"knowledge:{framework.key}",
                framework.name,
                "",
                note=f"{framework.name}'s licence depends on the version "
                f"({', '.join(sorted(expressions))}): pin an exact version",
            )
    if period is None:
        return Evidence(
            "knowledge",
            f"knowledge:{framework.key}",
            f"{framework.name} {declaration.version}",
            "",
            note=f"no licence is recorded for {framework.name} {declaration.version}",
        )
    expression = period.expression
    if ecosystem == "pypi":
        expression = period.wheel_expression or period.expression
    return Evidence(
        "knowledge",
        f"knowledge:{framework.key}",
        f"{framework.name} {period.versions or 'all versions'}",
        expression,
        note="; ".join(x for x in (note, *period.sources) if x),
    )


def ecosystem_packages(root: Path) -> tuple[list[ExternalPackage], list[Problem]]:
    """One ``ExternalPackage`` per dependency declared in the root's non-PyPI manifests."""
    declarations, problems, _ = ecosystem_declarations(root)
    groups: dict[tuple[str, str, str], list[Declaration]] = {}
    for declaration in declarations:
        key = (declaration.ecosystem, declaration.name, declaration.version)
        groups.setdefault(key, []).append(declaration)
    packages = []
    for (ecosystem, name, version), found in sorted(groups.items()):
        first = found[0]
        scopes = tuple(sorted({d.scope for d in found}))
        node = Node(name, version, scopes, (name,), (), (), True)
        declared = tuple(
            Evidence(
                "declaration",
                f"{d.location.file}:{d.location.line}" if d.location.line else d.location.file,
                d.raw,
                note="; ".join(x for x in (d.note, DIRECT_ONLY) if x),
            )
            for d in found
        )
        evidence = (_knowledge(first), *declared)
        packages.append(ExternalPackage(node, ecosystem, evidence, (), first.location))
    return packages, problems
