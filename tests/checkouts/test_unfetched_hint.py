"""A DL101 of a wheel's metadata read from the index without its licence files says that
--fetch-files reads them, as DL102 does: py-rust-stemmers 0.1.5 (qdrant/fastembed's
poetry.lock) has no licence field and no classifier, but its wheel ships
``licenses/LICENSE`` (found by a new-user tryout on einops 0.3.0: ``License: UNKNOWN``, an
MIT ``LICENSE`` in its dist-info; the DL101 error gave no hint that the file was not read).
"""

from __future__ import annotations

from pathlib import Path

from dllicense.pipeline import ScanOptions, scan
from tests.checkouts.conftest import copy_checkout
from tests.checkouts.test_corpus import Serve


def test_dl101_of_unread_wheel_files_names_fetch_files(
    serve_checkout: Serve, tmp_path: Path
) -> None:
    project = copy_checkout("fastembed-poetry", tmp_path / "checkout")
    server = serve_checkout("fastembed-poetry")
    result = scan(
        ScanOptions(
            project=project,
            online=True,
            index_url=server.index_url,
            texts="none",
            cache_dir=tmp_path / "cache",
            use_cache=False,
            python_version="3.11",
            platform="linux",
        )
    )
    unknown = {f.package: f.message for f in result.findings if f.code == "DL101"}
    assert unknown == {
        "py-rust-stemmers": "no licence found (no licence metadata or licence file) "
        "(the wheel's licence files were not read: --fetch-files reads them)"
    }
    stemmers = next(p for p in result.packages if p.node.name == "py-rust-stemmers")
    assert stemmers.origin.files == "not-fetched"  # the files were indeed not read
