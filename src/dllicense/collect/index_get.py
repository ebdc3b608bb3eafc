"""GET for the index client: retries, status codes, bounded bodies, and the failures
every path reports.

``Getter.get`` answers a ``Reply`` or raises ``Fail`` (the rule to report: DL120 not
found, DL121 network or access, DL122 unusable answer), ``NoRange`` when a file server
ignores a ``Range``. A ``file:`` URL is read from disk (``index_local``). Credentials
come from ``Credentials`` per host and are scrubbed from every message by the caller.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import urllib3

from dllicense.collect import index_local
from dllicense.collect.index_http import (
    Credentials,
    RedirectError,
    Transport,
    discard,
    reason,
    redact_url,
    strip_userinfo,
)
from dllicense.records import frozen

logger = logging.getLogger(__name__)


class Fail(Exception):
    """A path failed; ``code`` is the rule to report when nothing else works."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class NotFound(Fail):
    def __init__(self, what: str, reason: str = "not found (HTTP 404)") -> None:
        super().__init__("DL120", f"{what}: {reason}")


class NoJsonApi(Fail):
    def __init__(self) -> None:
        super().__init__("DL122", "no per-project JSON API known for this index")


class NoRange(Fail):
    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(
            "DL122", f"the file server does not answer range requests (HTTP {status} to a Range)"
        )


class _Retry(Exception):
    """A try failed in a way another try may not (5xx, 429)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Stats:
    """What one client did on the network."""

    requests: int = 0
    downloaded: int = 0  # bytes of response bodies


@frozen
class Reply:
    status: int
    url: str
    headers: Message
    body: bytes


class Getter:
    """GETs of one source, counted in ``stats``; shared by ``fetch_many``'s threads."""

    def __init__(
        self,
        credentials: Credentials,
        transport: Transport,
        *,
        timeout: float,
        retries: int,
        backoff: float,
    ) -> None:
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.stats = Stats()
        self._http = transport
        self._count = threading.Lock()
        self._mine = threading.local()  # bytes downloaded by this thread

    def downloaded(self, size: int = 0) -> int:
        """Count ``size`` more bytes; the bytes this thread has downloaded so far."""
        with self._count:
            self.stats.downloaded += size
        self._mine.bytes = getattr(self._mine, "bytes", 0) + size
        return int(self._mine.bytes)

    def get(
        self,
        url: str,
        *,
        what: str,
        accept: str = "*/*",
        limit: int,
        byte_range: tuple[int, int] | None = None,
    ) -> Reply:
        """GET with retries; ``byte_range`` (start, end inclusive; start < 0: suffix) needs 206.

        A ``file:`` URL is read from disk (a folder as its ``index.html``), without ranges.
        """
        url = strip_userinfo(url)
        if url.startswith("file:"):
            return _get_local(url, what=what, limit=limit, ranged=byte_range is not None)
        if urlsplit(url).scheme not in ("http", "https"):
            raise Fail("DL121", f"{what}: invalid URL {redact_url(url)!r}")
        headers = {"Accept": accept}
        if byte_range is not None:
            start, end = byte_range
            headers["Range"] = f"bytes={start}" if start < 0 else f"bytes={start}-{end}"
            headers["Accept-Encoding"] = "identity"
        else:  # simple pages compress 5-10x: numpy's JSON page is megabytes
            headers["Accept-Encoding"] = "gzip"
        tries = max(1, self.retries)
        last = ""
        for attempt in range(tries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            with self._count:
                self.stats.requests += 1
            try:
                return self._get_once(url, headers, what, limit, byte_range is not None)
            except _Retry as exc:
                last = exc.reason
            except RedirectError as exc:
                raise Fail("DL121", f"{what}: {exc}") from None
            except ValueError:  # urllib3: bad port, unparsable URL, ...
                raise Fail("DL121", f"{what}: invalid URL {redact_url(url)!r}") from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                last = reason(exc, self.timeout)
            logger.debug("%s of %s: %s (try %d)", what, redact_url(url), last, attempt + 1)
        raise Fail("DL121", f"{what}: {last} ({tries} {'try' if tries == 1 else 'tries'})")

    def _get_once(
        self, url: str, headers: dict[str, str], what: str, limit: int, ranged: bool
    ) -> Reply:
        """One try of ``get``: raises ``_Retry`` for statuses worth another try."""
        response, final = self._http.get(url, headers, self.credentials.header)
        status = response.status
        if status >= 300 or (ranged and status != 206):
            discard(response)
            if ranged and (status < 300 or status == 416):
                raise NoRange(status)
            if status in (404, 410):
                raise NotFound(what)
            if status in (401, 403):
                raise Fail("DL121", f"{what}: access denied (HTTP {status}); check the credentials")
            if status >= 500 or status == 429:
                raise _Retry(f"HTTP {status}")
            raise Fail("DL121", f"{what}: HTTP {status}")
        complete = False
        try:
            body = self._read_body(response, limit, what)
            complete = True
        finally:
            if not complete:
                response.close()
            response.release_conn()
        message = Message()
        for key, value in response.headers.items():
            message[key] = value
        return Reply(status, final, message, body)

    def _read_body(self, response: Any, limit: int, what: str) -> bytes:
        """The body, gunzipped when the server compressed it; ``limit`` bounds what it
        expands to (a small gzip can expand without end)."""
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + max(60.0, self.timeout * 20)
        encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
        gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
        while True:
            chunk = response.read(64 * 1024, decode_content=False)
            if not chunk:
                break
            self.downloaded(len(chunk))
            if gunzip is not None:
                try:
                    chunk = gunzip.decompress(chunk, limit + 1 - size)
                except zlib.error:
                    raise Fail("DL122", f"{what}: corrupt gzip body") from None
            size += len(chunk)
            if size > limit or (gunzip is not None and gunzip.unconsumed_tail):
                raise Fail("DL122", f"{what} is larger than {limit} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError("download too slow")
            chunks.append(chunk)
        return b"".join(chunks)


def _get_local(url: str, *, what: str, limit: int, ranged: bool) -> Reply:
    if ranged:
        raise NoRange(200)
    try:
        body, url = index_local.read_url(url, limit)
    except index_local.LocalError as exc:
        if exc.missing:
            raise NotFound(what, "no such file") from None
        raise Fail("DL122", f"{what}: {exc.message}") from None
    headers = Message()
    kind = "text/html" if url.endswith((".html", ".htm")) else "application/octet-stream"
    headers["Content-Type"] = kind
    return Reply(200, url, headers, body)
