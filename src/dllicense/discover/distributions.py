"""Read installed distributions (``*.dist-info`` / ``*.egg-info``) without importing them."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.journal import note_folder
from dllicense.models import Distribution, Problem, Skipped
from dllicense.paths import reason
from dllicense.readfile import read_bounded, read_text

METADATA_LIMIT = 16 * 1024 * 1024
_FOLDER = re.compile(r"^(?P<name>[^-]+)(?:-(?P<version>[^-]+))?.*\.(dist-info|egg-info)$")


def list_metadata_folders(site_dir: Path) -> tuple[list[str], list[Problem]]:
    """The ``*.dist-info`` / ``*.egg-info`` entries of one folder, sorted by name (plain
    strings: one per distribution, no ``pathlib`` object each)."""
    try:
        with os.scandir(site_dir) as entries:
            names = sorted(e.name for e in entries if e.name.endswith((".dist-info", ".egg-info")))
        note_folder(site_dir)  # a distribution added or removed changes the folder
    except OSError as exc:
        return [], [Problem("DL020", f"cannot list {site_dir.name}: {exc.strerror or exc}")]
    base = os.fspath(site_dir)
    return [os.path.join(base, name) for name in names], []


def headers_only(data: bytes) -> bytes:
    """The header block of a METADATA file: the body (the long description) is never needed."""
    ends = [i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0]
    return data[: min(ends) + 1] if ends else data


_MULTI = {
    "classifier": "classifiers",
    "requires-dist": "requires_dist",
    "license-file": "license_files",
    "provides-extra": "provides_extra",
}
_SINGLE = {
    "metadata-version": "metadata_version",
    "name": "name",
    "version": "version",
    "summary": "summary",
    "license": "license",
    "license-expression": "license_expression",
    "home-page": "home_page",
}

_USED = frozenset(_SINGLE) | frozenset(_MULTI)


def fast_headers(head: bytes) -> dict[str, Any] | None:
    """The fields dllicense uses, read directly from well-formed UTF-8 headers.

    Returns None for anything unusual (bad encoding, a malformed line, a
    repeated single-use field), which ``packaging.metadata.parse_email`` then
    handles with its full validation; the two agree on well-formed input.
    """
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # The lines of each value of a used field, joined at the end: a whole licence text in
    # ``License`` continuation lines (matplotlib's 1,290) was quadratic to build by +=.
    values: dict[str, list[list[str]]] = {}
    lines: list[str] | None = None  # the value being read, when its field is used
    key = ""
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if not line:
            break
        if line[0] in " \t":
            if not key:
                return None
            if lines is not None:
                lines.append(line)
            continue
        name, sep, value = line.partition(":")
        if not sep:
            return None
        key = name.strip().lower()
        lines = [value.strip()] if key in _USED else None
        if lines is not None:
            values.setdefault(key, []).append(lines)
    raw: dict[str, Any] = {}
    for field, attr in _SINGLE.items():
        if field in values:
            if len(values[field]) > 1:
                return None
            raw[attr] = "\n".join(values[field][0])
    for field, attr in _MULTI.items():
        if field in values:
            raw[attr] = ["\n".join(v) for v in values[field]]
    return raw


def read_distribution(where: Path | str, label: str) -> Distribution | Skipped:
    """Read one metadata folder; a folder we cannot use is ``Skipped`` (DL021).

    Paths are plain strings inside: this runs once per distribution.
    """
    folder = os.fspath(where)
    base = os.path.basename(folder)
    egg = base.endswith(".egg-info")
    if egg and os.path.isfile(folder):
        metadata_file = folder
    else:
        metadata_file = os.path.join(folder, "PKG-INFO" if egg else "METADATA")
    try:
        data = read_bounded(metadata_file, METADATA_LIMIT)[0]
    except OSError as exc:
        why = "no METADATA file" if isinstance(exc, FileNotFoundError) else reason(exc)
        detail = f"{base}: {why}; distribution skipped"
        guess = _FOLDER.match(base)
        folder_name = canonicalize_name(guess.group("name") if guess else base)
        guessed_version = (guess.group("version") or "") if guess else ""
        return Skipped(folder_name, guessed_version, "discover", "metadata-unreadable", detail)
    head = headers_only(data)
    fast = fast_headers(head)
    raw: Mapping[str, Any] = fast or {}
    unparsed: Mapping[str, Any] = {}
    if fast is None:  # imported here: packaging.metadata brings the email package (~15 ms)
        from packaging.metadata import parse_email

        raw, unparsed = parse_email(head)
    problems: list[Problem] = []
    name = str(raw.get("name") or "")
    if not name or not raw.get("version"):  # the folder's name says what METADATA does not
        guess = _FOLDER.match(base)
        guessed_name = guess.group("name") if guess else base
        guessed_version = (guess.group("version") or "") if guess else ""
    if not name:
        problems.append(
            Problem(
                "DL022",
                f"{base}: METADATA has no valid Name; using the folder name",
                package=canonicalize_name(guessed_name),
            )
        )
        name = guessed_name
    version = str(raw.get("version") or "") or guessed_version
    bad_fields = (
        sorted(k for k in unparsed if k.lower() not in _IGNORED_UNPARSED) if unparsed else []
    )
    if bad_fields:
        problems.append(
            Problem(
                "DL022",
                f"{base}: unreadable or repeated METADATA fields: " + ", ".join(bad_fields),
                package=canonicalize_name(name),
                version=version,
            )
        )
    requires = list(raw.get("requires_dist") or [])
    if not requires and egg and os.path.isdir(folder):
        try:
            requires = _egg_requires(Path(folder) / "requires.txt")
        except (OSError, ValueError) as exc:
            problems.append(
                Problem(
                    "DL022",
                    f"{base}: requires.txt cannot be read ({reason(exc)}); "
                    "its dependencies are not known",
                    package=canonicalize_name(name),
                    version=version,
                )
            )
    return Distribution(
        name=canonicalize_name(name),
        display_name=name,
        version=version,
        path=str(folder),
        location=label,
        metadata_version=str(raw.get("metadata_version") or ""),
        summary=str(raw.get("summary") or ""),
        license_expression=str(raw.get("license_expression") or "").strip(),
        license=str(raw.get("license") or "").strip(),
        classifiers=tuple(raw.get("classifiers") or ()),
        license_files=tuple(raw.get("license_files") or ()),
        requires_dist=tuple(requires),
        provides_extra=tuple(raw.get("provides_extra") or ()),
        home_page=str(raw.get("home_page") or ""),
        problems=tuple(problems),
    )


# Headers packaging does not parse but that carry nothing we use.
_IGNORED_UNPARSED = frozenset(
    {
        "description",
        "license-file",
        "dynamic",
        "platform",
        "supported-platform",
        "obsoletes",
        "provides",
        "requires",
        "import-name",
        "import-namespace",
    }
)


def _egg_requires(path: Path) -> list[str]:
    """Convert an egg-info ``requires.txt`` into ``Requires-Dist`` strings (none when
    there is no such file; ``OSError``/``ValueError`` when it cannot be read)."""
    try:
        text = read_text(path, METADATA_LIMIT)
    except FileNotFoundError:
        return []
    out: list[str] = []
    marker = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, condition = line[1:-1].partition(":")
            parts = [f"({condition})"] if condition else []
            if extra:
                parts.append(f'extra == "{extra}"')
            marker = " and ".join(parts)
            continue
        out.append(f"{line}; {marker}" if marker else line)
    return out
