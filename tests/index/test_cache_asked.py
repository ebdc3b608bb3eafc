"""The index cache answers only what was asked: licence files stored by a ``--fetch-files``
run are not replayed by a later run without it (issue 14 follow-up)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from dllicense.cli import main
from tests.index.server import RecordedIndex
from tests.index.test_online_scan import project

Serve = Callable[..., RecordedIndex]


def test_a_fetch_files_run_does_not_change_a_later_run_without_it(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    server = serve(core_metadata=True)  # PEP 658 for six; keras 2.4.3's wheel by ranges
    root, empty = project(tmp_path)
    cache = tmp_path / "cache"
    runner = CliRunner()

    def run(*more: str) -> str:
        args = ["scan", str(root), "--path", str(empty), "--online", "--format", "json"]
        args += ["--index-url", server.index_url, "--cache-dir", str(cache), *more]
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1), result.output
        return result.output

    first = run()
    with_files = run("--fetch-files")
    third = run()
    assert first == third  # the same inputs give the same bytes
    assert with_files != first  # the licence files were read in the second run

    def sources(output: str) -> set[tuple[str, str]]:
        return {
            (p["name"], e["source"])
            for p in json.loads(output)["packages"]
            for e in p["evidence"]
            if e["kind"] == "license-file"
        }

    assert not sources(first)
    assert ("keras", "LICENSE") in sources(with_files)
    assert run("--fetch-files") == with_files  # and the files entry is replayed with it
