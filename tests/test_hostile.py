"""Hostile and broken input: a finding or one clear line, never a traceback, nothing else lost."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dllicense.models import ScanResult
from tests.conftest import FIXTURES, run_cli, scan_dirs

HOSTILE = FIXTURES / "hostile" / "site-packages"


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
        ("bad-encoding", ["DL022", "DL115"]),  # DL115: none of them ships a licence text
        ("dup-fields", ["DL022", "DL022", "DL115"]),
        ("escaper", ["DL110", "DL110", "DL111"]),
        ("unbalanced", ["DL101", "DL104", "DL115"]),
        ("twin", ["DL003", "DL115"]),
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


@pytest.mark.skipif(
    shutil.which("setpriv") is None or os.geteuid() != 0,
    reason="needs root and setpriv to run the scan as an unprivileged user",
)
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
        "dllicense: error: dllicense.toml:2: unknown policy key 'allowed' (known: allow, "
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
_CAN_DROP = shutil.which("setpriv") is not None and os.geteuid() == 0
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
        if str(parent).startswith("/tmp/pytest-of") or parent == base.parent:
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
    skip = pytest.mark.skip(reason="needs root and setpriv to run as user nobody")
    return ["root", pytest.param("nobody", marks=[] if _CAN_DROP else [skip])]


@pytest.mark.parametrize("user", _users())
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, user: str, tmp_path_factory: pytest.TempPathFactory) -> None:
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
