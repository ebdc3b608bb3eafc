"""The index client against a recorded index on 127.0.0.1: each path, each failure, the cache."""

from __future__ import annotations

import io
import json
import logging
import time
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from dllicense.collect.files import find_license_files
from dllicense.collect.index import (
    IndexClient,
    IndexOptions,
    fetch_distribution,
    metadata_from_json,
    redact_url,
)
from dllicense.collect.index_wheel import TAIL
from dllicense.discover.distributions import read_distribution
from dllicense.models import Distribution, Problem
from tests.index.server import FIXTURES, INDEX, RecordedIndex

Serve = Callable[..., RecordedIndex]
KERAS_WHEEL = INDEX / "wheels" / "Keras-2.4.3-py2.py3-none-any.whl"


def options(server: RecordedIndex | str, cache: Path, **kw: object) -> IndexOptions:
    url = server if isinstance(server, str) else server.index_url
    return IndexOptions(index_url=url, cache_dir=cache, timeout=5.0, backoff=0.01, **kw)  # type: ignore[arg-type]


def fetched(result: Distribution | Problem) -> Distribution:
    assert isinstance(result, Distribution), result
    return result


def installed(name: str, version: str) -> Path:
    return next((FIXTURES / "dists" / f"{name}-{version}").glob("*.dist-info"))


# -- PEP 658 core-metadata files ----------------------------------------------------------------

PEP658 = [
    ("torch", "2.9.1", "torch-2.9.1-cp311-cp311-manylinux_2_28_x86_64.whl", "BSD-3-Clause"),
    (
        "tensorflow-cpu",
        "2.21.0",
        "tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl",
        "Apache 2.0",
    ),
    ("keras", "3.15.1", "keras-3.15.1-py3-none-any.whl", "Apache License 2.0"),
    ("onnx", "1.9.0", "onnx-1.9.0-cp39-cp39-win_amd64.whl", "Apache License v2.0"),
    (
        "opencv-python",
        "4.4.0.46",
        "opencv_python-4.4.0.46-cp36-cp36m-manylinux2014_i686.whl",
        "MIT",
    ),
]


@pytest.mark.parametrize(("name", "version", "wheel", "license"), PEP658)
def test_core_metadata_file_of_each_framework(
    serve: Serve, tmp_path: Path, name: str, version: str, wheel: str, license: str
) -> None:
    server = serve()
    dist = fetched(fetch_distribution(name, version, options(server, tmp_path)))
    assert (dist.name, dist.version, dist.location) == (name, version, "index:pep658")
    assert dist.license == license
    recorded = (INDEX / "metadata" / f"{wheel}.metadata").read_bytes()
    assert (Path(dist.path) / "METADATA").read_bytes() == recorded
    assert Path(dist.path).name == f"{name.replace('-', '_')}-{version}.dist-info"
    assert server.paths("/packages/") == [server.paths("/packages/")[0]]  # the .metadata only
    assert server.paths("/packages/")[0].endswith(f"/{wheel}.metadata")
    accept = server.requests[0].headers["Accept"]
    assert accept.startswith("application/vnd.pypi.simple.v1+json")


def test_core_metadata_through_an_html_only_index(serve: Serve, tmp_path: Path) -> None:
    server = serve(simple="html")
    dist = fetched(fetch_distribution("keras", "3.15.1", options(server, tmp_path)))
    assert dist.location == "index:pep658" and dist.license == "Apache License 2.0"


def test_core_metadata_hash_mismatch_falls_back_to_the_wheel(serve: Serve, tmp_path: Path) -> None:
    server = serve(tamper={"six-1.17.0-py2.py3-none-any.whl.metadata"})
    dist = fetched(fetch_distribution("six", "1.17.0", options(server, tmp_path)))
    assert dist.location == "index:range" and dist.license == "MIT"
    assert [p.code for p in dist.problems] == ["DL123"]
    assert "sha256" in dist.problems[0].message


# -- range requests into the wheel --------------------------------------------------------------


@pytest.mark.parametrize("simple", ["json", "html"])
def test_range_requests_read_metadata_from_the_end_of_a_real_wheel(
    serve: Serve, tmp_path: Path, simple: str
) -> None:
    server = serve(core_metadata=False, simple=simple)
    client = IndexClient(options(server, tmp_path))
    dist = fetched(client.fetch("Keras", "2.4.3"))
    assert (dist.name, dist.version, dist.location) == ("keras", "2.4.3", "index:range")
    metadata = (Path(dist.path) / "METADATA").read_bytes()
    assert metadata == (installed("keras", "2.4.3") / "METADATA").read_bytes()
    wheel_requests = [r for r in server.requests if r.path.endswith(".whl")]
    assert len(wheel_requests) == 1 and "Range" in wheel_requests[0].headers  # all in the tail


def test_fetch_files_gets_the_wheels_licence_files(serve: Serve, tmp_path: Path) -> None:
    server = serve(core_metadata=False)
    dist = fetched(
        fetch_distribution("keras", "2.4.3", options(server, tmp_path, fetch_files=True))
    )
    files, problems = find_license_files(dist)
    local = read_distribution(installed("keras", "2.4.3"), "site-packages")
    assert isinstance(local, Distribution)
    expected, _ = find_license_files(local)
    assert [(f.relpath, f.sha256) for f in files] == [(f.relpath, f.sha256) for f in expected]
    assert files and not problems and not dist.problems


def test_fetch_files_with_a_core_metadata_file(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    dist = fetched(fetch_distribution("six", "1.17.0", options(server, tmp_path, fetch_files=True)))
    assert dist.location == "index:pep658"
    assert [f.relpath for f in find_license_files(dist)[0]] == ["LICENSE"]


def test_a_long_zip_comment_pushes_the_directory_out_of_the_first_read(
    serve: Serve, tmp_path: Path
) -> None:
    source = FIXTURES / "wheels" / "six-1.17.0-py2.py3-none-any.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.comment = b"x" * 65_535  # the longest a zip comment can be
    with zipfile.ZipFile(buffer) as check:  # the directory starts before the first read
        assert check.start_dir < len(buffer.getvalue()) - TAIL
    page = json.loads((INDEX / "simple" / "six.json").read_text("utf-8"))
    for item in page["files"]:
        item["url"] = "/packages/x/" + item["filename"]
        del item["size"]  # unknown size: a suffix range first
    server = serve(
        core_metadata=False,
        override={"/simple/six/": json.dumps(page).encode()},
        wheels={"six-1.17.0-py2.py3-none-any.whl": buffer.getvalue()},
    )
    dist = fetched(fetch_distribution("six", "1.17.0", options(server, tmp_path, fetch_files=True)))
    assert dist.location == "index:range" and not dist.problems
    with zipfile.ZipFile(source) as wheel:
        assert (Path(dist.path) / "METADATA").read_bytes() == wheel.read(
            "six-1.17.0.dist-info/METADATA"
        )
    assert [f.relpath for f in find_license_files(dist)[0]] == ["LICENSE"]
    assert server.requests[1].headers["Range"] == f"bytes=-{TAIL}"
    assert len(server.paths("/packages/")) == 2  # the tail, then the directory and members


def test_a_wheel_that_is_not_a_zip_is_a_finding(serve: Serve, tmp_path: Path) -> None:
    server = serve(
        core_metadata=False,
        wheels={"Keras-2.4.3-py2.py3-none-any.whl": b"not a zip at all " * 100},
    )
    result = fetch_distribution("keras", "2.4.3", options(server, tmp_path))
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "not a zip file" in result.message and "describes only keras 3.15.1" in result.message


# -- per-project JSON ---------------------------------------------------------------------------


def test_per_project_json_only(serve: Serve, tmp_path: Path) -> None:
    server = serve(simple="none")
    dist = fetched(fetch_distribution("tensorflow-cpu", "2.21.0", options(server, tmp_path)))
    assert dist.location == "index:json"
    assert dist.license == "Apache 2.0"
    assert "License :: OSI Approved :: Apache Software License" in dist.classifiers
    assert any(r.startswith("absl-py") for r in dist.requires_dist)
    assert server.paths("/pypi/") == ["/pypi/tensorflow-cpu/2.21.0/json"]


def test_project_json_without_the_version_endpoint(serve: Serve, tmp_path: Path) -> None:
    server = serve(simple="none", version_json=False)
    dist = fetched(fetch_distribution("onnx", "1.23.2", options(server, tmp_path)))
    assert (dist.location, dist.license_expression) == ("index:json", "Apache-2.0")
    assert server.paths("/pypi/") == ["/pypi/onnx/1.23.2/json", "/pypi/onnx/json"]


def test_project_json_of_another_version_is_not_used(serve: Serve, tmp_path: Path) -> None:
    server = serve(simple="none", version_json=False)
    result = fetch_distribution("torch", "2.9.1", options(server, tmp_path))
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "describes only torch 2.15.0" in result.message


def test_metadata_from_json_folds_multiline_values() -> None:
    info = {"name": "x", "version": "1", "license": "Line one\nLine two\nLicense: fake"}
    raw = metadata_from_json(info)
    assert b"License: Line one\n        Line two\n        License: fake\n" in raw


# -- failures -----------------------------------------------------------------------------------


def test_not_on_the_index(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    result = fetch_distribution("no-such-project", "1.0", options(server, tmp_path))
    assert isinstance(result, Problem) and result.code == "DL120"
    assert "not on the index" in result.message and result.package == "no-such-project"
    missing = fetch_distribution("keras", "9.9.9", options(server, tmp_path))
    assert isinstance(missing, Problem) and missing.code == "DL120"
    assert "no file of version 9.9.9" in missing.message


def test_a_500_then_success_is_retried(serve: Serve, tmp_path: Path) -> None:
    server = serve(fail={"/simple/keras/": [500], "/packages/": [503]})
    dist = fetched(fetch_distribution("keras", "3.15.1", options(server, tmp_path)))
    assert dist.location == "index:pep658"
    assert server.paths("/simple/") == ["/simple/keras/", "/simple/keras/"]


def test_persistent_server_errors_end_in_a_finding(serve: Serve, tmp_path: Path) -> None:
    server = serve(fail={"/simple/": [502, 502, 502]})
    result = fetch_distribution("keras", "3.15.1", options(server, tmp_path, retries=3))
    assert isinstance(result, Problem) and result.code == "DL121"
    assert "HTTP 502 (3 tries)" in result.message


def test_no_range_support_falls_back_to_json(serve: Serve, tmp_path: Path) -> None:
    server = serve(core_metadata=False, ranges=False)
    client = IndexClient(options(server, tmp_path))
    dist = fetched(client.fetch("six", "1.17.0"))
    assert dist.location == "index:json" and dist.license == "MIT"
    assert client.stats.downloaded < 10_000  # the whole wheel (11 kB) was not read
    keras = client.fetch("keras", "2.4.3")  # the JSON describes 3.15.1 only
    assert isinstance(keras, Problem) and keras.code == "DL122"
    assert "range requests" in keras.message


def test_no_range_support_with_fetch_files_is_a_note(serve: Serve, tmp_path: Path) -> None:
    server = serve(ranges=False)
    dist = fetched(fetch_distribution("six", "1.17.0", options(server, tmp_path, fetch_files=True)))
    assert dist.location == "index:pep658"
    assert [p.code for p in dist.problems] == ["DL124"]


def test_sdist_only_release_uses_the_json(serve: Serve, tmp_path: Path) -> None:
    """The sdist's PKG-INFO first (tests/index/test_sdist_only.py); this index lists six's
    sdist but does not have it (404): the per-project JSON, else DL122."""
    page = json.loads((INDEX / "simple" / "six.json").read_text("utf-8"))
    page["files"] = [f for f in page["files"] if f["filename"].endswith(".tar.gz")]
    server = serve()
    body = json.dumps(page).replace("https://files.pythonhosted.org", server.url)
    server.behaviour.override["/simple/six/"] = body.encode()
    dist = fetched(fetch_distribution("six", "1.17.0", options(server, tmp_path)))
    assert dist.location == "index:json"
    assert any(p.endswith("/six-1.17.0.tar.gz") for p in server.paths("/packages/"))
    server.behaviour.project_json = False
    result = fetch_distribution("six", "1.17.0", options(server, tmp_path / "other"))
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "six-1.17.0.tar.gz: the sdist: not found" in result.message


def test_a_broken_simple_page_is_a_finding(serve: Serve, tmp_path: Path) -> None:
    server = serve(override={"/simple/six/": b"{ not json"})
    result = fetch_distribution("six", "1.17.0", options(server, tmp_path))
    assert isinstance(result, Problem) and result.code == "DL122"


def test_a_slow_index_times_out_quickly(serve: Serve, tmp_path: Path) -> None:
    server = serve(delay={"/simple/": 3.0})
    start = time.monotonic()
    result = fetch_distribution(
        "keras", "3.15.1", IndexOptions(server.index_url, tmp_path, timeout=0.5, retries=1)
    )
    assert time.monotonic() - start < 2.0
    assert isinstance(result, Problem) and result.code == "DL121"
    assert "timed out after 0.5 s" in result.message


def test_nothing_listening_is_a_finding(tmp_path: Path) -> None:
    result = fetch_distribution(
        "keras", "3.15.1", options("http://127.0.0.1:9/simple", tmp_path, retries=2)
    )
    assert isinstance(result, Problem) and result.code == "DL121"


# -- cache --------------------------------------------------------------------------------------


def test_the_cache_answers_with_the_server_stopped(serve: Serve, tmp_path: Path) -> None:
    server = serve(core_metadata=False)
    first = fetched(fetch_distribution("keras", "2.4.3", options(server, tmp_path)))
    server.stop()
    client = IndexClient(options(server, tmp_path))
    again = fetched(client.fetch("keras", "2.4.3"))
    assert again == first and client.stats.requests == 0
    entry = json.loads((Path(first.path).parent / "entry.json").read_text("utf-8"))
    assert entry["path"] == "range" and entry["downloaded"] > 0
    other_index = fetch_distribution("keras", "2.4.3", options(server.url + "/other", tmp_path))
    assert isinstance(other_index, Problem)  # the key includes the index URL


def test_fetch_files_refetches_an_entry_without_files(serve: Serve, tmp_path: Path) -> None:
    server = serve(core_metadata=False)
    fetched(fetch_distribution("keras", "2.4.3", options(server, tmp_path)))
    dist = fetched(
        fetch_distribution("keras", "2.4.3", options(server, tmp_path, fetch_files=True))
    )
    assert [f.relpath for f in find_license_files(dist)[0]] == ["LICENSE"]
    server.stop()
    again = fetched(
        fetch_distribution("keras", "2.4.3", options(server, tmp_path, fetch_files=True))
    )
    assert again == dist


def test_no_cache_writes_nothing_to_the_cache_dir(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    dist = fetched(fetch_distribution("six", "1.17.0", options(server, tmp_path, use_cache=False)))
    assert dist.license == "MIT" and not (tmp_path / "index").exists()


def test_no_cache_keeps_one_file_per_package(
    serve: Serve, tmp_path: Path, own_temp_folder: list[Path]
) -> None:
    """Without a cache the dist-info is made right in the temporary folder, holding only the
    METADATA fetched: no entry folder, no entry.json (nothing looks it up again), nothing
    renamed. The same version again (another source, say) gets a folder of its own."""
    server = serve()
    client = IndexClient(options(server, tmp_path, use_cache=False))
    dist = fetched(client.fetch("six", "1.17.0"))
    root = Path(dist.path).parent
    assert [root] == own_temp_folder and not (tmp_path / "index").exists()
    assert sorted(p.name for p in Path(dist.path).iterdir()) == ["METADATA"]
    assert read_distribution(dist.path, dist.location) == replace(dist, files_read=True)
    again = fetched(client.fetch("six", "1.17.0"))  # no cache: fetched again, its own folder
    assert Path(again.path).parent.name.startswith(".staging-")
    assert replace(again, path=dist.path) == dist and Path(dist.path).is_dir()
    assert sorted(p.name for p in Path(again.path).parent.iterdir()) == [Path(dist.path).name]
    keras_dist = fetched(client.fetch("keras", "3.15.1"))
    assert Path(keras_dist.path).parent == root
    assert sorted(p.name for p in root.iterdir() if p.name.endswith(".dist-info")) == [
        "keras-3.15.1.dist-info",
        "six-1.17.0.dist-info",
    ]


def test_best_version(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    client = IndexClient(options(server, tmp_path))
    assert client.best_version("keras", "==2.4.3") == "2.4.3" and not server.requests
    assert client.best_version("Keras", "") == "3.15.1"
    assert client.best_version("keras", "<3") == "2.4.3"
    none = client.best_version("keras", ">=9")
    assert isinstance(none, Problem) and none.code == "DL120"
    assert len(server.paths("/simple/")) == 1  # the page is fetched once per client


# -- credentials --------------------------------------------------------------------------------

USER, PASSWORD = "alice", "s3cr:et"
SECRET_URL_PART = "alice:s3cr%3Aet@"


def test_credentials_in_the_url_are_used_and_never_shown(
    serve: Serve, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = serve(auth=(USER, PASSWORD), core_metadata=False, delay={"/simple/slow/": 2.0})
    url = server.index_url.replace("http://", "http://" + SECRET_URL_PART)
    opts = options(url, tmp_path)
    dist = fetched(fetch_distribution("keras", "2.4.3", opts))
    assert dist.location == "index:range"
    texts = [repr(opts), str(dist)]
    for name in ("no-such-project", "slow"):
        problem = fetch_distribution(name, "1.0", replace_timeout(opts))
        assert isinstance(problem, Problem)
        texts.append(problem.message)
    assert "****@127.0.0.1" in texts[-1]
    texts.append(caplog.text)
    entry = next((tmp_path / "index").glob("*/entry.json"))
    texts.append(entry.read_text("utf-8"))
    for text in texts:
        assert "s3cr" not in text and "alice" not in text, text


def replace_timeout(opts: IndexOptions) -> IndexOptions:
    from dataclasses import replace

    return replace(opts, timeout=0.5, retries=1)


def test_wrong_or_missing_credentials_are_a_finding(serve: Serve, tmp_path: Path) -> None:
    server = serve(auth=(USER, PASSWORD))
    result = fetch_distribution("keras", "3.15.1", options(server, tmp_path))
    assert isinstance(result, Problem) and result.code == "DL121"
    assert "access denied (HTTP 401)" in result.message


def test_netrc_credentials(serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(auth=("bob", "hunter2"))
    netrc_file = tmp_path / "netrc"
    netrc_file.write_text("machine 127.0.0.1\n  login bob\n  password hunter2\n")
    monkeypatch.setenv("NETRC", str(netrc_file))
    dist = fetched(fetch_distribution("keras", "3.15.1", options(server, tmp_path)))
    assert dist.location == "index:pep658"
    problem = fetch_distribution("missing-one", "1", options(server, tmp_path))
    assert isinstance(problem, Problem) and "hunter2" not in problem.message


def test_url_credentials_never_go_to_the_file_host(serve: Serve, tmp_path: Path) -> None:
    files = serve(core_metadata=False)
    index = serve(auth=(USER, PASSWORD), core_metadata=False, files_base=files.url)
    url = index.index_url.replace("http://", "http://" + SECRET_URL_PART)
    dist = fetched(fetch_distribution("keras", "2.4.3", options(url, tmp_path)))
    assert dist.location == "index:range"
    assert files.requests and all("Authorization" not in r.headers for r in files.requests)


def test_redact_url() -> None:
    assert redact_url("https://u:p@host/simple") == "https://****@host/simple"
    assert redact_url("u:p@host/simple") == "****@host/simple"
    assert redact_url("https://host/a@b") == "https://host/a@b"


def test_a_version_that_is_not_a_safe_name_is_refused_without_network(tmp_path: Path) -> None:
    result = fetch_distribution("keras", "../../x", options("http://127.0.0.1:9/simple", tmp_path))
    assert isinstance(result, Problem) and result.code == "DL122"
    assert not (tmp_path / "index").exists()


def test_the_quick_version_match_agrees_with_packaging() -> None:
    """``same_version`` compares the name's version part before parsing the whole name:
    it must answer as parsing every file name with packaging does."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        canonicalize_name,
        parse_sdist_filename,
        parse_wheel_filename,
    )
    from packaging.version import InvalidVersion, Version

    from dllicense.collect.index_select import same_version

    def reference(name: str, filename: str, version: str) -> bool:
        try:
            if filename.endswith(".whl"):
                project, found = parse_wheel_filename(filename)[:2]
            elif filename.endswith((".tar.gz", ".zip")):
                project, found = parse_sdist_filename(filename)
            else:
                return False
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            return False
        return canonicalize_name(project) == name and found == Version(version)

    pages = {p.stem: json.loads(p.read_text("utf-8")) for p in (INDEX / "simple").glob("*.json")}
    filenames = {f["filename"] for page in pages.values() for f in page["files"]}
    filenames |= {
        "six-1.17-py3-none-any.whl",
        "Six-1.17.0.0.tar.gz",
        "six-1.17.0.zip",
        "six-1.17.0-1-py3-none-any.whl",
        "six-1.17.0.exe",
        "six-bad-py3.whl",
    }
    versions = {v for page in pages.values() for v in page["versions"]}
    versions |= {"1.17", "1.17.0.0", "3.15.1.0", "2.9.1+cpu", "1.17.0rc1"}
    checked = 0
    for name in (*pages, "six"):
        for filename in filenames:
            for version in versions:
                assert same_version(name, filename, version) == reference(
                    name, filename, version
                ), (name, filename, version)
                checked += reference(name, filename, version)
    assert checked > 40
