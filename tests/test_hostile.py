"""Hostile and broken input: a finding or one clear line, never a traceback, nothing else lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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
