"""Frameworks declared outside PyPI: Maven, Gradle, conda and LuaRocks manifests.

Read at the project root, statically (no Maven, Gradle, conda or Lua is run):
``pom.xml`` (``<dependencies>`` with ``${property}`` values from
``<properties>`` and versions from ``<dependencyManagement>``; DOCTYPE and
entity declarations are rejected before parsing), ``build.gradle`` and
``build.gradle.kts`` (``group:artifact:version`` strings and
``group:/name:/version:`` maps in dependency configurations, ``$var`` from
simple assignments and ``gradle.properties``), ``environment.yml`` (conda
match specs; its ``pip:`` list holds PyPI requirements) and ``*.rockspec``
(the ``dependencies`` table). Only direct dependencies are known: what they
depend on in turn is not resolved. Each declaration is recognised through
the knowledge base and becomes an ``ExternalPackage``; unknown names get no
licence (the policy's unknown-licence finding).
"""

from __future__ import annotations

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
from dllicense.tomlfile import line_of

MAX_MANIFEST_BYTES = 5 * 1024 * 1024
CONDA_FILES = ("environment.yml", "environment.yaml")
GRADLE_FILES = ("build.gradle", "build.gradle.kts")
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


def read_pom(data: bytes, rel: str) -> list[Declaration]:
    """Direct dependencies of a POM; raises ``_Invalid`` for XML dllicense will not parse."""
    _refuse_declarations(data)
    try:
        project = ET.fromstring(data, parser=ET.XMLParser())
    except ET.ParseError as error:
        raise _Invalid(f"not well-formed XML: {error}", error.position[0]) from error
    if _local(project.tag) != "project":
        raise _Invalid("the root element is not <project>")
    text = data.decode("utf-8", "replace")
    parent = _child(project, "parent")
    properties = {
        _local(p.tag): (p.text or "").strip() for p in (_child(project, "properties") or [])
    }
    version = _text(project, "version") or _text(parent, "version")
    builtins = {
        "project.version": version,
        "pom.version": version,
        "version": version,
        "project.groupId": _text(project, "groupId") or _text(parent, "groupId"),
        "project.artifactId": _text(project, "artifactId"),
        "project.parent.version": _text(parent, "version"),
    }
    properties = {**builtins, **properties}

    def resolve(value: str) -> str:
        for _ in range(10):
            new = re.sub(r"\$\{([^}]+)\}", lambda m: properties.get(m.group(1), m.group(0)), value)
            if new == value:
                break
            value = new
        return value

    managed: dict[tuple[str, str], str] = {}
    management = _child(_child(project, "dependencyManagement"), "dependencies")
    for dep in management if management is not None else []:
        key = (resolve(_text(dep, "groupId")), resolve(_text(dep, "artifactId")))
        managed[key] = _text(dep, "version")
    out = []
    dependencies = _child(project, "dependencies")
    for dep in dependencies if dependencies is not None else []:
        if _local(dep.tag) != "dependency":
            continue
        group, artifact = resolve(_text(dep, "groupId")), resolve(_text(dep, "artifactId"))
        if not group or not artifact:
            continue
        written = _text(dep, "version") or managed.get((group, artifact), "")
        version = resolve(written)
        notes = []
        if not _text(dep, "version") and written:
            notes.append("version from <dependencyManagement>")
        if "${" in version:
            notes.append(f"version {version} not resolved (defined in a parent POM?)")
            version = ""
        elif version and not _EXACT_VERSION.match(version):
            notes.append(f"version range {version}")
            version = ""
        scope = _text(dep, "scope") or "compile"
        if scope != "compile":
            notes.append(f"Maven scope {scope}")
        raw = f"{group}:{artifact}" + (f":{written}" if written else "")
        line = _line(text, f"<artifactId>{_text(dep, 'artifactId')}</artifactId>")
        out.append(
            Declaration(
                "maven",
                f"{group}:{artifact}",
                version,
                raw,
                Location(rel, line),
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


def read_gradle(text: str, rel: str, properties: dict[str, str]) -> list[Declaration]:
    """Direct dependencies of a Gradle build script (string and map notations)."""
    code = _strip_jvm_comments(text)
    variables = {**properties, **{m["name"]: m["value"] for m in _GRADLE_VAR.finditer(code)}}

    def resolve(value: str) -> str:
        return re.sub(
            r"\$\{?([A-Za-z_][\w.]*)\}?",
            lambda m: variables.get(m.group(1).removeprefix("project."), m.group(0)),
            value,
        )

    found: list[tuple[int, str, str, str, str]] = []  # (offset, config, group, artifact, version)
    for match in _GRADLE_STRING.finditer(code):
        parts = match["coord"].split("@")[0].split(":")
        if len(parts) >= 2:
            version = parts[2] if len(parts) > 2 else ""
            found.append((match.start(), match["config"], parts[0], parts[1], version))
    for match in _GRADLE_MAP.finditer(code):
        found.append(
            (match.start(), match["config"], match["group"], match["name"], match["version"] or "")
        )
    out = []
    for offset, config, group, artifact, written in sorted(found):
        version = resolve(written)
        notes = [f"configuration {config}"]
        if "$" in version:
            notes.append(f"version {version} not resolved")
            version = ""
        elif version and not _EXACT_VERSION.match(version):
            notes.append(f"version range {version}")
            version = ""
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
    readers: dict[str, Callable[[str, bytes], list[Declaration]]] = {}
    for name in names:
        if name == "pom.xml":
            readers[name] = lambda rel, data: read_pom(data, rel)
        elif name in GRADLE_FILES:
            readers[name] = lambda rel, data: read_gradle(
                data.decode("utf-8", "replace"), rel, properties
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
