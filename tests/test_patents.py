"""A PATENTS file beside a BSD licence changes the patent answer (Facebook's grant)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DISTS, FIXTURES, scan_dirs

pytestmark = pytest.mark.slow  # the PATENTS text goes through the scancode engine


def test_patents_file_adds_the_facebook_grant(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(DISTS / "theano-1.0.5", site)
    [dist_info] = site.glob("*.dist-info")
    shutil.copy(FIXTURES / "texts" / "PATENTS-facebook-v2", dist_info / "PATENTS")
    result = scan_dirs(tmp_path, site, cache_dir=tmp_path / "cache")
    [theano] = result.packages
    assert theano.verdict.expression == "BSD-3-Clause AND LicenseRef-Facebook-Patents"
    patents = {t.key: t for t in theano.verdict.traits}["LicenseRef-Facebook-Patents"]
    assert patents.patent == "grant-with-retaliation"
    assert [e.expression for e in theano.evidence if e.kind == "patents-file"] == [
        "LicenseRef-Facebook-Patents"
    ]
    assert any(t.kind == "patents-file" for t in result.texts)  # it goes into the notices


def test_a_wheel_without_licence_text_is_reported(tmp_path: Path) -> None:
    # texts searched (RECORD too): none found; mxnet ships no text, so no engine runs
    result = scan_dirs(tmp_path, DISTS / "mxnet-1.9.1", texts="primary")
    [mxnet] = result.packages
    assert mxnet.verdict.expression == "Apache-2.0"
    assert [f.code for f in result.findings if f.code == "DL115"] == ["DL115"]
    # with --texts none RECORD is not searched: whether it ships one is not known
    unsearched = scan_dirs(tmp_path, DISTS / "mxnet-1.9.1", texts="none")
    assert not [f for f in unsearched.findings if f.code == "DL115"]
