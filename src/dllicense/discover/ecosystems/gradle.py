"""``build.gradle(.kts)`` and the version catalog ``gradle/libs.versions.toml``."""

from __future__ import annotations

import re
from collections.abc import Callable

from dllicense.discover.ecosystems.common import (
    EXACT_VERSION,
    GRADLE_CATALOG,
    Declaration,
    ManifestError,
    find_line,
)
from dllicense.discover.ecosystems.common import gradle_properties as gradle_properties
from dllicense.models import Location, Problem
from dllicense.records import frozen
from dllicense.tomlfile import TOMLDecodeError, describe_error, error_line, parse_toml

GRADLE_CONFIGS = (
    r"(?<![\w.$])(?P<config>implementation|api|compile|compileOnly|compileOnlyApi|runtime|runtimeOnly"
    r"|testImplementation|testCompile|testCompileOnly|testRuntimeOnly|androidTestImplementation"
    r"|kapt|annotationProcessor)"
)
GRADLE_CATALOG_REF = re.compile(
    GRADLE_CONFIGS + r"\s*\(?\s*libs\.(?P<path>[A-Za-z_]\w*(?:\.\w+)*)(?P<call>\(\))?"
)

# [ \t], not \s: "^\s*" ran over every blank line from every line start (quadratic),
# and "\s*(?:def)?\s*" split one run of spaces every possible way
GRADLE_VAR = re.compile(
    r"^[ \t]*(?:(?:def|val|var)[ \t]+)?(?:(?:project\.)?ext\.)?(?P<name>[A-Za-z_]\w*)"
    r"[ \t]*=[ \t]*[\"'](?P<value>[^\"'$\n]*)[\"'][ \t\r]*$",
    re.MULTILINE,
)

GRADLE_MAP = re.compile(
    GRADLE_CONFIGS + r"\s*\(?\s*group\s*[:=]\s*[\"'](?P<group>[^\"'\n]+)[\"']\s*,\s*"
    r"name\s*[:=]\s*[\"'](?P<name>[^\"'\n]+)[\"']"
    r"(?:\s*,\s*version\s*[:=]\s*[\"'](?P<version>[^\"'\n]+)[\"'])?"
)

GRADLE_STRING = re.compile(GRADLE_CONFIGS + r"\s*\(?\s*(?P<q>[\"'])(?P<coord>[^\"'\n]+)(?P=q)")


def _strip_jvm_comments(text: str) -> str:
    """Drop /* */ and // comments, keeping line numbers (URLs in strings survive).

    Block comments are found with ``str.find``: a lazy ``/\\*.*?\\*/`` rescanned the rest
    of the text from every unclosed ``/*`` (quadratic); an unclosed one is left as is.
    """
    parts: list[str] = []
    at = 0
    while (start := text.find("/*", at)) >= 0:
        end = text.find("*/", start + 2)
        if end < 0:
            break  # no later "/*" is closed either
        parts += [text[at:start], "\n" * text.count("\n", start, end)]
        at = end + 2
    text = "".join([*parts, text[at:]])
    return re.sub(r"(?m)(^|\s)//.*$", r"\1", text)


@frozen
class CatalogLibrary:
    """One ``[libraries]`` entry of a Gradle version catalog."""

    group: str
    artifact: str
    written: str  # the version as written ("" when none), ``ref`` resolved
    line: int | None  # in the catalog file
    note: str = ""


@frozen
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


_KEY_TOKEN = re.compile(r"""[^"'=.\s\[]+""")
_KEY_AT_START = re.compile(r"""\s*["']?([^"'=.\s\[]+)["']?\s*[=.]""")


def _header(line: str) -> str | None:
    """The table a ``[table]`` line opens (what is between ``[`` and the first ``]``)."""
    stripped = line.lstrip()
    close = stripped.find("]")
    if not stripped.startswith("[") or close < 0 or close == 1:
        return None
    return stripped[1:close].strip() or " "


def _toml_key_lines(text: str) -> Callable[[str, str], int | None]:
    """Line of ``key = ...`` (or ``key.x = ...``) in ``[table]`` of a TOML text: the
    lines are indexed once (a scan per key was quadratic in a large catalog)."""
    lines = text.splitlines()
    first: dict[tuple[str, str], int] = {}
    section = ""
    for number, line in enumerate(lines, start=1):
        header = _header(line)
        if header is not None:
            section = header
            continue
        found = _KEY_AT_START.match(line)
        if found:
            first.setdefault((section, found.group(1)), number)

    def find(table: str, key: str) -> int | None:
        if _KEY_TOKEN.fullmatch(key):
            return first.get((table, key))
        pattern = re.compile(r"""\s*["']?""" + re.escape(key) + r"""["']?\s*[=.]""")
        section = ""
        for number, line in enumerate(lines, start=1):  # a key of unusual characters
            header = _header(line)
            if header is not None:
                section = header
            elif section == table and pattern.match(line):
                return number
        return None

    return find


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
    """Libraries and bundles of a version catalog; raises ``ManifestError`` for broken TOML."""
    try:
        data = parse_toml(text)
    except TOMLDecodeError as error:
        raise ManifestError(
            f"not valid TOML: {describe_error(error)}", error_line(error, text)
        ) from error
    problems: list[Problem] = []
    sections = {}
    for name in ("versions", "libraries", "bundles"):
        section = data.get(name, {})
        if not isinstance(section, dict):
            raise ManifestError(f"[{name}] is not a table", find_line(text, name))
        sections[name] = section
    libraries: dict[str, CatalogLibrary] = {}
    key_line = _toml_key_lines(text)
    for alias, value in sections["libraries"].items():
        line = key_line("libraries", alias)
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
        line = key_line("bundles", alias)
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
    for match in GRADLE_CATALOG_REF.finditer(code):
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
    variables = {**properties, **{m["name"]: m["value"] for m in GRADLE_VAR.finditer(code)}}
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
    for match in GRADLE_STRING.finditer(code):
        parts = match["coord"].split("@")[0].split(":")
        if len(parts) >= 2:
            version = parts[2] if len(parts) > 2 else ""
            found.append((match.start(), match["config"], parts[0], parts[1], version, ""))
    for match in GRADLE_MAP.finditer(code):
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
        elif version and not EXACT_VERSION.match(version):
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
