"""HTTP for the index client: kept-alive connections shared by the fetching threads.

One ``Transport`` per ``IndexClient`` holds a urllib3 pool per host, so the
TLS handshake to the index and to its file host is paid once per connection,
not once per request (a scan asks each host for dozens of pages and files).
Redirects are followed here, not by urllib3, so that the ``Authorization``
header is computed afresh for every hop: credentials go only to the host they
belong to (``Credentials``: the index URL's own ``user:pass``, else netrc). Proxies
come from the environment, as urllib's do (``https_proxy``, ``no_proxy``...).
Retries, status codes and body limits are the caller's (``index_get``).
"""

from __future__ import annotations

import base64
import logging
import netrc
import os
import re
import ssl
import threading
import urllib.request
from collections.abc import Callable, Mapping
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import urllib3
from urllib3.util import make_headers

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10  # as urllib's HTTPRedirectHandler
DRAIN_LIMIT = 64 * 1024  # an unread error body up to this size is read to keep the connection
POOL_SIZE = 18  # connections kept per host: fetch_many runs up to 16 threads (index.LOOKUPS)
_USERINFO = re.compile(r"^([^/]*//)?[^/]*@")
logger = logging.getLogger(__name__)


class RedirectError(Exception):
    """A redirect that is not followed: too many, or to a URL that is not HTTP(S)."""


class Transport:
    """urllib3 pools shared by threads: direct, or through the environment's proxies."""

    def __init__(self, timeout: float, user_agent: str) -> None:
        self.timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self.user_agent = user_agent
        self._direct: dict[bool, urllib3.PoolManager] = {}  # TLS or not -> made when first used
        self._tls: ssl.SSLContext | None = None
        self._proxies = {
            k: v if "://" in v else "http://" + v
            for k, v in urllib.request.getproxies().items()
            if k in ("http", "https") and v
        }
        self._via: dict[str, urllib3.ProxyManager] = {}
        self._lock = threading.Lock()

    def _context(self) -> ssl.SSLContext:
        """One TLS context for every connection, as urllib's default (system CAs, host names
        checked): urllib3 would load the CA store for every connection (40 ms of CPU each).
        Made when the first https connection (or proxy) needs it: loading the CA store costs
        30-50 ms of CPU that an http index never needs."""
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _manager(self, url: str) -> urllib3.PoolManager:
        parts = urlsplit(url)
        proxy = self._proxies.get(parts.scheme)
        bypass = not proxy or urllib.request.proxy_bypass(parts.hostname or "")
        with self._lock:
            if bypass or proxy is None:
                tls = parts.scheme != "http"
                if tls not in self._direct:
                    self._direct[tls] = urllib3.PoolManager(
                        num_pools=32,
                        maxsize=POOL_SIZE,
                        retries=False,
                        ssl_context=self._context() if tls else None,
                    )
                return self._direct[tls]
            if proxy not in self._via:
                self._via[proxy] = _proxy_manager(proxy, self._context())
            return self._via[proxy]

    def get(
        self,
        url: str,
        headers: Mapping[str, str],
        auth_for: Callable[[str], str | None],
    ) -> tuple[urllib3.BaseHTTPResponse, str]:
        """GET ``url`` following redirects: (the final response, not read yet; its URL).

        ``auth_for(url)`` gives the ``Authorization`` value for each hop, or None.
        The caller reads the body, then calls its ``release_conn`` (or ``discard`` on it).
        """
        for _ in range(MAX_REDIRECTS + 1):
            sent = {"User-Agent": self.user_agent, **headers}
            auth = auth_for(url)
            if auth:
                sent["Authorization"] = auth
            response = self._manager(url).urlopen(
                "GET",
                url,
                headers=sent,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                timeout=self.timeout,
            )
            location = response.headers.get("Location")
            if response.status not in REDIRECTS or not location:
                return response, url
            discard(response)
            url = strip_userinfo(urljoin(url, location.strip()))
            if urlsplit(url).scheme not in ("http", "https"):
                raise RedirectError(f"redirect to a non-HTTP URL (HTTP {response.status})")
        raise RedirectError(f"more than {MAX_REDIRECTS} redirects")


def discard(response: urllib3.BaseHTTPResponse) -> None:
    """Give the connection back: after reading a small rest of the body, else closed."""
    remaining = getattr(response, "length_remaining", None)
    try:
        if remaining is not None and remaining <= DRAIN_LIMIT:
            response.drain_conn()
        else:
            response.close()
    except (urllib3.exceptions.HTTPError, OSError):
        response.close()
    response.release_conn()


def _proxy_manager(proxy: str, tls: ssl.SSLContext) -> urllib3.ProxyManager:
    parts = urlsplit(proxy)
    headers = None
    if parts.username is not None:
        login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers = make_headers(proxy_basic_auth=login)
    return urllib3.ProxyManager(
        strip_userinfo(proxy),
        proxy_headers=headers,
        maxsize=POOL_SIZE,
        retries=False,
        ssl_context=tls,
        proxy_ssl_context=tls if proxy.startswith("https:") else None,
    )


def strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``****@`` (also in malformed URLs)."""
    return _USERINFO.sub(lambda m: (m.group(1) or "") + "****@", url, count=1)


def netloc(url: str) -> str:
    """``host:port`` of ``url``, the port made explicit: what credentials are tied to."""
    parts = urlsplit(url)
    return f"{parts.hostname or ''}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class Credentials:
    """Basic-auth headers per host: the index URL's own ``user:pass``, else netrc."""

    def __init__(self, index_url: str) -> None:
        parts = urlsplit(index_url)
        self.index_netloc = netloc(index_url)
        self.secrets: set[str] = set()
        self.url_auth: tuple[str, str] | None = None
        if parts.username is not None or parts.password is not None:
            user, password = unquote(parts.username or ""), unquote(parts.password or "")
            self.url_auth = (user, password)
            self._remember(user, password, parts.username or "", parts.password or "")
        self._netrc: netrc.netrc | bool | None = False  # False: not loaded yet

    def _remember(self, *values: str) -> None:
        for value in values:
            if value:
                self.secrets.update({value, quote(value, safe="")})

    def header(self, url: str) -> str | None:
        """The ``Authorization`` value for ``url``'s host, or None."""
        if self.url_auth is not None and netloc(url) == self.index_netloc:
            return _basic(*self.url_auth)
        host = urlsplit(url).hostname or ""
        found = self._load_netrc()
        auth = found.authenticators(host) if found and host else None
        if not auth:
            return None
        login, _, password = auth
        self._remember(login, password or "")
        return _basic(login, password or "")

    def _load_netrc(self) -> netrc.netrc | None:
        if self._netrc is False:
            path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
            try:
                self._netrc = netrc.netrc(path) if os.path.isfile(path) else None
            except (netrc.NetrcParseError, OSError):
                logger.warning("the netrc file cannot be read; no credentials taken from it")
                self._netrc = None
        return self._netrc if isinstance(self._netrc, netrc.netrc) else None

    def scrub(self, text: str) -> str:
        """``text`` without any credential in it."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "****")
        return text


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def reason(exc: BaseException, timeout: float) -> str:
    """A short reason for a failed try: the innermost OS error, or "timed out"."""
    inner: BaseException = exc
    while True:  # urllib3 wraps the OS error: NewConnectionError from ConnectionRefusedError
        proxied = inner.original_error if isinstance(inner, urllib3.exceptions.ProxyError) else None
        cause = proxied or inner.__cause__
        if cause is None:
            break
        inner = cause
    if isinstance(inner, (TimeoutError, urllib3.exceptions.TimeoutError)) and not isinstance(
        inner, urllib3.exceptions.NewConnectionError
    ):
        return f"timed out after {timeout:g} s"
    if "timed out" in str(inner):
        return f"timed out after {timeout:g} s"
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    return str(inner) or type(inner).__name__
