"""What the manifest readers share: file names, bounds, ``Declaration``, bounded reads."""

from __future__ import annotations

import re
from pathlib import Path

from dllicense.models import Location
from dllicense.readfile import read_bounded
from dllicense.records import frozen
from dllicense.tomlfile import line_of

MAX_MANIFEST_BYTES = 5 * 1024 * 1024
CONDA_FILES = ("environment.yml", "environment.yaml")
GRADLE_FILES = ("build.gradle", "build.gradle.kts")
GRADLE_CATALOG = "gradle/libs.versions.toml"
DIRECT_ONLY = (
    "direct dependency as declared; the dependencies it brings in are not resolved or checked"
)
EXACT_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+_-]*$")


@frozen
class Declaration:
    """One dependency a non-PyPI manifest declares, as written."""

    ecosystem: str  # maven, conda, pypi (a conda pip: entry), luarocks
    name: str  # group:artifact, conda or rock name, PyPI name (canonical)
    version: str  # the exact (or conda fuzzy) version when pinned, else ""
    raw: str
    location: Location
    scope: str  # maven, conda, luarocks; group:test for test-only Maven/Gradle dependencies
    note: str = ""
    channel: str = ""  # conda: the channel of a ``channel::name`` spec


class ManifestError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def read_manifest(path: Path) -> bytes:
    data, size = read_bounded(path, MAX_MANIFEST_BYTES)
    if size > MAX_MANIFEST_BYTES:
        raise ManifestError(f"larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB")
    return data


def find_line(text: str, needle: str, start: int = 1) -> int | None:
    return line_of(text, needle, start) or line_of(text, needle)


def gradle_properties(path: Path) -> dict[str, str]:
    """``key=value`` lines of ``gradle.properties`` ({} when absent or unreadable)."""
    try:
        text = read_manifest(path).decode("utf-8", "replace")
    except (OSError, ManifestError):
        return {}
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith(("#", "!")):
            out[key.strip()] = value.strip()
    return out
