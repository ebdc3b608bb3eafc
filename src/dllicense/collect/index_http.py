"""HTTP for the index client: kept-alive connections shared by the fetching threads.

One ``Transport`` per ``IndexClient`` holds a urllib3 pool per host, so the
TLS handshake to the index and to its file host is paid once per connection,
not once per request (a scan asks each host for dozens of pages and files).
Redirects are followed here, not by urllib3, so that the ``Authorization``
header is computed afresh for every hop: credentials go only to the host they
belong to. Proxies come from the environment, as urllib's do (``https_proxy``,
``no_proxy``...). Retries, status codes and body limits are the caller's.
"""

from __future__ import annotations

import ssl
import threading
import urllib.request
from collections.abc import Callable, Mapping
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import urllib3
from urllib3.util import make_headers

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10  # as urllib's HTTPRedirectHandler
DRAIN_LIMIT = 64 * 1024  # an unread error body up to this size is read to keep the connection
POOL_SIZE = 10  # connections kept per host: fetch_many runs 8 threads


class RedirectError(Exception):
    """A redirect that is not followed: too many, or to a URL that is not HTTP(S)."""


class Transport:
    """urllib3 pools shared by threads: direct, or through the environment's proxies."""

    def __init__(self, timeout: float, user_agent: str) -> None:
        self.timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self.user_agent = user_agent
        self._direct: urllib3.PoolManager | None = None  # made at the first request
        self._proxies = {
            k: v if "://" in v else "http://" + v
            for k, v in urllib.request.getproxies().items()
            if k in ("http", "https") and v
        }
        self._via: dict[str, urllib3.ProxyManager] = {}
        self._lock = threading.Lock()

    def _manager(self, url: str) -> urllib3.PoolManager:
        parts = urlsplit(url)
        proxy = self._proxies.get(parts.scheme)
        bypass = not proxy or urllib.request.proxy_bypass(parts.hostname or "")
        with self._lock:
            if self._direct is None:
                # one TLS context, as urllib's default (system CAs, host names checked):
                # urllib3 would load the CA store for every connection (40 ms of CPU each)
                self._tls = ssl.create_default_context()
                self._direct = urllib3.PoolManager(
                    num_pools=32, maxsize=POOL_SIZE, retries=False, ssl_context=self._tls
                )
            if bypass or proxy is None:
                return self._direct
            if proxy not in self._via:
                self._via[proxy] = _proxy_manager(proxy, self._tls)
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
