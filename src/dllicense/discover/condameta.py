"""An installed conda (or pixi) environment: its ``conda-meta/*.json`` package records.

Each record is what conda (or rattler, for pixi and micromamba) wrote when it linked a
package: ``name``, ``version``, ``build``, ``channel``, the recipe's ``license`` and
``license_family``, ``depends`` (match specs: the graph's edges) and ``files`` (which
tell the Python distributions the package installed). A record whose channel is
``pypi`` (``build`` ``pypi_0``) stands for a package pip installed: its dist-info is
the package, the record is not read. The licence files of a package are in its
extracted folder in the package cache (``extracted_package_dir/info/licenses``),
when that folder still exists. Records are read statically and bounded.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dllicense.journal import note_folder
from dllicense.models import Location, Problem
from dllicense.readfile import read_bounded
from dllicense.records import frozen

MAX_RECORD_BYTES = 32 * 1024 * 1024  # a record lists every file of its package
MAX_RECORDS = 20_000
_DIST_INFO = re.compile(r"(?:^|/)site-packages/([^/]+)\.(?:dist-info|egg-info)(?:/|$)")
_SPEC_NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)")


@frozen
class CondaRecord:
    """One conda package installed in the environment, as its ``conda-meta`` record says.

    ``python_dists``: canonical names of the dist-info/egg-info folders its ``files`` list;
    ``info``: the package's extracted ``info`` folder, "" when it cannot be found.
    """

    name: str  # lower-case conda name
    version: str
    build: str
    channel: str  # short channel name (conda-forge, pytorch, nvidia/label/cuda-12.4.0)
    license: str
    license_family: str
    depends: tuple[str, ...]  # names of the packages it depends on (virtual ones dropped)
    file: str  # label of the record, e.g. ".pixi/envs/default/conda-meta/mkl-....json"
    python_dists: tuple[str, ...] = ()
    requested: bool = False  # the user asked for it (``requested_spec``)
    info: str = ""


def spec_name(spec: str) -> str:
    """The package name of a conda match spec (``numpy >=1.23,<3`` -> ``numpy``); "" for a
    virtual package (``__glibc``) or a spec without a name."""
    found = _SPEC_NAME.match(spec.split("::")[-1])
    name = found.group(1).lower() if found else ""
    return "" if name.startswith("__") else name


def short_channel(channel: str) -> str:
    """``https://conda.anaconda.org/conda-forge/linux-64`` -> ``conda-forge``."""
    text = channel.strip().rstrip("/")
    for prefix in ("https://conda.anaconda.org/", "http://conda.anaconda.org/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    parts = text.split("/")
    if parts and re.fullmatch(r"(noarch|(linux|osx|win)-[A-Za-z0-9_]+)", parts[-1]):
        parts = parts[:-1]
    return "/".join(parts)


def is_conda_prefix(path: Path) -> bool:
    return (path / "conda-meta").is_dir()


def read_conda_meta(prefix: Path, label: str) -> tuple[list[CondaRecord], list[Problem]]:
    """Every package record of the environment at ``prefix`` (``label`` names it)."""
    folder = prefix / "conda-meta"
    problems: list[Problem] = []
    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
        note_folder(folder)
    except OSError as error:
        where = f"{label}/conda-meta"
        return [], [Problem("DL070", f"{where}: cannot list ({error.strerror})")]
    if len(names) > MAX_RECORDS:
        message = f"{label}/conda-meta: more than {MAX_RECORDS} records; the rest are not read"
        problems.append(Problem("DL070", message))
        names = names[:MAX_RECORDS]
    records = []
    for name in names:
        rel = f"{label}/conda-meta/{name}"
        found = _read_record(folder / name, rel, prefix)
        if isinstance(found, Problem):
            problems.append(found)
        elif found is not None:
            records.append(found)
    return records, problems


def _read_record(path: Path, rel: str, prefix: Path) -> CondaRecord | Problem | None:
    try:
        data, size = read_bounded(path, MAX_RECORD_BYTES)
        if size > MAX_RECORD_BYTES:
            raise ValueError(f"larger than {MAX_RECORD_BYTES // (1024 * 1024)} MB")
        record = json.loads(data.decode("utf-8", errors="replace"))
    except OSError as error:
        return Problem("DL070", f"{rel}: cannot read ({error.strerror})", location=Location(rel))
    except ValueError as error:
        message = f"{rel}: not a conda package record ({error})"
        return Problem("DL070", message, location=Location(rel))
    if not isinstance(record, dict) or not _text(record.get("name")):
        message = f"{rel}: not a conda package record (no name)"
        return Problem("DL070", message, location=Location(rel))
    channel = short_channel(_text(record.get("channel")))
    build = _text(record.get("build"))
    if channel == "pypi" or build.startswith("pypi_"):
        return None  # installed by pip: its dist-info is the package
    files = [f for f in _list(record.get("files")) if isinstance(f, str)]
    folders = {m.group(1) for f in files if (m := _DIST_INFO.search(f))}
    dists = sorted({str(canonicalize_name(f.rsplit("-", 1)[0])) for f in folders})
    requested = bool(_text(record.get("requested_spec")) or _list(record.get("requested_specs")))
    return CondaRecord(
        name=_text(record.get("name")).lower(),
        version=_text(record.get("version")),
        build=build,
        channel=channel,
        license=_text(record.get("license")),
        license_family=_text(record.get("license_family")),
        depends=tuple(
            dict.fromkeys(n for d in _list(record.get("depends")) if (n := spec_name(str(d))))
        ),
        file=rel,
        python_dists=tuple(dists),
        requested=requested,
        info=_info_folder(record, prefix),
    )


def _info_folder(record: dict[str, Any], prefix: Path) -> str:
    """The extracted package's ``info`` folder (licence files are in ``info/licenses``):
    ``extracted_package_dir``, else the package cache next to the environment."""
    fn = _text(record.get("fn"))
    stem = re.sub(r"\.(conda|tar\.bz2)$", "", fn) or "-".join(
        _text(record.get(k)) for k in ("name", "version", "build")
    )
    candidates = []
    extracted = _text(record.get("extracted_package_dir"))
    if extracted:
        candidates.append(Path(extracted))
    candidates += [prefix / "pkgs" / stem, prefix.parent.parent / "pkgs" / stem]
    for folder in candidates:
        try:
            if (folder / "info").is_dir():
                return str(folder / "info")
        except OSError:
            continue
    return ""


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
