"""The index client's HTTP: kept-alive connections, gzip bodies and their bound, redirects
and where credentials go, proxies from the environment."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import tracemalloc
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dllicense.collect import index_source
from dllicense.collect.index import IndexClient, IndexOptions
from dllicense.models import Distribution, Problem
from tests.index.server import RecordedIndex

Serve = Callable[..., RecordedIndex]
USER, PASSWORD = "alice", "s3cr:et"
SECRET_URL_PART = "alice:s3cr%3Aet@"


def client(url: str, tmp_path: Path, **kw: object) -> IndexClient:
    return IndexClient(IndexOptions(url, tmp_path, timeout=5.0, backoff=0.01, **kw))  # type: ignore[arg-type]


def fetched(result: Distribution | Problem) -> Distribution:
    assert isinstance(result, Distribution), result
    return result


def gzip_bomb(size: int) -> bytes:
    """A gzip stream of ``size`` spaces, made without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1 << 20)
    out = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join([*out, packer.flush()])


# -- keep-alive ----------------------------------------------------------------------------------


def test_one_connection_serves_every_request(serve: Serve, tmp_path: Path) -> None:
    server = serve()
    index = client(server.index_url, tmp_path)
    for name, version in (("six", "1.17.0"), ("keras", "3.15.1"), ("text-unidecode", "1.3")):
        assert fetched(index.fetch(name, version)).location == "index:pep658"
    assert len(server.requests) == 6 and server.connections == 1


def test_an_error_answer_keeps_the_connection(serve: Serve, tmp_path: Path) -> None:
    server = serve(fail={"/simple/six/": [503]})
    index = client(server.index_url, tmp_path)
    assert isinstance(index.fetch("no-such-project", "1"), Problem)  # a 404
    fetched(index.fetch("six", "1.17.0"))  # a 503, then the page and its file
    assert len(server.requests) == 6 and server.connections == 1  # 404, 2 JSON, 503, 2


# -- gzip ----------------------------------------------------------------------------------------


def test_gzip_bodies_are_unpacked(serve: Serve, tmp_path: Path) -> None:
    plain, packed = serve(), serve(gzip=True)
    for server in (plain, packed):
        index = client(server.index_url, tmp_path / str(server.connections) / server.url[-5:])
        dist = fetched(index.fetch("keras", "3.15.1"))
        assert dist.location == "index:pep658" and dist.license == "Apache License 2.0"
        assert index.stats.downloaded == sum(server.sent.values())
    assert all(r.headers["Accept-Encoding"] == "gzip" for r in packed.requests)
    assert sum(packed.sent.values()) < sum(plain.sent.values()) / 2


def test_range_requests_ask_for_no_encoding(serve: Serve, tmp_path: Path) -> None:
    server = serve(gzip=True, core_metadata=False)
    dist = fetched(client(server.index_url, tmp_path).fetch("six", "1.17.0"))
    assert dist.location == "index:range" and dist.license == "MIT"
    ranged = [r for r in server.requests if "Range" in r.headers]
    assert ranged and all(r.headers["Accept-Encoding"] == "identity" for r in ranged)


def test_a_gzip_bomb_is_refused_within_the_limit(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_source, "PAGE_LIMIT", 1 << 20)
    bomb = gzip_bomb(64 << 20)  # 64 MiB of spaces in about 64 KB
    server = serve(gzipped={"/simple/six/": bomb})
    tracemalloc.start()
    try:
        result = client(server.index_url, tmp_path).fetch("six", "1.17.0")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "the simple page is larger than 1048576 bytes" in result.message
    assert peak < 8 << 20  # about the limit, not the 64 MiB it expands to


def test_a_corrupt_gzip_body_is_a_finding(serve: Serve, tmp_path: Path) -> None:
    server = serve(gzipped={"/simple/six/": b"\x1f\x8b\x08\x00 not deflate at all"})
    result = client(server.index_url, tmp_path).fetch("six", "1.17.0")
    assert isinstance(result, Problem) and result.code == "DL122"
    assert "corrupt gzip" in result.message


# -- redirects -----------------------------------------------------------------------------------


def with_secret(url: str) -> str:
    return url.replace("http://", "http://" + SECRET_URL_PART)


def test_a_redirect_on_the_same_host_keeps_the_credentials(serve: Serve, tmp_path: Path) -> None:
    server = serve(auth=(USER, PASSWORD), redirect={"/simple/six/": "/simple/six/?moved"})
    dist = fetched(client(with_secret(server.index_url), tmp_path).fetch("six", "1.17.0"))
    assert dist.location == "index:pep658"
    assert server.paths("/simple/") == ["/simple/six/", "/simple/six/"]


def test_a_redirect_to_another_host_drops_the_credentials(serve: Serve, tmp_path: Path) -> None:
    elsewhere = serve()
    server = serve(auth=(USER, PASSWORD), redirect={"/simple/six/": elsewhere.index_url + "/six/"})
    dist = fetched(client(with_secret(server.index_url), tmp_path).fetch("six", "1.17.0"))
    assert dist.location == "index:pep658"
    assert elsewhere.paths() == ["/simple/six/", elsewhere.paths()[1]]
    assert all("Authorization" not in r.headers for r in elsewhere.requests)


@pytest.mark.parametrize(
    ("target", "reason"),
    [("/simple/six/", "more than 10 redirects"), ("ftp://127.0.0.1/six/", "non-HTTP URL")],
)
def test_redirects_that_are_not_followed(
    serve: Serve, tmp_path: Path, target: str, reason: str
) -> None:
    server = serve(redirect={"/simple/six/": target})
    result = client(server.index_url, tmp_path, retries=1).fetch("six", "1.17.0")
    assert isinstance(result, Problem) and result.code == "DL121"
    assert reason in result.message


# -- proxies -------------------------------------------------------------------------------------


def test_the_environments_proxy_is_used(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve()
    monkeypatch.setenv("http_proxy", proxy.url.replace("http://", "http://me:pw@"))
    index = client("http://index.invalid/simple", tmp_path)  # never resolved here
    dist = fetched(index.fetch("six", "1.17.0"))
    assert dist.location == "index:pep658"
    assert [r.proxied_host for r in proxy.requests] == ["index.invalid", proxy.url[7:]]
    sent = [{k.lower(): v for k, v in r.headers.items()} for r in proxy.requests]
    assert all(h.get("proxy-authorization") == "Basic bWU6cHc=" for h in sent)
    monkeypatch.setenv("no_proxy", "index.invalid")
    result = client("http://index.invalid/simple", tmp_path / "direct", retries=1).fetch(
        "keras", "3.15.1"
    )
    assert isinstance(result, Problem) and result.code == "DL121"
    assert len(proxy.paths("/simple/keras")) == 0


# -- TLS -----------------------------------------------------------------------------------------


def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    """HTTPS is verified against the system's CAs: a self-signed index is a finding."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    make = f"req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout {key}"
    subprocess.run([openssl, *make.split(), "-out", str(cert)], check=True, capture_output=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}/simple"
        result = client(url, tmp_path / "cache", retries=1).fetch("six", "1.17.0")
    finally:
        server.shutdown()
        server.server_close()
    assert isinstance(result, Problem) and result.code == "DL121"
    assert "CERTIFICATE_VERIFY_FAILED" in result.message
