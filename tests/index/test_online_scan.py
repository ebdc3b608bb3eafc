"""``scan --online``: declared packages that are not installed are read from the index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from dllicense.cli import main
from dllicense.models import Severity
from dllicense.pipeline import ScanOptions, scan
from tests.index.server import RecordedIndex

Serve = Callable[..., RecordedIndex]


def project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0"\n'
        'dependencies = ["keras==2.4.3", "six"]\n'
        '[project.optional-dependencies]\nold = ["text-unidecode<2"]\n',
        "utf-8",
    )
    empty = tmp_path / "site-packages"
    empty.mkdir()
    return root, empty


def test_offline_a_missing_package_is_dl001(tmp_path: Path) -> None:
    root, empty = project(tmp_path)
    result = scan(ScanOptions(project=root, paths=(str(empty),)))
    assert not result.packages
    dl001 = [f for f in result.findings if f.code == "DL001"]
    assert {f.package for f in dl001} == {"keras", "six"}  # the extra is not checked
    assert all(f.severity is Severity.ERROR for f in dl001)
    result = scan(ScanOptions(project=root, paths=(str(empty),), scopes=("all",)))
    dl001 = [f for f in result.findings if f.code == "DL001"]
    assert {f.package for f in dl001} == {"keras", "six", "text-unidecode"}


def test_online_the_index_supplies_the_metadata(serve: Serve, tmp_path: Path) -> None:
    server = serve(core_metadata=False)
    root, empty = project(tmp_path)
    result = scan(
        ScanOptions(
            project=root,
            paths=(str(empty),),
            scopes=("all",),
            online=True,
            index_url=server.index_url,
            cache_dir=tmp_path / "cache",
            fetch_files=True,
            texts="none",  # no licence-text engine: the files are evidence all the same
        )
    )
    found = {p.node.name: p for p in result.packages}
    assert set(found) == {"keras", "six", "text-unidecode"}
    keras = found["keras"]
    assert (keras.node.version, keras.node.scopes, keras.node.path) == (
        "2.4.3",
        ("runtime",),
        ("keras",),
    )
    assert keras.verdict.expression == "MIT"
    assert any(e.kind == "license-file" and e.source == "LICENSE" for e in keras.evidence)
    assert found["six"].node.version == "1.17.0"  # the best version: the only one recorded
    assert found["text-unidecode"].node.scopes == ("extra:old",)
    notes = [f for f in result.findings if f.code == "DL001"]
    assert {f.package for f in notes} == {"keras", "six", "text-unidecode"}
    assert all(f.severity is Severity.INFO and "index:range" in f.message for f in notes)


def test_online_failure_keeps_dl001_and_adds_the_index_finding(
    serve: Serve, tmp_path: Path
) -> None:
    server = serve(simple="none", project_json=False)
    root, empty = project(tmp_path)
    result = scan(
        ScanOptions(
            project=root,
            paths=(str(empty),),
            online=True,
            index_url=server.index_url,
            cache_dir=tmp_path / "cache",
        )
    )
    codes = {(f.code, f.package, f.severity) for f in result.findings}
    assert ("DL001", "keras", Severity.ERROR) in codes
    assert ("DL120", "keras", Severity.ERROR) in codes


def test_cli_online_never_prints_credentials(serve: Serve, tmp_path: Path) -> None:
    server = serve(auth=("alice", "s3cr:et"), core_metadata=False)
    root, empty = project(tmp_path)
    url = server.index_url.replace("http://", "http://alice:s3cr%3Aet@")
    runner = CliRunner()
    for fmt in ("table", "json", "sarif"):
        result = runner.invoke(
            main,
            [
                "scan",
                str(root),
                "--path",
                str(empty),
                "--online",
                "--index-url",
                url,
                "--format",
                fmt,
                "--no-cache",
                "--cache-dir",
                str(tmp_path / "cache"),
            ],
        )
        assert result.exit_code in (0, 1), result.output
        assert "keras" in result.output
        assert "s3cr" not in result.output and "alice" not in result.output
    wrong = runner.invoke(
        main,
        [
            "scan",
            str(root),
            "--path",
            str(empty),
            "--online",
            "--no-cache",
            "--index-url",
            url.replace("s3cr%3Aet", "wrong-pass"),
            "--cache-dir",
            str(tmp_path / "c2"),
        ],
    )
    assert "DL121" in wrong.output and "wrong-pass" not in wrong.output


def test_cli_online_options_are_checked(tmp_path: Path) -> None:
    root, _ = project(tmp_path)
    runner = CliRunner()
    alone = runner.invoke(main, ["scan", str(root), "--index-url", "https://example.org/simple"])
    assert alone.exit_code == 2 and "needs --online" in alone.output
    bad = runner.invoke(main, ["scan", str(root), "--online", "--index-url", "u:pw@host/simple"])
    assert bad.exit_code == 2 and "pw" not in bad.output
    assert "not an http(s) or file: URL" in bad.output
