"""Requirements declared for setuptools: ``setup.py`` (read with ``ast``) and ``setup.cfg``.

setuptools applies ``setup.cfg`` first and ``setup()`` keywords over it, so a field given
in ``setup.py`` wins over the same field of ``setup.cfg``. Under PEP 621 a field the
``[project]`` table of ``pyproject.toml`` owns (present, not ``dynamic``) is not read here.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from packaging.utils import canonicalize_name

from dllicense.discover.declared import parse_declared
from dllicense.discover.requirements import read_requirements
from dllicense.models import Declared, Location, Problem

Lines = list[tuple[str, int]]


def read_setup_files(
    root: Path, skip: frozenset[str], runtime_files: frozenset[str] = frozenset()
) -> tuple[str, list[Declared], list[Problem], list[str]]:
    """(name, declared, problems, files read) of ``setup.py`` and ``setup.cfg`` at ``root``.

    ``skip`` holds the PEP 621 fields (``dependencies``, ``optional-dependencies``) that
    pyproject.toml owns. ``runtime_files``: the requirements files (posix paths relative
    to ``root``) the scan reads anyway as runtime; an ``install_requires`` that only reads
    some of them hides no requirement (no DL013).
    """
    names: list[str] = []
    problems: list[Problem] = []
    files: list[str] = []
    runtime: tuple[str, Lines] | None = None  # (file, lines) of install_requires
    extras: dict[str, tuple[str, Lines]] = {}  # extra -> (label, lines)
    cfg_files: dict[str, list[str]] = {}
    cfg_path, py_path = root / "setup.cfg", root / "setup.py"
    # The readers are imported only for a project that has the file (ast, tokenize and
    # configparser cost ~8 ms of every start-up).
    if cfg_path.is_file():
        from dllicense.discover.setupcfg import read_setup_cfg

        cfg = read_setup_cfg(cfg_path, "setup.cfg")
        files.append("setup.cfg")
        names.append(cfg.name)
        problems += cfg.problems
        if cfg.install_requires is not None:
            runtime = ("setup.cfg", cfg.install_requires)
        for extra, lines in (cfg.extras_require or {}).items():
            extras[extra] = ("setup.cfg", lines)
        cfg_files = cfg.files
    owned: list[tuple[str, Problem]] = []
    if py_path.is_file():
        from dllicense.discover.setuppy import read_setup_py

        py = read_setup_py(py_path, "setup.py")
        files.append("setup.py")
        names.insert(0, py.name)
        owned = py.problems
        if py.reads and {_relative(f) for f in py.reads} <= runtime_files:
            owned = [(f, p) for f, p in owned if f != "install_requires"]
        if "install_requires" in py.given:  # setup() keywords override setup.cfg
            runtime = ("setup.py", py.install_requires or [])
            cfg_files.pop("runtime", None)
        if "extras_require" in py.given:
            extras = {k: ("setup.py", v) for k, v in (py.extras_require or {}).items()}
            cfg_files = {k: v for k, v in cfg_files.items() if not k.startswith("extra:")}
    if "dependencies" in skip:
        runtime, cfg_files = None, {k: v for k, v in cfg_files.items() if k != "runtime"}
        owned = [(f, p) for f, p in owned if f != "install_requires"]
    if "optional-dependencies" in skip:
        extras, cfg_files = {}, {k: v for k, v in cfg_files.items() if k == "runtime"}
        owned = [(f, p) for f, p in owned if f != "extras_require"]
    problems += [p for _, p in owned]
    name = next((n for n in names if n), "")
    own = canonicalize_name(name) if name else ""
    declared: list[Declared] = []
    scoped = [("runtime", *runtime)] if runtime else []
    scoped += [(f"extra:{canonicalize_name(e)}", *extras[e]) for e in sorted(extras)]
    for scope, label, lines in scoped:
        for raw, line in lines:
            item = parse_declared(raw, scope, Location(label, line))
            if isinstance(item, Problem):
                problems.append(item)
            elif item.name != own:  # "mypkg[extra]" re-states extras already read
                declared.append(item)
    for scope, targets in sorted(cfg_files.items()):
        for target in targets:
            more, more_problems, more_files = read_requirements(root / target, root, scope)
            declared += more
            problems += more_problems
            files += more_files
    return name, declared, problems, files


def _relative(path: str) -> str:
    """A path setup.py names, relative to its folder, as ``requirement_files`` lists them."""
    return posixpath.normpath(path.replace("\\", "/")).removeprefix("./")
