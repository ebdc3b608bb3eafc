"""A package index on 127.0.0.1 serving the responses recorded in ``tests/fixtures/index``.

``Behaviour`` switches what the index offers, as real indexes and mirrors
differ: JSON or HTML simple pages, core-metadata files or not, range
requests or not, the per-project JSON API or not; plus failures (statuses
answered first, delays, tampered files, redirects) and Basic auth;
gzip-compressed bodies for clients that ask for them. Connections are kept
alive (HTTP/1.1) and counted, as a real index's are. It also answers as an
HTTP proxy would: a request for an absolute URL is served as if for its path,
and says which host it named (``Seen.proxied_host``).

``root`` is the folder served (default ``tests/fixtures/index``); another
folder of the same layout (``simple/<name>.json``, optional ``.html``,
``metadata/``, ``pypi/``, ``wheels/``) can be served instead, such as a
checkout's recorded index in ``tests/fixtures/checkouts/<slug>/index``. A
folder without HTML pages gets them made from its JSON pages.

The recorded pages point at files.pythonhosted.org; they are served with
that prefix replaced by this server (or ``files_base``). Announcing the
recorded ``.metadata`` files with their sha256 is the server's doing: the
mirror they were recorded from serves the files but does not announce them
(see ``tests/fixtures/index/README.md``).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import html
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

FIXTURES = Path(__file__).parents[1] / "fixtures"
INDEX = FIXTURES / "index"
CONSTRUCTED = INDEX / "constructed"  # torch pages standing in for download.pytorch.org
SHARED_WHEELS = FIXTURES / "wheels"
WHEEL_DIRS = (INDEX / "wheels", SHARED_WHEELS)
PYPI_FILES = "https://files.pythonhosted.org"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


@dataclass
class Behaviour:
    simple: str = "json"  # "json": negotiated (JSON when asked for), "html": HTML only, "none"
    core_metadata: bool = True  # announce and serve the recorded .metadata files
    ranges: bool = True
    project_json: bool = True  # /pypi/<name>/json
    version_json: bool = True  # /pypi/<name>/<version>/json, for the recorded version only
    auth: tuple[str, str] | None = None
    delay: dict[str, float] = field(default_factory=dict)  # path prefix -> seconds
    fail: dict[str, list[int]] = field(default_factory=dict)  # path prefix -> statuses first
    tamper: set[str] = field(default_factory=set)  # .metadata file names served altered
    override: dict[str, bytes] = field(default_factory=dict)  # exact path -> body
    wheels: dict[str, bytes] = field(default_factory=dict)  # file name -> wheel bytes served
    files_base: str | None = None  # where file URLs point (default: this server)
    gzip: bool = False  # compress every body when the request's Accept-Encoding allows gzip
    gzipped: dict[str, bytes] = field(default_factory=dict)  # exact path -> gzip body, as is
    redirect: dict[str, str] = field(default_factory=dict)  # path with query -> 302 Location


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    proxied_host: str = ""  # the host of an absolute request URL (asked as a proxy)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # listen() backlog: socketserver's 5 drops the SYNs of a client opening 8 connections
    # at once, which then wait a second for the retransmission
    request_queue_size = 128


class RecordedIndex:
    """The server; ``url`` is its root, ``index_url`` its simple API."""

    def __init__(self, behaviour: Behaviour | None = None, root: Path = INDEX) -> None:
        self.behaviour = behaviour or Behaviour()
        self.root = root
        self.requests: list[Seen] = []
        self.sent: dict[str, int] = {}  # path -> body bytes written
        self.connections = 0  # TCP connections accepted
        self._open: set[socket.socket] = set()  # kept-alive connections, closed by stop()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"index": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.index_url = self.url + "/simple"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and end every kept-alive connection, so that no handler thread
        outlives the test (a forking test later needs a process without threads)."""
        self.httpd.shutdown()
        self.httpd.server_close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._open.clear()

    def paths(self, prefix: str = "") -> list[str]:
        return [r.path for r in self.requests if r.path.startswith(prefix)]

    def wheel_bytes(self) -> int:
        return sum(n for p, n in self.sent.items() if p.endswith(".whl"))


class _Handler(BaseHTTPRequestHandler):
    index: RecordedIndex
    protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length
    disable_nagle_algorithm = True  # TCP_NODELAY: no body waits for the ACK of its headers

    def setup(self) -> None:
        super().setup()
        with self.index._lock:
            self.index.connections += 1
            self.index._open.add(self.connection)

    def finish(self) -> None:
        with self.index._lock:
            self.index._open.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        index = self.index
        b = index.behaviour
        proxied = urlsplit(self.path) if self.path.startswith("http://") else None
        if proxied is not None:
            self.path = proxied.path + (f"?{proxied.query}" if proxied.query else "")
        path = self.path.split("?", 1)[0]
        host = proxied.netloc if proxied is not None else ""
        with index._lock:
            index.requests.append(Seen("GET", path, dict(self.headers.items()), host))
        try:
            if b.auth is not None and self.headers.get("Authorization") != _basic(*b.auth):
                self._send(401, b"auth needed", "text/plain", {"WWW-Authenticate": "Basic"})
                return
            for prefix, statuses in b.fail.items():
                if path.startswith(prefix) and statuses:
                    self._send(statuses.pop(0), b"failing on purpose", "text/plain")
                    return
            for prefix, seconds in b.delay.items():
                if path.startswith(prefix):
                    time.sleep(seconds)
            if self.path in b.redirect:
                self._send(302, b"moved", "text/plain", {"Location": b.redirect[self.path]})
                return
            self._route(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up (a refused 200 to a range request, a timeout)

    def _route(self, path: str) -> None:
        b = self.index.behaviour
        if path in b.gzipped:
            self._send(200, b.gzipped[path], "application/octet-stream", encoded=True)
            return
        if path in b.override:
            self._send(200, b.override[path], "application/octet-stream")
            return
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "simple" and b.simple != "none":
            self._simple(parts[1])
        elif len(parts) in (3, 4) and parts[0] == "pypi" and parts[-1] == "json":
            self._project_json(parts[1], parts[2] if len(parts) == 4 else None)
        elif parts and parts[0] == "packages":
            self._file(parts[-1])
        else:
            self._send(404, b"not found", "text/plain")

    def _simple(self, name: str) -> None:
        b = self.index.behaviour
        base = b.files_base or self.index.url
        root = self.index.root
        json_file, html_file = root / "simple" / f"{name}.json", root / "simple" / f"{name}.html"
        if not json_file.exists():
            self._send(404, b"not found", "text/plain")
            return
        if b.simple == "json" and JSON_TYPE in self.headers.get("Accept", ""):
            page = json.loads(json_file.read_text("utf-8"))
            for item in page["files"]:
                item["url"] = item["url"].replace(PYPI_FILES, base)
                for key in ("core-metadata", "dist-info-metadata", "data-dist-info-metadata"):
                    item.pop(key, None)  # announced below from the stored files, or not at all
                digest = _metadata_sha256(root, item["filename"]) if b.core_metadata else None
                if digest:
                    item["core-metadata"] = item["dist-info-metadata"] = {"sha256": digest}
            self._send(200, json.dumps(page).encode(), JSON_TYPE)
            return
        page_html = (
            html_file.read_text("utf-8")
            if html_file.exists()
            else _html_page(json.loads(json_file.read_text("utf-8")))
        ).replace(PYPI_FILES, base)
        if b.core_metadata:
            page_html = re.sub(
                r'<a href="([^"]*)"([^>]*)>([^<]+)</a>', lambda m: _announce(root, m), page_html
            )
        self._send(200, page_html.encode(), "text/html")

    def _project_json(self, name: str, version: str | None) -> None:
        b = self.index.behaviour
        source = self.index.root / "pypi" / f"{name}.json"
        if not source.exists() or not b.project_json:
            self._send(404, b"not found", "text/plain")
            return
        data = json.loads(source.read_text("utf-8"))
        if version is not None and (not b.version_json or version != data["info"]["version"]):
            self._send(404, b"not found", "text/plain")
            return
        self._send(200, json.dumps(data).encode(), "application/json")

    def _file(self, filename: str) -> None:
        b = self.index.behaviour
        if filename.endswith(".metadata"):
            source = self.index.root / "metadata" / filename
            if not b.core_metadata or not source.exists():
                self._send(404, b"not found", "text/plain")
                return
            data = source.read_bytes()
            if filename in b.tamper:
                data = data.replace(b"License", b"Licence")
            self._send(200, data, "application/octet-stream")
            return
        if filename in b.wheels:
            self._wheel(b.wheels[filename])
            return
        for folder in (self.index.root / "wheels", SHARED_WHEELS):
            if (folder / filename).is_file():
                self._wheel((folder / filename).read_bytes())
                return
        self._send(404, b"not found", "text/plain")

    def _wheel(self, data: bytes) -> None:
        wanted = self.headers.get("Range")
        if not (self.index.behaviour.ranges and wanted):
            self._send(200, data, "application/octet-stream")
            return
        found = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted.strip())
        size = len(data)
        if not found or found.group(1) == found.group(2) == "":
            self._send(416, b"", "text/plain", {"Content-Range": f"bytes */{size}"})
            return
        if found.group(1) == "":
            start, end = max(0, size - int(found.group(2))), size - 1
        else:
            start = int(found.group(1))
            end = min(int(found.group(2)), size - 1) if found.group(2) else size - 1
        if start >= size or end < start:
            self._send(416, b"", "text/plain", {"Content-Range": f"bytes */{size}"})
            return
        self._send(
            206,
            data[start : end + 1],
            "application/octet-stream",
            {"Content-Range": f"bytes {start}-{end}/{size}"},
        )

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str,
        headers: dict[str, str] | None = None,
        encoded: bool = False,
    ) -> None:
        accepted = self.headers.get("Accept-Encoding", "")
        if not encoded and self.index.behaviour.gzip and "gzip" in accepted and status != 206:
            body, encoded = gzip.compress(body, mtime=0), True
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        if self.index.behaviour.ranges:
            self.send_header("Accept-Ranges", "bytes")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        # counted before the write, which a client may see answered before this thread
        # goes on (TCP_NODELAY); taken back if the client hung up
        path = self.path.split("?", 1)[0]
        self._count(path, len(body))
        try:
            self.wfile.write(body)
        except OSError:
            self._count(path, -len(body))
            raise

    def _count(self, path: str, sent: int) -> None:
        with self.index._lock:
            self.index.sent[path] = self.index.sent.get(path, 0) + sent


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` as ``Behaviour.override`` entries, at the path a client
    asks for: ``+`` quoted as ``%2B``, a folder's ``index.html`` at the folder's URL."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            rel = quote(path.relative_to(root).as_posix())
            out["/" + (rel[: -len("index.html")] if rel.endswith("/index.html") else rel)] = (
                path.read_bytes()
            )
    return out


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _metadata_sha256(root: Path, filename: str) -> str | None:
    source = root / "metadata" / f"{filename}.metadata"
    return hashlib.sha256(source.read_bytes()).hexdigest() if source.exists() else None


def _html_page(page: dict[str, Any]) -> str:
    """A PEP 503 page made from a PEP 691 JSON page (for folders recorded as JSON only)."""
    anchors = []
    for item in page["files"]:
        hashes = item.get("hashes") or {}
        href = item["url"] + (f"#sha256={hashes['sha256']}" if "sha256" in hashes else "")
        attrs = ""
        if item.get("requires-python"):
            attrs += f' data-requires-python="{html.escape(item["requires-python"])}"'
        if item.get("yanked"):
            attrs += ' data-yanked=""'
        anchors.append(f'<a href="{html.escape(href)}"{attrs}>{html.escape(item["filename"])}</a>')
    body = "<br/>\n".join(anchors)
    return f"<!DOCTYPE html>\n<html><body>\n{body}\n</body></html>\n"


def _announce(root: Path, match: re.Match[str]) -> str:
    href, attrs, filename = match.groups()
    digest = _metadata_sha256(root, filename)
    if digest is None:
        return match.group(0)
    return (
        f'<a href="{href}"{attrs} data-dist-info-metadata="sha256={digest}" '
        f'data-core-metadata="sha256={digest}">{filename}</a>'
    )
