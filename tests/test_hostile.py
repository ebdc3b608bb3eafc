"""Hostile and broken input: a finding or one clear line, never a traceback, nothing else lost."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dllicense.models import ScanResult
from tests.conftest import FIXTURES, run_cli, scan_dirs

HOSTILE = FIXTURES / "hostile" / "site-packages"


def _nobody_can_run() -> bool:
    """Root with setpriv, and user nobody can import this checkout (a clone under a private
    folder, such as a 0700 ``mktemp -d`` or ``/root``, cannot be read by nobody)."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        return False
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    done = subprocess.run(
        [*drop, sys.executable, "-c", "import dllicense"], capture_output=True, check=False
    )
    return done.returncode == 0


_CAN_DROP = _nobody_can_run()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    project = tmp_path_factory.mktemp("project")
    return scan_dirs(project, HOSTILE, texts="none")


def _codes(result: ScanResult, package: str) -> list[str]:
    return sorted(f.code for f in result.findings if f.package == package)


def test_every_healthy_package_survives(hostile: ScanResult) -> None:
    names = {p.node.name for p in hostile.packages}
    assert names == {
        "bad-encoding",
        "bad-requires",
        "dup-fields",
        "escaper",
        "no-name",
        "non-utf8-licence",
        "twin",
        "unbalanced",
    }
    licences = {p.node.name: p.verdict.expression for p in hostile.packages}
    assert licences["bad-encoding"] == "MIT"
    assert licences["escaper"] == "MIT"
    assert licences["twin"] == "MIT"  # the first one found wins


@pytest.mark.parametrize(
    ("package", "codes"),
    [
        # no DL115 (ships no licence text) although none of these ships one: with
        # --texts none, RECORD is not searched for licence files, so that is not known
        ("bad-encoding", ["DL022"]),
        ("dup-fields", ["DL022", "DL022"]),
        ("escaper", ["DL110", "DL110", "DL111"]),
        ("unbalanced", ["DL101", "DL104"]),
        ("twin", ["DL003"]),
        ("not-installed-anywhere", ["DL002"]),
    ],
)
def test_expected_findings(hostile: ScanResult, package: str, codes: list[str]) -> None:
    assert _codes(hostile, package) == codes


def test_missing_metadata_and_name(hostile: ScanResult) -> None:
    messages = [f.message for f in hostile.findings]
    assert any("no_metadata-1.0.dist-info: no METADATA file" in m for m in messages)
    assert any("no_name-1.0.dist-info: METADATA has no valid Name" in m for m in messages)
    assert any("invalid Requires-Dist 'twin (>=1.0'" in m for m in messages)


def test_nothing_outside_the_dist_info_is_read(hostile: ScanResult) -> None:
    escaper = next(p for p in hostile.packages if p.node.name == "escaper")
    assert [e.source for e in escaper.evidence if e.sha256] == ["licenses/LICENSE"]
    assert all("root:" not in t.text for t in hostile.texts)


def test_huge_licence_file_is_read_in_part(tmp_path: Path) -> None:
    site = tmp_path / "site"
    folder = site / "huge-1.0.dist-info"
    (folder / "licenses").mkdir(parents=True)
    (folder / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: huge\nVersion: 1.0\n"
        "License-Expression: MIT\nLicense-File: LICENSE\n",
        "utf-8",
    )
    with (folder / "licenses" / "LICENSE").open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # 100 MB, sparse
    result = scan_dirs(tmp_path, site, texts="none")
    assert [p.verdict.expression for p in result.packages] == ["MIT"]
    [big] = [f for f in result.findings if f.code == "DL113"]
    assert "104857600 bytes" in big.message


def test_symlink_loops(tmp_path: Path) -> None:
    site = tmp_path / "site"
    folder = site / "loopy-1.0.dist-info"
    (folder / "licenses").mkdir(parents=True)
    (folder / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: loopy\nVersion: 1.0\n"
        "License: MIT\nLicense-File: loop/LICENSE\n",
        "utf-8",
    )
    os.symlink("..", folder / "licenses" / "loop")  # licenses/loop -> licenses
    os.symlink("self-1.0.dist-info", site / "self-1.0.dist-info")  # a link to itself
    result = scan_dirs(tmp_path, site, texts="none")
    assert [p.node.name for p in result.packages] == ["loopy"]
    assert any(f.code == "DL021" and "self-1.0" in f.message for f in result.findings)


def test_symlinks_out_of_the_dist_info_are_not_followed(tmp_path: Path) -> None:
    """A licence file or a licenses/ folder that is a symlink leaving the dist-info is not
    read; one that stays inside is."""
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "LICENSE").write_text("root:x:0:0 secret\n", "utf-8")
    site = tmp_path / "site"
    metadata = "Metadata-Version: 2.4\nName: {0}\nVersion: 1.0\nLicense-Expression: MIT\n"
    linked = site / "linked-1.0.dist-info"
    (linked / "licenses").mkdir(parents=True)
    (linked / "METADATA").write_text(metadata.format("linked") + "License-File: LICENSE\n")
    os.symlink(secret / "LICENSE", linked / "licenses" / "LICENSE")
    os.symlink(secret / "LICENSE", linked / "COPYING")
    (linked / "licenses" / "real").mkdir()
    (linked / "licenses" / "real" / "NOTICE").write_text("Linked NOTICE\n", "utf-8")
    os.symlink("real/NOTICE", linked / "licenses" / "NOTICE")  # inside: read
    folder = site / "folder-1.0.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text(metadata.format("folder"), "utf-8")
    os.symlink(secret, folder / "licenses")
    result = scan_dirs(tmp_path, site, texts="none")
    files = {p.node.name: [e.source for e in p.evidence if e.sha256] for p in result.packages}
    assert files == {"folder": [], "linked": ["licenses/NOTICE", "licenses/real/NOTICE"]}
    assert all("secret" not in t.text for t in result.texts)
    assert [f.code for f in result.findings if f.package == "linked"].count("DL110") == 1


@pytest.mark.skipif(not _CAN_DROP, reason="needs root, setpriv and a checkout user nobody can read")
def test_unreadable_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = Path(tmp_path_factory.mktemp("world", numbered=True))
    base.chmod(0o755)
    for parent in base.parents:  # pytest's tmp root is private to root: open the way down
        if str(parent).startswith("/tmp/pytest-of"):
            parent.chmod(0o755)
    site = base / "site"
    shutil.copytree(HOSTILE / "twin-1.0.dist-info", site / "twin-1.0.dist-info")
    locked = site / "locked-1.0.dist-info"
    locked.mkdir()
    (locked / "METADATA").write_text("Name: locked\nVersion: 1.0\n", "utf-8")
    locked.chmod(0o000)
    project = base / "project"
    project.mkdir()
    for path in (site, project, *site.iterdir()):
        if path != locked:
            path.chmod(0o755)
    done = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "dllicense",
            "scan",
            str(project),
            "--path",
            str(site),
            "--texts",
            "none",
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HOME": str(base)},
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert "twin" in done.stdout
    assert "DL021" in done.stdout and "locked-1.0.dist-info" in done.stdout


def test_broken_project_files_are_findings_or_one_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["a",\n', "utf-8"
    )
    (tmp_path / "requirements.txt").write_text("-r requirements.txt\nsix\n", "utf-8")
    done = run_cli("scan", str(tmp_path), "--path", str(HOSTILE), "--texts", "none")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "DL010" in done.stdout and "pyproject.toml:3" in done.stdout
    assert "DL012" in done.stdout and "includes itself" in done.stdout
    (tmp_path / "dllicense.toml").write_text('allow = ["MIT"]\nallowed = ["ISC"]\n', "utf-8")
    bad = run_cli("scan", str(tmp_path), "--path", str(HOSTILE))
    assert bad.returncode == 2
    assert bad.stderr.startswith(
        "dllicense: error: dllicense.toml:2: allowed: unknown policy key (known: allow, "
    )
    assert bad.stderr.count("\n") == 1


# -- round 2: every case in a subprocess, under a timeout and a memory limit -------------
#
# Each case builds a project, a site-packages folder and an outside folder holding a
# secret the scan must never copy into a report. The scan runs as root and as user
# nobody (setpriv), with every report format written, and must: end in time, stay
# under the memory limit, exit 0/1/2 without a traceback or "internal error", leave
# no byte of the outside file (nor /etc/passwd) in any report, and print no raw
# control character in the table.

CASE_TIMEOUT = 120  # seconds; a hang is what is tested, not speed
CASE_MEMORY = 2 * 1024**3  # bytes of address space
SECRET = "OUTSIDE-SECRET-7f3a9c"
FORMATS = "table,json,markdown,sarif,html,csv"
_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_SRC = str(Path(__file__).resolve().parents[1] / "src")
_DIST = "Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nLicense: MIT\n{extra}\n"


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # the class of the issue
    build: Callable[[Path, Path, Path], list[str]]  # (project, site, outside) -> extra args
    expect: str = ""  # a text some report must hold (the finding it now gives)


def _dist(site: Path, name: str, extra: str = "", folder: str = "") -> Path:
    where = site / (folder or f"{name}-1.0.dist-info")
    where.mkdir(parents=True, exist_ok=True)
    (where / "METADATA").write_text(_DIST.format(name=name, extra=extra), "utf-8")
    return where


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)


def _deep(opening: str, closing: str, depth: int = 200_000) -> str:
    return opening * depth + closing * depth


def _cases() -> list[Case]:
    def fifo_metadata(p: Path, s: Path, o: Path) -> list[str]:
        _fifo(_dist(s, "fifometa") / "METADATA")
        return []

    def fifo_pkginfo(p: Path, s: Path, o: Path) -> list[str]:
        _fifo(s / "fifoegg-1.0.egg-info" / "PKG-INFO")
        return []

    def fifo_record(p: Path, s: Path, o: Path) -> list[str]:
        _fifo(_dist(s, "fiforecord") / "RECORD")
        return []

    def fifo_licence(p: Path, s: Path, o: Path) -> list[str]:
        _fifo(_dist(s, "fifolicence", "License-File: LICENSE") / "licenses" / "LICENSE")
        return []

    def fifo_source(p: Path, s: Path, o: Path) -> list[str]:
        _fifo(p / "train.py")
        return []

    def fifo_include(p: Path, s: Path, o: Path) -> list[str]:
        (p / "requirements.txt").write_text("-r more.txt\nsix\n", "utf-8")
        _fifo(p / "more.txt")
        return []

    def fifo_pyproject(p: Path, s: Path, o: Path) -> list[str]:
        _fifo(p / "pyproject.toml")
        return []

    def zero_egg_requires(p: Path, s: Path, o: Path) -> list[str]:
        egg = s / "zeroreq-1.0.egg-info"
        egg.mkdir()
        (egg / "PKG-INFO").write_text(_DIST.format(name="zeroreq", extra=""), "utf-8")
        os.symlink("/dev/zero", egg / "requires.txt")
        return []

    def zero_include(p: Path, s: Path, o: Path) -> list[str]:
        (p / "requirements.txt").write_text("-r /dev/zero\nsix\n", "utf-8")
        return []

    def zero_include_cached(p: Path, s: Path, o: Path) -> list[str]:
        (p / "requirements.txt").write_text("-r /dev/zero\nsix\n", "utf-8")
        return ["--cache"]  # the result-cache key reads the includes

    def urandom_metadata(p: Path, s: Path, o: Path) -> list[str]:
        where = s / "random-1.0.dist-info"
        where.mkdir()
        os.symlink("/dev/urandom", where / "METADATA")
        return []

    def zero_pyproject(p: Path, s: Path, o: Path) -> list[str]:
        os.symlink("/dev/zero", p / "pyproject.toml")
        return []

    def deep_pyproject(p: Path, s: Path, o: Path) -> list[str]:
        (p / "pyproject.toml").write_text("[project]\nname = 'x'\nx = " + _deep("[", "]"))
        return []

    def deep_uv_lock(p: Path, s: Path, o: Path) -> list[str]:
        (p / "uv.lock").write_text("version = 1\nx = " + _deep("[", "]"), "utf-8")
        return []

    def deep_pipfile_lock(p: Path, s: Path, o: Path) -> list[str]:
        (p / "Pipfile.lock").write_text(_deep("[", "]"), "utf-8")
        return []

    def deep_sbom(p: Path, s: Path, o: Path) -> list[str]:
        sboms = _dist(s, "deepsbom") / "sboms"
        sboms.mkdir()
        (sboms / "bom.cdx.json").write_text(_deep('{"a":', "}").replace("}{", "}"), "utf-8")
        return []

    def deep_notebook(p: Path, s: Path, o: Path) -> list[str]:
        (p / "nb.ipynb").write_text(_deep("[", "]"), "utf-8")
        return []

    def deep_setup_py(p: Path, s: Path, o: Path) -> list[str]:
        (p / "setup.py").write_text("x = " + _deep("(", ")", 100_000) + "\n", "utf-8")
        return []

    def loop_include(p: Path, s: Path, o: Path) -> list[str]:
        os.symlink("loop.txt", p / "loop.txt")
        (p / "requirements.txt").write_text("-r loop.txt\nsix\n", "utf-8")
        return []

    def loop_requirements(p: Path, s: Path, o: Path) -> list[str]:
        os.symlink("requirements.txt", p / "requirements.txt")
        return []

    def loop_pom_parent(p: Path, s: Path, o: Path) -> list[str]:
        os.symlink("a", p / "b")
        os.symlink("b", p / "a")
        (p / "pom.xml").write_text(
            "<project><modelVersion>4.0.0</modelVersion><parent><groupId>g</groupId>"
            "<artifactId>p</artifactId><version>1</version><relativePath>a/pom.xml"
            "</relativePath></parent><artifactId>x</artifactId></project>",
            "utf-8",
        )
        return ["--cache"]

    def loop_model_folder(p: Path, s: Path, o: Path) -> list[str]:
        model = p / "model"
        model.mkdir()
        os.symlink("LICENSE", model / "LICENSE")
        (model / "README.md").write_text("---\nlicense: mit\n---\n", "utf-8")
        (p / "train.py").write_text(
            "from transformers import AutoModel\nAutoModel.from_pretrained('./model')\n"
        )
        return []

    def unreadable_models(p: Path, s: Path, o: Path) -> list[str]:
        locked = p / "locked"
        (locked / "inner").mkdir(parents=True)
        (locked / "inner" / "x.py").write_text("import os\n", "utf-8")
        (p / "train.py").write_text("import os\n", "utf-8")
        locked.chmod(0o000)
        return []

    def padded_yaml(p: Path, s: Path, o: Path) -> list[str]:
        (p / "environment.yml").write_text(
            "name: x\ndependencies:\n  - a" + " " * 1_000_000 + "b\n", "utf-8"
        )
        return []

    def padded_card(p: Path, s: Path, o: Path) -> list[str]:
        model = p / "model"
        model.mkdir()
        (model / "README.md").write_text("---\na" + " " * 1_000_000 + "b\n---\n", "utf-8")
        (p / "train.py").write_text(
            "from transformers import AutoModel\nAutoModel.from_pretrained('./model')\n"
        )
        return []

    def unclosed_parent(p: Path, s: Path, o: Path) -> list[str]:
        (p / "pom.xml").write_text("<project>" + "<parent>" * 200_000, "utf-8")
        return ["--cache"]

    def gradle_blank_lines(p: Path, s: Path, o: Path) -> list[str]:
        (p / "build.gradle").write_text(
            "\n" * 500_000 + "/*" * 200_000 + "\ndependencies {}\n", "utf-8"
        )
        return []

    def rockspec_brackets(p: Path, s: Path, o: Path) -> list[str]:
        (p / "x-1.0-1.rockspec").write_text("dependencies = {" + "[[" * 300_000, "utf-8")
        return []

    def include_passwd(p: Path, s: Path, o: Path) -> list[str]:
        (p / "requirements.txt").write_text("-r /etc/passwd\nsix\n", "utf-8")
        return []

    def include_outside(p: Path, s: Path, o: Path) -> list[str]:
        (p / "requirements.txt").write_text(f"-r ../{o.name}/secret.txt\nsix\n", "utf-8")
        return []

    def include_dotdot(p: Path, s: Path, o: Path) -> list[str]:
        (p / "requirements.txt").write_text("-r ../../..\n-c ../../../etc/passwd\nsix\n")
        return []

    def symlinked_requirements(p: Path, s: Path, o: Path) -> list[str]:
        os.symlink(o / "secret.txt", p / "requirements.txt")
        return []

    def symlinked_pyproject(p: Path, s: Path, o: Path) -> list[str]:
        os.symlink(o / "secret.txt", p / "pyproject.toml")
        return []

    def escape_folder(p: Path, s: Path, o: Path) -> list[str]:
        _dist(s, "evil", folder="evil\x1b[2J\x1b]52;c;ZWNobyBwd24=\x07-1.0.dist-info")
        (s / "fake\nok-1.0.dist-info").mkdir()
        return []

    def escape_name(p: Path, s: Path, o: Path) -> list[str]:
        _dist(s, "osc", "Summary: \x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\")
        where = s / "named-1.0.dist-info"
        where.mkdir()
        (where / "METADATA").write_bytes(
            b"Metadata-Version: 2.1\nName: na\x1b[31mmed\nVersion: 1.0\x1b[2J\n"
            b"License: MIT\x1b]52;c;cHdu\x07\n\n"
        )
        return []

    def escape_project_and_policy(p: Path, s: Path, o: Path) -> list[str]:
        (p / "pyproject.toml").write_text(
            '[project]\nname = "pro\\u001b[2Jject"\ndependencies = ["six\\u001b[31m"]\n'
        )
        policy = p / "po\x1b[2Jlicy.toml"
        policy.write_text('allow = ["MIT"]\n', "utf-8")
        (p / "req\x1b]52;c;eA==\x07.txt").write_text("-r missing\x1b[2J.txt\n", "utf-8")
        return ["--policy", str(policy)]

    def markdown_injection(p: Path, s: Path, o: Path) -> list[str]:
        _dist(
            s,
            "mention",
            "License: @octocat see https://evil.example/x and www.evil.example "
            "[x](javascript:alert(1))",
        )
        return []

    def machine_paths(p: Path, s: Path, o: Path) -> list[str]:
        (p / "pyproject.toml").mkdir()  # DL010 on a folder
        sboms = _dist(s, "sbomdir") / "sboms"
        (sboms / "bom.cdx.json").mkdir(parents=True)
        return []

    return [
        Case("fifo-metadata", "fifo", fifo_metadata, "not a regular file (a FIFO)"),
        Case("fifo-pkg-info", "fifo", fifo_pkginfo, "not a regular file (a FIFO)"),
        Case("fifo-record", "fifo", fifo_record),
        Case("fifo-licence", "fifo", fifo_licence),
        Case("fifo-source", "fifo", fifo_source, "not a regular file (a FIFO)"),
        Case("fifo-include", "fifo", fifo_include, "not a regular file (a FIFO)"),
        Case("fifo-pyproject", "fifo", fifo_pyproject, "not a regular file (a FIFO)"),
        Case("zero-egg-requires", "unbounded", zero_egg_requires, "requires.txt cannot be read"),
        Case("zero-include", "unbounded", zero_include, "leads outside the project"),
        Case("zero-include-cache-key", "unbounded", zero_include_cached),
        Case("urandom-metadata", "unbounded", urandom_metadata, "not a regular file (a device)"),
        Case("zero-pyproject", "unbounded", zero_pyproject, "not a regular file (a device)"),
        Case("deep-pyproject", "deep", deep_pyproject, "nested too deeply"),
        Case("deep-uv-lock", "deep", deep_uv_lock, "nested too deeply"),
        Case("deep-pipfile-lock", "deep", deep_pipfile_lock, "nested too deeply"),
        Case("deep-sbom", "deep", deep_sbom, "nested too deeply"),
        Case("deep-notebook", "deep", deep_notebook, "nested too deeply"),
        Case("deep-setup-py", "deep", deep_setup_py),
        Case("loop-include", "symlink-loop", loop_include, "symbolic link loop"),
        Case("loop-requirements", "symlink-loop", loop_requirements),
        Case("loop-pom-parent", "symlink-loop", loop_pom_parent),
        Case("loop-model-licence", "symlink-loop", loop_model_folder),
        Case("unreadable-models-folder", "unreadable", unreadable_models),
        Case("padded-environment-yml", "regex", padded_yaml),
        Case("padded-model-card", "regex", padded_card),
        Case("unclosed-pom-parent", "regex", unclosed_parent),
        Case("gradle-blank-lines-and-comments", "regex", gradle_blank_lines),
        Case("rockspec-unclosed-brackets", "regex", rockspec_brackets),
        Case("include-etc-passwd", "leak", include_passwd, "leads outside the project"),
        Case("include-outside-file", "leak", include_outside, "leads outside the project"),
        Case("include-dotdot", "leak", include_dotdot, "leads outside the project"),
        Case("symlinked-requirements", "leak", symlinked_requirements, "outside the project"),
        Case("symlinked-pyproject", "leak", symlinked_pyproject),
        Case("escape-folder-names", "terminal", escape_folder),
        Case("escape-metadata", "terminal", escape_name),
        Case("escape-project-policy-files", "terminal", escape_project_and_policy),
        Case("markdown-sarif-injection", "markup", markdown_injection),
        Case("machine-paths", "paths", machine_paths, "not a regular file (a folder)"),
    ]


CASES = _cases()


def _limits() -> None:  # in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (CASE_MEMORY, CASE_MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _open_up(base: Path) -> None:
    """Let user nobody read the case (its folders 755, its files 644), as built."""
    for parent in base.parents:
        if str(parent).startswith("/tmp/pytest-of"):
            parent.chmod(0o755)
    for top, dirs, files in os.walk(base):
        for name in dirs:
            path = Path(top) / name
            if not path.is_symlink() and path.stat().st_mode & 0o777:
                path.chmod(0o755)
        for name in files:
            path = Path(top) / name
            if not path.is_symlink() and path.is_file():
                path.chmod(0o644)
    base.chmod(0o755)


def run_case(case: Case, base: Path, user: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    project, site, outside, out = (base / n for n in ("project", "site", "outside", "out"))
    for folder in (project, site, outside):
        folder.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}==1.0\n{SECRET} line two\n", "utf-8")
    extra = case.build(project, site, outside)
    cache = "--no-cache"
    if "--cache" in extra:
        extra.remove("--cache")
        cache = "--cache-dir"
    command = [sys.executable, "-m", "dllicense", "scan", str(project), "--path", str(site)]
    command += ["--texts", "none", "--models", "--format", FORMATS, "--output", str(out)]
    command += [cache, str(base / "cache")] if cache == "--cache-dir" else [cache]
    command += extra
    if user == "nobody":
        _open_up(base)
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
        "PYTHONPATH": _SRC,
        "HOME": str(base),
        "XDG_CACHE_HOME": str(base / "xdg"),
        "PIP_CONFIG_FILE": "/dev/null",
    }
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
        timeout=CASE_TIMEOUT,
        preexec_fn=_limits,
        env=env,
        cwd=base,
    )
    return done, out


def _users() -> list[object]:
    skip = pytest.mark.skip(reason="needs root, setpriv and a checkout user nobody can read")
    return ["root", pytest.param("nobody", marks=[] if _CAN_DROP else [skip])]


@pytest.mark.parametrize("user", _users())
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(
    case: Case, user: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    if user == "nobody":  # outside pytest's folder, which other pytest runs make private
        base = Path(tempfile.mkdtemp(prefix=f"dllicense-{case.name}-"))
        request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    else:
        base = tmp_path_factory.mktemp(case.name)
    done, out = run_case(case, base, user)  # subprocess.TimeoutExpired: a hang
    assert done.returncode in (0, 1, 2), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    reports = (
        {p.name: p.read_text("utf-8", "replace") for p in out.iterdir()} if out.is_dir() else {}
    )
    assert done.returncode == 2 or set(reports) >= {"dllicense.txt", "dllicense.json"}, done.stderr
    for name, text in reports.items():
        assert SECRET not in text, name
        assert "root:x:0:0" not in text, name
        assert str(base) not in text or name == "dllicense.json", name
    if "dllicense.txt" in reports:
        assert not _RAW_CONTROL.search(reports["dllicense.txt"])
    assert not _RAW_CONTROL.search(done.stderr)
    if "dllicense.json" in reports:
        messages = [f["message"] for f in json.loads(reports["dllicense.json"])["findings"]]
        assert not any(str(base) in m for m in messages), messages
        assert all(len(m) <= 1000 for m in messages)
        if case.expect and user == "root":
            assert any(case.expect in m for m in messages), messages
    if case.kind == "markup" and reports:
        assert "@octocat" not in reports["dllicense.md"]
        assert "https://evil" not in reports["dllicense.md"]
        assert "[x](javascript" not in reports["dllicense.sarif"]


# -- one reader: no module opens a scanned file on its own ------------------------------

_OPENS = re.compile(
    r"(?<![\w.])open\(|\.open\(|(?<!readfile)\.read_text\(|\.read_bytes\(|ZipFile\("
)
# (file, line fragment): reads that are not of scanned files
_ALLOWED_OPENS = {
    ("resources.py", "open(path, encoding="),  # package data (package_text)
    ("licenses/scancode_keys.py", "open(index_location()"),  # a dependency's data
    ("collect/index_local.py", "archive.open(info)"),  # a member of a wheel, bounded
    ("collect/index_wheel.py", "zipfile.ZipFile(remote)"),  # a wheel on an index, by ranges
    ("collect/index_local.py", "zipfile.ZipFile(self.path)"),  # checked regular just before
    ("collect/index_sdist.py", "zipfile.ZipFile(io.BytesIO(data))"),  # a bounded download
    ("collect/index_sdist.py", "tarfile.open(fileobj=io.BytesIO("),  # in memory, bounded
    ("report/pdf.py", "target.read_bytes()"),  # the PDF Chromium just printed, in a temp dir
}


def test_every_file_read_goes_through_the_reader() -> None:
    package = Path(_SRC) / "dllicense"
    found = set()
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel == "readfile.py":
            continue
        for line in path.read_text("utf-8").splitlines():
            if _OPENS.search(line) and not line.lstrip().startswith("#"):
                allowed = [f for r, f in _ALLOWED_OPENS if r == rel and f in line]
                assert allowed, f"{rel}: {line.strip()} (read it with dllicense.readfile)"
                found.add((rel, allowed[0]))
    assert found == _ALLOWED_OPENS  # an entry no longer needed is removed


def test_the_reader_reads_regular_files_only(tmp_path: Path) -> None:
    from dllicense.readfile import NotRegularFile, read_bounded

    os.mkfifo(tmp_path / "fifo")
    for target in (tmp_path / "fifo", Path("/dev/zero"), tmp_path):
        with pytest.raises(NotRegularFile):
            read_bounded(target, 10)
    (tmp_path / "file").write_bytes(b"x" * 100)
    assert read_bounded(tmp_path / "file", 10) == (b"x" * 10, 100)


# -- linear readers: 1 MB of adversarial input per pattern -----------------------------

MB = 1024 * 1024


def _cost(func: Callable[[int], object], size: int) -> float:
    """The best of three timings of ``func(size)`` (a ratio is compared, not a time)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        func(size)
        best = min(best, time.perf_counter() - start)
    return max(best, 1e-4)


def _linear(func: Callable[[int], object], size: int = MB) -> None:
    """``func`` on ``size`` costs about 10x ``func`` on ``size // 10`` (quadratic: 100x)."""
    small, big = _cost(func, size // 10), _cost(func, size)
    assert big / small < 35, (small, big)


def _yaml_padded(size: int) -> object:
    from dllicense.discover.yamlsubset import _key

    return (_key("a" + " " * size + "b"), _key("a" + " " * size + ":x"))


def _card_padded(size: int) -> object:
    from dllicense.collect.modelcards import front_matter
    from dllicense.discover.yamlsubset import YamlError

    with contextlib.suppress(YamlError, ValueError):
        front_matter("---\na" + " " * size + "b\n---\n")
    return None


def _gradle_variables(size: int) -> object:
    from dllicense.discover.ecosystems.gradle import GRADLE_VAR

    return (list(GRADLE_VAR.finditer("\n" * size)), list(GRADLE_VAR.finditer(" " * size + "x")))


def _gradle_comments(size: int) -> object:
    from dllicense.discover.ecosystems.gradle import _strip_jvm_comments

    return _strip_jvm_comments("/*" * (size // 2))


def _gradle_headers(size: int) -> object:
    from dllicense.discover.ecosystems.gradle import _toml_key_lines

    return _toml_key_lines("[" + " " * size + "x\n")("libraries", "a")


def _rockspec(size: int) -> object:
    from dllicense.discover.ecosystems.common import ManifestError
    from dllicense.discover.ecosystems.luarocks import read_rockspec

    for text in ("dependencies = {" + "[[" * (size // 2), "--[[" * (size // 4)):
        with contextlib.suppress(ManifestError):
            read_rockspec(text, "x.rockspec")
    return None


def _extends(size: int) -> object:
    from dllicense.resultcache import _EXTENDS

    return _EXTENDS.findall("\n" * size + " " * size)


@pytest.mark.parametrize(
    "func",
    [
        _yaml_padded,
        _card_padded,
        _gradle_variables,
        _gradle_comments,
        _gradle_headers,
        _rockspec,
        _extends,
    ],
)
def test_pattern_is_linear_on_adversarial_input(func: Callable[[int], object]) -> None:
    _linear(func)


# -- work that grows with the input, not faster: a run against its 10x twin -------------


def test_nested_includes_are_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file includes the next one twice: 2^n reads before, n now."""
    from dllicense.discover import requirements

    reads: list[Path] = []
    original = requirements.read_text

    def counted(path: Path, *args: Any) -> str:
        reads.append(path)
        return original(path, *args)

    monkeypatch.setattr(requirements, "read_text", counted)
    for count in (3, 30):
        reads.clear()
        project = tmp_path / str(count)
        project.mkdir()
        for i in range(count):
            more = f"-r r{i + 1}.txt\n-r r{i + 1}.txt\n" if i + 1 < count else ""
            (project / f"r{i}.txt").write_text(f"{more}pkg{i}\n", "utf-8")
        declared, _, _ = requirements.read_requirements(project / "r0.txt", project)
        assert len(reads) == count
        assert len({d.name for d in declared}) == count


def test_line_lookups_are_linear() -> None:
    from dllicense.tomlfile import Lines

    def lookups(count: int) -> object:
        text = "".join(f'  "package-{i}>=1",\n' for i in range(count))
        lines = Lines(text)
        return [lines.find(f'"package-{i}>=1"') for i in range(count)]

    assert lookups(3)[2] == 3
    _linear(lookups, 50_000)


def test_policy_locations_are_linear(tmp_path: Path) -> None:
    from dllicense.config.policy import load_policy

    def policy(count: int) -> object:
        folder = tmp_path / str(count)
        folder.mkdir(exist_ok=True)
        entries = "".join(
            f'[[exceptions]]\npackage = "p{i}"\nallow = ["BSD-3-Clause"]\nreason = "r"\n'
            for i in range(count)
        )
        (folder / "dllicense.toml").write_text('allow = ["MIT"]\n' + entries, "utf-8")
        return load_policy(folder)

    _linear(policy, 8000)


def test_model_constants_are_resolved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``c1 = c0 + c0; c2 = c1 + c1; ...``: a resolution per use doubled per line."""
    import ast as python_ast

    from dllicense.discover.modelrefs import calls as modelcalls
    from dllicense.discover.modelrefs.constants import Resolver

    calls = 0
    original = Resolver._values

    def counted(self: Any, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args)

    monkeypatch.setattr(Resolver, "_values", counted)

    def resolve(count: int) -> int:
        nonlocal calls
        calls = 0
        lines = ["c0 = 'acme/'"] + [f"c{i} = c{i - 1} if x else c{i - 1}" for i in range(1, count)]
        source = "\n".join([*lines, f"AutoModel.from_pretrained(c{count - 1} + 'model')"])
        finder = modelcalls.Finder(Path("."), Path("x.py"), "x.py", 0)
        finder.run(python_ast.parse(source))
        assert [r.name for r in finder.references] == ["acme/model"]
        return calls

    small, big = resolve(2), resolve(20)  # 2^20 resolutions before
    assert big < 15 * small


def _many_packages(base: ScanResult, count: int) -> ScanResult:
    template = base.packages[0]
    packages = tuple(
        dataclasses.replace(
            template,
            node=dataclasses.replace(
                template.node, name=f"pkg-{i}", path=(f"top-{i % 50}", f"pkg-{i}"), direct=False
            ),
        )
        for i in range(count)
    )
    findings = tuple(
        dataclasses.replace(f, package=p.node.name, location=None)
        for p in packages
        for f in base.findings[:1]
    )
    return dataclasses.replace(base, packages=packages, findings=findings)


@pytest.mark.parametrize("fmt", ["html", "sarif", "markdown", "json", "table"])
def test_reports_are_linear(hostile: ScanResult, fmt: str) -> None:
    from dllicense.report import render

    assert hostile.findings
    results = {n: _many_packages(hostile, n) for n in (500, 5000)}
    _linear(lambda n: render(results[n], fmt), 5000)
