"""Every package source pip can be configured with: file:// indexes, find-links folders,
extra indexes after the main one, and the index a lock names for a package.

File indexes are built in tmp_path from the real wheels of tests/fixtures/wheels
(the layout of ``pip download`` + ``dir2pi`` mirrors such as /opt/pypi: a
``simple/<name>/index.html`` per project linking to ``../../files/<wheel>``).
The stand-in for download.pytorch.org serves tests/fixtures/index/constructed.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name, parse_wheel_filename

from dllicense.collect.index import IndexClient, IndexOptions
from dllicense.models import Distribution, Problem
from tests.index.server import CONSTRUCTED, INDEX, WHEEL_DIRS, RecordedIndex, tree

Serve = Callable[..., RecordedIndex]
WHEELS = sorted(WHEEL_DIRS[1].glob("*.whl"))
TORCH_CU128 = "2.11.0+cu128"


def file_index(root: Path, wheels: list[Path], announce: dict[str, str] | None = None) -> str:
    """A PEP 503 file index of ``wheels`` under ``root``; returns its ``file://`` URL."""
    files = root / "files"
    files.mkdir(parents=True)
    by_project: dict[str, list[Path]] = {}
    for wheel in wheels:
        shutil.copy(wheel, files / wheel.name)
        by_project.setdefault(canonicalize_name(parse_wheel_filename(wheel.name)[0]), []).append(
            wheel
        )
    for project, found in by_project.items():
        page = root / "simple" / project / "index.html"
        page.parent.mkdir(parents=True)
        anchors = []
        for wheel in found:
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            extra = f' data-core-metadata="{announce[wheel.name]}"' if announce else ""
            href = f"../../files/{wheel.name}#sha256={digest}"
            anchors.append(f'<a href="{href}"{extra}>{wheel.name}</a><br/>')
        page.write_text("<!DOCTYPE html><html><body>\n" + "\n".join(anchors) + "\n</body></html>\n")
    return (root / "simple").as_uri()


def client(cache: Path, index_url: str, **options: object) -> IndexClient:
    return IndexClient(
        IndexOptions(index_url=index_url, cache_dir=cache, timeout=5.0, backoff=0.01, **options)  # type: ignore[arg-type]
    )


def fetched(result: Distribution | Problem) -> Distribution:
    assert isinstance(result, Distribution), result
    return result


def wheel_member(wheel: Path, suffix: str) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(suffix) and ".dist-info/" in n)
        return archive.read(name)


def pytorch_stand_in(serve: Serve, **behaviour: object) -> RecordedIndex:
    """A second index serving only the constructed torch pages, at the real index's paths."""
    return serve(simple="none", project_json=False, override=tree(CONSTRUCTED), **behaviour)


# -- file:// simple indexes ---------------------------------------------------------------------


@pytest.mark.parametrize("wheel", WHEELS, ids=lambda w: w.name)
def test_file_index_reads_metadata_from_the_wheel(tmp_path: Path, wheel: Path) -> None:
    url = file_index(tmp_path / "mirror", WHEELS)
    name, version, _, _ = parse_wheel_filename(wheel.name)
    dist = fetched(client(tmp_path / "cache", url).fetch(name, str(version)))
    assert (dist.name, dist.version, dist.location) == (name, str(version), "index:wheel")
    assert (Path(dist.path) / "METADATA").read_bytes() == wheel_member(wheel, "/METADATA")
    assert not (tmp_path / "cache" / "index").exists()  # local answers are not cached


def test_file_index_licence_files_and_metadata_file_beside_the_wheel(tmp_path: Path) -> None:
    six = WHEEL_DIRS[1] / "six-1.17.0-py2.py3-none-any.whl"
    url = file_index(tmp_path / "mirror", [six])
    dist = fetched(client(tmp_path / "c", url, fetch_files=True).fetch("six", "1.17.0"))
    assert (Path(dist.path) / "LICENSE").read_bytes() == wheel_member(six, "/LICENSE")
    recorded = INDEX / "metadata" / f"{six.name}.metadata"
    shutil.copy(recorded, tmp_path / "mirror" / "files" / recorded.name)
    dist = fetched(client(tmp_path / "c", url).fetch("six", "1.17.0"))
    assert dist.location == "index:pep658"
    assert (Path(dist.path) / "METADATA").read_bytes() == recorded.read_bytes()


def test_file_index_wrong_metadata_hash_falls_back_to_the_wheel(tmp_path: Path) -> None:
    six = WHEEL_DIRS[1] / "six-1.17.0-py2.py3-none-any.whl"
    url = file_index(tmp_path / "mirror", [six], announce={six.name: "sha256=" + "0" * 64})
    recorded = INDEX / "metadata" / f"{six.name}.metadata"
    shutil.copy(recorded, tmp_path / "mirror" / "files" / recorded.name)
    dist = fetched(client(tmp_path / "c", url).fetch("six", "1.17.0"))
    assert dist.location == "index:wheel"
    assert [p.code for p in dist.problems] == ["DL123"]


def test_file_index_misses_and_broken_wheels(tmp_path: Path) -> None:
    url = file_index(tmp_path / "mirror", WHEELS)
    found = client(tmp_path / "c", url)
    missing = found.fetch("torch", "2.9.1")
    assert isinstance(missing, Problem) and missing.code == "DL120"
    assert "no such file" in missing.message
    other = found.fetch("six", "1.16.0")
    assert isinstance(other, Problem) and other.code == "DL120"
    (tmp_path / "mirror" / "files" / "six-1.17.0-py2.py3-none-any.whl").write_bytes(b"not a zip")
    broken = client(tmp_path / "c", url).fetch("six", "1.17.0")
    assert isinstance(broken, Problem) and broken.code == "DL122"
    assert "not a readable zip file" in broken.message


def test_constructed_pytorch_layout_as_a_file_index(tmp_path: Path) -> None:
    url = (CONSTRUCTED / "whl" / "cu128").as_uri()
    dist = fetched(client(tmp_path / "c", url).fetch("torch", TORCH_CU128))
    assert (dist.version, dist.location, dist.license) == (
        TORCH_CU128,
        "index:pep658",
        "BSD-3-Clause",
    )


# -- find-links -----------------------------------------------------------------------------------


def test_find_links_folder_alone(tmp_path: Path) -> None:
    links = tmp_path / "wheels"
    links.mkdir()
    for wheel in WHEELS:
        shutil.copy(wheel, links / wheel.name)
    (links / "idna-9.0-py3-none-any.whl").write_bytes(b"broken")
    (links / "subfolder.whl").mkdir()
    found = client(
        tmp_path / "c", "https://unused.invalid/simple", find_links=(str(links),), no_index=True
    )
    assert found.labels == [links.as_uri()]
    dist = fetched(found.fetch("requests", "2.34.2"))
    assert dist.location == "index:wheel" and dist.version == "2.34.2"
    assert found.best_version("idna") == "9.0"  # what the folder offers, broken or not
    assert found.best_version("idna", "<4") == "3.20"
    broken = found.fetch("idna", "9.0")
    assert isinstance(broken, Problem) and broken.code == "DL122"
    none = client(tmp_path / "c", "https://unused.invalid/simple", no_index=True)
    nothing = none.fetch("requests", "2.34.2")
    assert isinstance(nothing, Problem) and "no-index is set" in nothing.message


def test_find_links_html_page(serve: Serve, tmp_path: Path) -> None:
    """A find-links URL is one page of links for every project (no /<name>/ below it)."""
    server = serve()
    page = (
        (INDEX / "simple" / "six.html")
        .read_bytes()
        .replace(b"https://files.pythonhosted.org", server.url.encode())
    )
    links = serve(override={"/links.html": page})
    found = client(
        tmp_path / "c",
        "https://unused.invalid/simple",
        no_index=True,
        find_links=(links.url + "/links.html",),
    )
    dist = fetched(found.fetch("six", "1.17.0"))
    assert dist.location == "index:range"
    assert links.paths() == ["/links.html"]


# -- several indexes ------------------------------------------------------------------------------


def test_extra_index_after_the_main_one(serve: Serve, tmp_path: Path) -> None:
    main = serve()
    extra = file_index(tmp_path / "mirror", WHEELS)
    found = client(tmp_path / "c", main.index_url, extra_index_urls=(extra,))
    six = fetched(found.fetch("six", "1.17.0"))  # on both: the main index answers
    assert six.location == "index:pep658"
    requests = fetched(found.fetch("requests", "2.34.2"))  # only on the extra one
    assert requests.location == "index:wheel"
    assert "/simple/requests/" in main.paths()  # asked first, did not have it
    assert found.best_version("six") == "1.17.0"


def test_a_lock_index_is_asked_first(serve: Serve, tmp_path: Path) -> None:
    default = serve()
    pytorch = pytorch_stand_in(serve)
    found = client(tmp_path / "c", default.index_url)
    cu128 = pytorch.url + "/whl/cu128"
    not_on_default = found.fetch("torch", TORCH_CU128)
    assert isinstance(not_on_default, Problem) and not_on_default.code == "DL120"
    dist = fetched(found.fetch("torch", TORCH_CU128, index=cu128))
    assert (dist.version, dist.license) == (TORCH_CU128, "BSD-3-Clause")
    assert pytorch.paths() == [
        "/whl/cu128/torch/",
        "/whl/cu128/torch-2.11.0%2Bcu128-cp311-cp311-manylinux_2_28_x86_64.whl.metadata",
    ]
    default.requests.clear()
    again = client(tmp_path / "c", default.index_url).fetch("torch", TORCH_CU128, index=cu128)
    assert fetched(again).version == TORCH_CU128 and default.paths() == []  # from the cache


def test_a_lock_naming_pypi_means_the_configured_index(serve: Serve, tmp_path: Path) -> None:
    mirror = serve()
    dist = fetched(
        client(tmp_path / "c", mirror.index_url).fetch(
            "six", "1.17.0", index="https://pypi.org/simple/"
        )
    )
    assert dist.location == "index:pep658" and mirror.paths("/simple/six/")


def test_cached_answer_of_a_later_source_comes_first(serve: Serve, tmp_path: Path) -> None:
    default = serve()
    pytorch = pytorch_stand_in(serve)
    extra = (pytorch.url + "/whl/cu121",)
    first = client(tmp_path / "c", default.index_url, extra_index_urls=extra)
    assert fetched(first.fetch("torch", "2.4.0+cu121")).version == "2.4.0+cu121"
    assert default.paths("/simple/torch/")
    default.requests.clear()
    pytorch.requests.clear()
    second = client(tmp_path / "c", default.index_url, extra_index_urls=extra)
    assert fetched(second.fetch("torch", "2.4.0+cu121")).version == "2.4.0+cu121"
    assert default.paths() == [] and pytorch.paths() == []


def test_lock_index_credentials_never_shown(serve: Serve, tmp_path: Path) -> None:
    default = serve()
    pytorch = pytorch_stand_in(serve, auth=("reader", "s3cret"))
    host = pytorch.url.removeprefix("http://")
    found = client(tmp_path / "c", default.index_url)
    good = found.fetch("torch", TORCH_CU128, index=f"http://reader:s3cret@{host}/whl/cu128")
    assert fetched(good).version == TORCH_CU128
    bad = found.fetch("torch", "2.4.0+cu121", index=f"http://reader:wrong-pw@{host}/whl/cu121")
    assert isinstance(bad, Problem) and bad.code == "DL121"
    assert "wrong-pw" not in bad.message and "s3cret" not in bad.message
    assert "****@" in bad.message
