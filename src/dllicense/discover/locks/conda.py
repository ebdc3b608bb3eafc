"""Conda lock files: ``pixi.lock``, ``conda-lock.yml`` and ``@EXPLICIT`` spec files.

A conda lock pins packages per platform (``linux-64``, ``osx-arm64``, ``win-64``...);
each locked package gets the platform as a PEP 508 marker, so the graph is built for
the target like any lock (``--platform``, ``--all-targets``). Conda packages are of
ecosystem ``conda`` (``pixi.lock`` records each one's recipe ``license``); PyPI packages
of a pixi or conda-lock environment are ordinary ones. A conda environment is the
install set: every package of the target's platform is installed, the edges (conda
``depends``, PyPI ``requires_dist``) give the paths. Only pixi's ``default`` environment
is read. Virtual packages (``__glibc``, ``__cuda``) are not packages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.discover.condameta import short_channel, spec_name
from dllicense.discover.locks.common import array, requirement, table, text_of, unreadable
from dllicense.discover.locks.model import Lock, LockedDependency, LockedPackage
from dllicense.discover.yamlsubset import YamlError, parse_yaml
from dllicense.models import Location, Problem
from dllicense.tomlfile import read_text

# conda platform -> PEP 508 marker (the values --platform and the running machine give)
_PLATFORMS = {
    "linux-64": "sys_platform == 'linux' and platform_machine == 'x86_64'",
    "linux-aarch64": "sys_platform == 'linux' and platform_machine == 'aarch64'",
    "linux-ppc64le": "sys_platform == 'linux' and platform_machine == 'ppc64le'",
    "osx-64": "sys_platform == 'darwin' and platform_machine == 'x86_64'",
    "osx-arm64": "sys_platform == 'darwin' and platform_machine == 'arm64'",
    "win-64": "sys_platform == 'win32' and platform_machine == 'AMD64'",
    "win-arm64": "sys_platform == 'win32' and platform_machine == 'ARM64'",
}
_FILENAME = re.compile(r"^(?P<name>.+)-(?P<version>[^-]+)-(?P<build>[^-]+)\.(?:conda|tar\.bz2)$")
_KIND = "conda"  # lockgraph: a conda lock is the install set (no orphans, every package fits)


def platform_marker(platform: str) -> str:
    """The marker of a conda platform (``noarch`` and unknown ones: no restriction)."""
    return _PLATFORMS.get(platform, "")


def from_filename(url: str) -> tuple[str, str, str]:
    """(name, version, build) of a conda package file URL (``""`` when it is not one)."""
    name = url.split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    found = _FILENAME.match(name)
    if not found:
        return "", "", ""
    return found["name"].lower(), found["version"], found["build"]


def _load(path: Path, label: str) -> tuple[Any, Problem | None]:
    try:
        return parse_yaml(read_text(path)), None
    except YamlError as error:
        return None, unreadable(label, str(error), error.line)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        return None, unreadable(label, reason or "cannot read")


def _conda_edges(depends: list[Any], marker: str = "") -> tuple[LockedDependency, ...]:
    """Edges of one platform's record: a package locked for several platforms (noarch, or
    one version with a build per platform) has each platform's edges under its marker."""
    names = dict.fromkeys(n for d in depends if (n := spec_name(text_of(d))))
    return tuple(LockedDependency(n, marker=marker) for n in names)


def _both(a: str, b: str) -> str:
    return f"({a}) and ({b})" if a and b else a or b


def _merge(found: dict[tuple[str, str, str], LockedPackage], package: LockedPackage) -> None:
    """One package locked for several platforms: one entry whose marker is any of theirs."""
    key = (package.ecosystem, package.name, package.version)
    first = found.get(key)
    if first is None:
        found[key] = package
        return
    if not first.marker or not package.marker:
        marker = ""
    else:
        marker = f"({first.marker}) or ({package.marker})"
    found[key] = LockedPackage(
        first.name,
        first.version,
        marker,
        first.requires_python,
        tuple(dict.fromkeys((*first.dependencies, *package.dependencies))),
        line=first.line,
        ecosystem=first.ecosystem,
        license=first.license,
        license_family=first.license_family,
        build=first.build,
        index=first.index,
    )


def _as_lock(label: str, found: dict[tuple[str, str, str], LockedPackage], edges: bool) -> Lock:
    packages = tuple(found.values())
    required = {d.name for p in packages for d in p.dependencies}
    roots = tuple(
        _root(p) for p in packages if p.name not in required
    )  # the top of the install set
    return Lock(
        _KIND,
        label,
        packages,
        roots=roots,
        edges=edges,
        project_roots=False,
        files=(label,),
        universal=True,
    )


def _root(package: LockedPackage) -> Any:
    from dllicense.discover.locks.model import Root

    return Root("runtime", LockedDependency(package.name, marker=package.marker), "lock")


def read_pixi(path: Path, label: str, root: Path) -> Lock:
    """``pixi.lock`` versions 4 to 7: the ``default`` environment, every platform."""
    data, problem = _load(path, label)
    if problem is not None:
        return Lock(_KIND, label, (), problems=(problem,), files=(label,))
    data = table(data)
    version = text_of(data.get("version"))
    if version not in ("4", "5", "6", "7"):
        problem = unreadable(label, f"unsupported pixi.lock version {version!r} (known: 4-7)", 1)
        return Lock(_KIND, label, (), problems=(problem,), files=(label,))
    records: dict[str, dict[str, Any]] = {}
    for raw in array(data.get("packages")):
        entry = table(raw)
        url = text_of(entry.get("conda")) or text_of(entry.get("pypi")) or text_of(entry.get("url"))
        if url:
            records.setdefault(url, entry)
    environment = table(table(data.get("environments")).get("default"))
    by_platform = table(environment.get("packages"))
    found: dict[tuple[str, str, str], LockedPackage] = {}
    problems: list[Problem] = []
    purl_names: dict[str, str] = {}  # PyPI name -> the conda package that installs it
    for entry in records.values():
        if _is_conda(entry):
            name = text_of(entry.get("name")) or from_filename(text_of(entry.get("conda")))[0]
            for purl in array(entry.get("purls")):
                pypi = re.match(r"pkg:pypi/([^?@]+)", text_of(purl))
                if pypi and name:
                    purl_names[str(canonicalize_name(pypi.group(1)))] = name.lower()
    for platform, items in sorted(by_platform.items()):
        for item in array(items):
            ref = table(item)
            url = text_of(ref.get("conda")) or text_of(ref.get("pypi"))
            found_entry = records.get(url)
            if found_entry is None:
                problems.append(unreadable(label, f"{platform}: {url or '?'} has no package entry"))
                continue
            package = _pixi_package(found_entry, url, "conda" in ref, platform, purl_names)
            if package is not None:
                _merge(found, package)
    lock = _as_lock(label, found, edges=True)
    return Lock(**{**lock.__dict__, "problems": tuple(problems)})


def _is_conda(entry: dict[str, Any]) -> bool:
    return "conda" in entry or text_of(entry.get("kind")) == "conda"


def _pixi_package(
    entry: dict[str, Any], url: str, conda: bool, platform: str, purl_names: dict[str, str]
) -> LockedPackage | None:
    marker = platform_marker(platform)
    if conda:
        name, version, build = from_filename(url)
        name = text_of(entry.get("name")).lower() or name
        version = text_of(entry.get("version")) or version
        build = text_of(entry.get("build")) or build
        if not name or not version:
            return None
        channel = short_channel(url.rsplit("/", 2)[0]) if "://" in url else ""
        return LockedPackage(
            name,
            version,
            marker,
            dependencies=_conda_edges(array(entry.get("depends")), marker),
            ecosystem="conda",
            license=text_of(entry.get("license")),
            license_family=text_of(entry.get("license_family")),
            build=build,
            index=channel,
        )
    name = str(canonicalize_name(text_of(entry.get("name"))))
    if not name or not text_of(entry.get("version")):
        return None
    deps = []
    for raw in array(entry.get("requires_dist")):
        dep = requirement(text_of(raw))
        if dep is not None:
            name_of = purl_names.get(dep.name, dep.name)
            deps.append(LockedDependency(name_of, marker=_both(marker, dep.marker)))
    return LockedPackage(name, text_of(entry.get("version")), marker, dependencies=tuple(deps))


def read_conda_lock(path: Path, label: str, root: Path) -> Lock:
    """``conda-lock.yml`` (version 1): conda and pip packages per platform; no licences."""
    data, problem = _load(path, label)
    if problem is not None:
        return Lock(_KIND, label, (), problems=(problem,), files=(label,))
    data = table(data)
    if text_of(data.get("version")) != "1":
        message = f"unsupported conda-lock version {text_of(data.get('version'))!r} (known: 1)"
        return Lock(_KIND, label, (), problems=(unreadable(label, message, 1),), files=(label,))
    found: dict[tuple[str, str, str], LockedPackage] = {}
    for raw in array(data.get("package")):
        entry = table(raw)
        manager = text_of(entry.get("manager"))
        conda = manager == "conda"
        name = text_of(entry.get("name")).lower()
        name = name if conda else str(canonicalize_name(name)) if name else ""
        version = text_of(entry.get("version"))
        if not name or not version or entry.get("optional") is True:
            continue
        marker = platform_marker(text_of(entry.get("platform")))
        deps = tuple(
            LockedDependency(n if conda else str(canonicalize_name(n)), marker=marker)
            for n in table(entry.get("dependencies"))
            if not str(n).startswith("__")
        )
        url = text_of(entry.get("url"))
        _merge(
            found,
            LockedPackage(
                name,
                version,
                marker,
                dependencies=deps,
                ecosystem="conda" if conda else "pypi",
                build=from_filename(url)[2] if conda else "",
                index=short_channel(url.rsplit("/", 2)[0]) if conda and "://" in url else "",
            ),
        )
    return _as_lock(label, found, edges=True)


def is_explicit(path: Path) -> bool:
    """Is ``path`` an ``@EXPLICIT`` spec file (conda list --explicit, conda-lock's render)?"""
    try:
        head = read_text(path)[:4096]
    except (OSError, ValueError):
        return False
    return any(line.strip() == "@EXPLICIT" for line in head.splitlines())


def read_explicit(path: Path, label: str, root: Path) -> Lock:
    """An ``@EXPLICIT`` file: package URLs of one platform (``# platform:``); no edges."""
    try:
        text = read_text(path)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        return Lock(_KIND, label, (), problems=(unreadable(label, reason or "?"),), files=(label,))
    platform = ""
    found: dict[tuple[str, str, str], LockedPackage] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line.startswith("# platform:"):
            platform = line.split(":", 1)[1].strip()
        if not line or line.startswith(("#", "@")):
            continue
        name, version, build = from_filename(line)
        if not name:
            problems.append(
                Problem(
                    "DL030",
                    f"cannot read {label}: {line[:80]!r} is not a conda package URL",
                    location=Location(label, number),
                )
            )
            continue
        url = line.split("#")[0]
        _merge(
            found,
            LockedPackage(
                name,
                version,
                platform_marker(platform),
                line=number,
                ecosystem="conda",
                build=build,
                index=short_channel(url.rsplit("/", 2)[0]) if "://" in url else "",
            ),
        )
    lock = _as_lock(label, found, edges=False)
    return Lock(**{**lock.__dict__, "problems": tuple(problems)})
