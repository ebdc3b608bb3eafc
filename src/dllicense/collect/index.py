"""Core metadata of packages that are not installed, read from a package index.

The way installers get it, cheapest first:

1. the simple API page of the project: PEP 691 JSON, asked for with an
   ``Accept`` header, or the PEP 503 HTML an index answers with instead;
2. a wheel of the version (pure ``py3-none-any`` preferred, else one this
   interpreter could install, else any; sdist-only releases skip to 4);
3. the wheel's core-metadata file where the page announces one (PEP 658 /
   PEP 714 ``core-metadata`` / ``data-dist-info-metadata``), hash verified
   -> ``index:pep658``;
4. else the wheel's ``METADATA`` read with HTTP range requests: the zip's
   central directory from the end of the file, then only the members needed
   -> ``index:range``;
5. else the index's per-project JSON (``/pypi/NAME/VERSION/json``, else
   ``/pypi/NAME/json`` when it describes that version) -> ``index:json``.

A wheel a lock names (uv.lock, pylock.toml: ``fetch(..., wheels=...)``) skips
steps 1-2 when the source is the index the lock names: its core-metadata file,
else its ``METADATA`` by range requests, straight from the lock's URL; the
page path above on any failure. Pages are megabytes (aiohttp's JSON page is
4.8 MB), the core-metadata file a few kB.

HTTP goes through ``index_http.Transport``: kept-alive connections shared by
``fetch_many``'s threads, redirects followed with credentials recomputed per
host, proxies from the environment.

With ``fetch_files`` the wheel's licence files (``*.dist-info/licenses/**``,
``LICENSE*``/``COPYING*``/``NOTICE*``/``PATENTS*``) are read by range requests
too. What was fetched is written as a dist-info folder in the cache and read
back with ``read_distribution``, so the rest of the pipeline sees an ordinary
``Distribution`` whose ``location`` says which path was used.

Local sources are read the same way without a network (``index_local``): a
``file://`` simple index, a find-links folder or page; a local wheel's METADATA
comes from a ``.metadata`` file beside it, else from the wheel, opened with
``zipfile`` -> ``index:wheel``. Their answers are not kept in the cache.

``IndexClient`` consults every source pip is configured with (``pipconfig``):
the index URL, the extra index URLs, then the find-links; see its docstring
for which one wins.

Credentials (``user:pass@`` in the index URL, ``~/.netrc`` or ``$NETRC``) are
sent only to the host they belong to and never appear in any message.
Failures are ``Problem`` values (DL120-DL124), never exceptions.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import netrc
import os
import re
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.message import Message
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import urllib3
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, sys_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from dllicense import __version__
from dllicense.collect import index_local
from dllicense.collect.index_cache import (
    CacheEntry,
    Staging,
    entry_dir,
    index_root,
    load_entry,
    safe_relpath,
)
from dllicense.collect.index_http import RedirectError, Transport, discard, strip_userinfo
from dllicense.collect.pipconfig import DEFAULT_INDEX_URL, IndexConfig, load_index_config
from dllicense.discover.distributions import METADATA_LIMIT, read_distribution
from dllicense.models import Distribution, LockedWheel, Problem, Skipped
from dllicense.parsing import parse_json
from dllicense.skipped import as_problem

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_INDEX_URL", "IndexClient", "IndexOptions", "fetch_distribution"]
USER_AGENT = f"dllicense/{__version__}"
# what fetch_many takes: (name, version), (name, version, index), (..., index, wheels)
Wanted = tuple[str, str] | tuple[str, str, str] | tuple[str, str, str, Sequence[LockedWheel]]
SIMPLE_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
)
PAGE_LIMIT = 64 * 1024 * 1024  # a simple page or per-project JSON (torch's is ~0.5 MB)
FILE_LIMIT = 4 * 1024 * 1024  # one licence file
FILES_TOTAL_LIMIT = 16 * 1024 * 1024  # all licence files of one wheel
MAX_FILES = 256  # licence files of one wheel (torch has ~90)
CD_LIMIT = 64 * 1024 * 1024  # a wheel's central directory
TAIL = 16 * 1024  # first read from the end of a wheel
MERGE_GAP = 64 * 1024  # members closer than this are fetched in one range request
_LICENSE_NAME = re.compile(r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|PATENTS|UNLICENSE)", re.I)
_SAFE_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+!-]*")
_USERINFO = re.compile(r"^([^/]*//)?[^/]*@")
_THIRD_PARTY = re.compile(r"third[_-]?party|vendor|externals?/|deps/", re.I)


def default_index_url() -> str:
    """The index URL pip is configured with (files, ``$PIP_INDEX_URL``), else PyPI's."""
    return load_index_config().index_url


_PYPI = frozenset({"https://pypi.org/simple", "https://pypi.python.org/simple"})


def is_pypi(url: str) -> bool:
    """Is ``url`` PyPI's own simple API (as lock files record it)?"""
    return url.strip().rstrip("/").lower() in _PYPI


@dataclass(frozen=True, repr=False)
class IndexOptions:
    """How to reach the package sources. URLs may hold credentials: never print them.

    ``IndexOptions.from_config(load_index_config())`` uses everything pip is configured
    with; the default is the configured index URL alone.
    """

    index_url: str = field(default_factory=default_index_url)
    cache_dir: Path | None = None  # default: the user's dllicense cache
    timeout: float = 15.0  # seconds, per connection attempt and per read
    retries: int = 3  # tries per request on 5xx, 429, timeouts and connection errors
    fetch_files: bool = False
    backoff: float = 0.5  # seconds before the 2nd try, doubled for each further one
    use_cache: bool = True
    extra_index_urls: tuple[str, ...] = ()  # consulted after index_url, in this order
    find_links: tuple[str, ...] = ()  # folders, files or pages of links; after the indexes
    no_index: bool = False  # find_links only

    @classmethod
    def from_config(cls, config: IndexConfig, **options: Any) -> IndexOptions:
        """Options with pip's index settings from ``config`` (``options`` override them)."""
        settings: dict[str, Any] = {
            "index_url": config.index_url,
            "extra_index_urls": config.extra_index_urls,
            "find_links": config.find_links,
            "no_index": config.no_index,
        }
        return cls(**(settings | options))

    def __repr__(self) -> str:
        extras = tuple(redact_url(u) for u in self.extra_index_urls)
        links = tuple(redact_url(u) for u in self.find_links)
        return (
            f"IndexOptions(index_url={redact_url(self.index_url)!r}, cache_dir={self.cache_dir!r}, "
            f"timeout={self.timeout}, retries={self.retries}, fetch_files={self.fetch_files}, "
            f"extra_index_urls={extras!r}, find_links={links!r}, no_index={self.no_index})"
        )


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``****@`` (also in malformed URLs)."""
    return _USERINFO.sub(lambda m: (m.group(1) or "") + "****@", url, count=1)


def fetch_distribution(name: str, version: str, options: IndexOptions) -> Distribution | Problem:
    """Metadata of ``name==version`` from the sources, as a ``Distribution`` read from the cache."""
    return IndexClient(options).fetch(name, version)


# -- errors (internal: every one becomes a Problem) ----------------------------------------------


class _Fail(Exception):
    """A path failed; ``code`` is the rule to report when nothing else works."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _NotFound(_Fail):
    def __init__(self, what: str, reason: str = "not found (HTTP 404)") -> None:
        super().__init__("DL120", f"{what}: {reason}")


class _NoJsonApi(_Fail):
    def __init__(self) -> None:
        super().__init__("DL122", "no per-project JSON API known for this index")


class _Retry(Exception):
    """A try failed in a way another try may not (5xx, 429)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _NoRange(_Fail):
    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(
            "DL122", f"the file server does not answer range requests (HTTP {status} to a Range)"
        )


# -- simple API pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexFile:
    """One file of a project's simple page."""

    filename: str
    url: str  # absolute, without fragment
    hashes: tuple[tuple[str, str], ...] = ()
    core_metadata: bool = False  # the index serves ``url + ".metadata"``
    metadata_hashes: tuple[tuple[str, str], ...] = ()
    yanked: bool = False
    size: int | None = None


@dataclass(frozen=True)
class SimplePage:
    name: str
    files: tuple[IndexFile, ...]
    form: str  # "json" (PEP 691) or "html" (PEP 503)


def parse_json_page(body: bytes, page_url: str) -> SimplePage:
    """A PEP 691 JSON page; raises ``_Fail`` when it is not one."""
    try:
        data = parse_json(body)
    except ValueError as exc:
        raise _Fail("DL122", f"the simple page is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise _Fail("DL122", "the simple page is JSON without a 'files' list")
    api = str((data.get("meta") or {}).get("api-version", "1.0"))
    if not api.startswith("1."):
        raise _Fail("DL122", f"the simple page uses API version {api}, not 1.x")
    files = []
    for item in data["files"]:
        if not isinstance(item, dict):
            continue
        filename, url = item.get("filename"), item.get("url")
        if not isinstance(filename, str) or not isinstance(url, str):
            continue
        meta = item.get("core-metadata", item.get("dist-info-metadata", False))
        size = item.get("size")
        if not (url.startswith(("https://", "http://")) and "#" not in url):
            url = urldefrag(urljoin(page_url, url))[0]  # absolute already on PyPI: 2x faster
        files.append(
            IndexFile(
                filename=filename,
                url=url,
                hashes=_hash_pairs(item.get("hashes")),
                core_metadata=bool(meta),
                metadata_hashes=_hash_pairs(meta),
                yanked=bool(item.get("yanked", False)),
                size=size if isinstance(size, int) and size > 0 else None,
            )
        )
    return SimplePage(str(data.get("name", "")), tuple(files), "json")


def _hash_pairs(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not value:
        return ()
    if len(value) == 1:  # the usual {"sha256": ...}
        ((key, digest),) = value.items()
        return ((str(key).lower(), str(digest).lower()),)
    return tuple(sorted((str(k).lower(), str(v).lower()) for k, v in value.items()))


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and not self.base:
            self.base = dict(attrs).get("href") or ""
        elif tag == "a":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def parse_html_page(body: bytes, page_url: str) -> SimplePage:
    """A PEP 503 HTML page (with PEP 592 yanking and PEP 658/714 attributes)."""
    parser = _Anchors()
    parser.feed(body.decode("utf-8", errors="replace"))
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    files = []
    for attrs, text in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        url, fragment = urldefrag(urljoin(base, href))
        filename = text or unquote(PurePosixPath(urlsplit(url).path).name)
        algo, _, digest = fragment.partition("=")
        meta = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        meta_algo, _, meta_digest = (meta or "").partition("=")
        files.append(
            IndexFile(
                filename=filename,
                url=url,
                hashes=((algo.lower(), digest.lower()),) if digest else (),
                core_metadata=meta is not None and meta.lower() != "false",
                metadata_hashes=((meta_algo.lower(), meta_digest.lower()),) if meta_digest else (),
                yanked="data-yanked" in attrs,
            )
        )
    return SimplePage("", tuple(files), "html")


def _file_version(name: str, filename: str) -> tuple[str, bool] | None:
    """(version, is_wheel) of a file of project ``name``; None for other files."""
    try:
        if filename.endswith(".whl"):
            project, version, _, _ = _parse_wheel(filename)
            return (str(version), True) if canonicalize_name(project) == name else None
        if filename.endswith((".tar.gz", ".zip")):
            project, version = parse_sdist_filename(filename)
            return (str(version), False) if canonicalize_name(project) == name else None
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return None


@lru_cache(maxsize=4096)
def _parse_wheel(filename: str) -> tuple[str, Version, Any, frozenset[Tag]]:
    """``parse_wheel_filename``, once per file name (matching, then ranking, both ask)."""
    return parse_wheel_filename(filename)


@cache
def _supported_tags() -> frozenset[Tag]:
    return frozenset(sys_tags())


def _wheel_rank(item: IndexFile) -> tuple[bool, bool, bool, bool, str]:
    """Not yanked, with a core-metadata file, pure py3, installable here; then by name."""
    tags = _parse_wheel(item.filename)[3]
    pure = any(
        t.abi == "none" and t.platform == "any" and t.interpreter.startswith("py3") for t in tags
    )
    return (
        item.yanked,
        not item.core_metadata,
        not pure,
        not tags & _supported_tags(),
        item.filename,
    )


def normalize_version(version: str) -> str:
    """The PEP 440 normal form of ``version``, or ``version`` itself when it is not valid."""
    try:
        return str(Version(version))
    except InvalidVersion:
        return version.strip()


# -- HTTP ---------------------------------------------------------------------------------------


@dataclass
class Stats:
    """What one client did on the network."""

    requests: int = 0
    downloaded: int = 0  # bytes of response bodies


@dataclass(frozen=True)
class _Reply:
    status: int
    url: str
    headers: Message
    body: bytes


class _Credentials:
    """Basic-auth headers per host: the index URL's own ``user:pass``, else netrc."""

    def __init__(self, index_url: str) -> None:
        parts = urlsplit(index_url)
        self.index_netloc = _netloc(index_url)
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
        if self.url_auth is not None and _netloc(url) == self.index_netloc:
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


def _netloc(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or ''}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class _Source:
    """Fetches metadata from one source (an index, or find-links: a folder, file or page
    of links); keeps per-run state (pages, hosts without ranges). ``options.index_url`` is
    the source's URL; the other sources of ``options`` are not this one's business."""

    def __init__(
        self, options: IndexOptions, kind: str = "index", transport: Transport | None = None
    ) -> None:
        self.options = options
        self.kind = kind
        url = options.index_url.strip()
        if kind == "find-links":
            url = index_local.as_file_url(url)
        self.local = url.startswith("file:")
        self.index_url = strip_userinfo(url).rstrip("/")
        self.credentials = _Credentials(url)
        self.label = redact_url(url).rstrip("/")
        self.stats = Stats()
        self._http = transport or Transport(options.timeout, USER_AGENT)
        self._pages: dict[str, SimplePage | _Fail] = {}
        self._no_range: set[str] = set()
        self._count = threading.Lock()  # fetch_many runs fetch in threads
        self._mine = threading.local()  # bytes downloaded by this thread

    def _downloaded(self, size: int = 0) -> int:
        """Count ``size`` more bytes; the bytes this thread has downloaded so far."""
        with self._count:
            self.stats.downloaded += size
        self._mine.bytes = getattr(self._mine, "bytes", 0) + size
        return int(self._mine.bytes)

    # -- public ---------------------------------------------------------------------------------

    def cached(self, name: str, version: str) -> Distribution | Problem | None:
        """The answer the cache holds for ``name==version`` from this source, if any."""
        canonical, version = canonicalize_name(name), normalize_version(version)
        if not self.options.use_cache or self.local or not _SAFE_VERSION.fullmatch(version):
            return None
        final = entry_dir(index_root(self.options.cache_dir), self.index_url, canonical, version)
        entry = load_entry(final)
        if entry is not None and (entry.files_fetched or not self.options.fetch_files):
            return self._read(final, entry, canonical, version)
        return None

    def fetch(
        self, name: str, version: str, wheels: Sequence[LockedWheel] = ()
    ) -> Distribution | Problem:
        """``name==version`` as a ``Distribution`` (see the module docstring), or a ``Problem``.

        ``wheels``: the files a lock records for it on this source; their PEP 658 metadata
        is read without the simple page (``_from_lock``), the page being the fallback."""
        canonical, version = canonicalize_name(name), normalize_version(version)
        if not canonical or not _SAFE_VERSION.fullmatch(version):
            return Problem("DL122", f"cannot look up {name!r} {version!r} on an index", canonical)
        final = entry_dir(index_root(self.options.cache_dir), self.index_url, canonical, version)
        hit = self.cached(canonical, version)
        if hit is not None:
            return hit
        start = self._downloaded()
        try:
            staging, entry = self._fetch(canonical, version, wheels)
        except _Fail as exc:
            return Problem(
                exc.code, self._message(canonical, version, exc.message), canonical, version
            )
        entry = replace(entry, downloaded=self._downloaded() - start)
        try:
            folder = staging.commit(final, entry)
        except OSError as exc:
            staging.discard()
            return Problem(
                "DL122",
                self._message(canonical, version, f"cannot write the fetched metadata: {exc}"),
                canonical,
                version,
            )
        return self._read(folder, entry, canonical, version)

    def best_version(self, name: str, specifier: str = "") -> str | Problem:
        """The version ``specifier`` pins, else the highest on the index that it allows."""
        canonical = canonicalize_name(name)
        try:
            spec = SpecifierSet(specifier)
        except InvalidSpecifier:
            return Problem("DL122", f"{name}: invalid version specifier {specifier!r}", canonical)
        pins = {normalize_version(s.version) for s in spec if s.operator in ("==", "===")}
        if len(pins) == 1 and not any("*" in p for p in pins):
            return pins.pop()  # pinned: no network needed (the cache may answer)
        try:
            page = self._page(canonical)
        except _Fail as exc:
            return Problem(exc.code, self._message(canonical, "", exc.message), canonical)
        versions: set[Version] = set()
        for item in page.files:
            found = _file_version(canonical, item.filename)
            if found and not item.yanked:
                versions.add(Version(found[0]))
        allowed = list(spec.filter(sorted(versions)))
        if not allowed:
            return Problem(
                "DL120",
                self._message(canonical, "", f"no version matching {specifier or '*'!r}"),
                canonical,
            )
        return str(max(allowed))

    # -- the paths ------------------------------------------------------------------------------

    def _fetch(
        self, name: str, version: str, locked: Sequence[LockedWheel] = ()
    ) -> tuple[Staging, CacheEntry]:
        if locked and not self.local:
            try:
                return self._from_lock(name, version, locked)
            except _Fail as exc:
                logger.debug("%s %s: the lock's wheel: %s; the page instead", name, version, exc)
        failures: list[_Fail] = []
        notes: list[tuple[str, str]] = []
        page: SimplePage | None = None
        try:
            page = self._page(name)
        except _NotFound as exc:
            failures.append(exc)
        mine = [f for f in page.files if _same_version(name, f.filename, version)] if page else []
        wheels = sorted((f for f in mine if f.filename.endswith(".whl")), key=_wheel_rank)
        if page is not None and not mine:
            where = "the simple page" if self.kind == "index" else "the find-links location"
            failures.append(_Fail("DL120", f"no file of version {version} on {where}"))
        elif page is not None and not wheels:
            failures.append(_Fail("DL122", "only an sdist, whose metadata would need a build"))
        wheel = wheels[0] if wheels else None
        metadata: bytes | None = None
        how = ""
        if wheel is not None and (
            wheel.core_metadata
            or (wheel.url.startswith("file:") and index_local.exists(wheel.url + ".metadata"))
        ):
            try:
                metadata, how = self._core_metadata(wheel), "pep658"
            except _Fail as exc:
                failures.append(exc)
                if exc.code == "DL123":
                    notes.append((exc.code, exc.message + "; read the wheel instead"))
        files: dict[str, bytes] = {}
        files_fetched = False  # True once licence files were fetched or cannot ever be
        if wheel is not None and (metadata is None or self.options.fetch_files):
            try:
                local = wheel.url.startswith("file:")
                read = self._from_local_wheel if local else self._from_wheel
                metadata_from_zip, files, skipped = read(wheel, name, metadata)
                files_fetched = self.options.fetch_files
                if skipped:
                    notes.append(
                        ("DL124", f"{skipped} licence file(s) over the size limits skipped")
                    )
                if metadata is None:
                    metadata, how = metadata_from_zip, "wheel" if local else "range"
            except _Fail as exc:
                failures.append(_Fail(exc.code, f"{wheel.filename}: {exc.message}"))
                if metadata is not None:
                    notes.append(("DL124", f"licence files not fetched: {exc.message}"))
                    files_fetched = exc.code != "DL121"  # try again next time on a network error
        if metadata is None and (self.local or self.kind != "index"):
            raise _overall(failures or [_Fail("DL120", "not found")], page)
        if metadata is None:
            try:
                metadata, how = self._json_metadata(name, version), "json"
            except _Fail as exc:
                failures.append(exc)
                raise _overall(failures, page) from None
            if self.options.fetch_files:
                why = failures[-1].message if failures else "no wheel on the index"
                notes.append(("DL124", f"licence files not fetched ({why}); metadata from JSON"))
                files_fetched = all(f.code != "DL121" for f in failures)
        return self._stage(name, version, metadata, files, how, wheel, notes, files_fetched)

    def _from_lock(
        self, name: str, version: str, wheels: Sequence[LockedWheel]
    ) -> tuple[Staging, CacheEntry]:
        """The metadata of a wheel the lock names, without the simple page: the page is
        what costs (numpy's is 1.9 MB) and its only use here would be to learn the URL
        the lock already gives. ``<wheel URL>.metadata`` (PEP 658), else, when the file
        server has none for it (404), the wheel's METADATA by range requests, as the page
        path does for a wheel the page announces no metadata file for.

        The metadata file is checked against the hash on the page when this run has
        the page already; neither uv.lock nor pylock.toml record that hash. Raises
        ``_Fail`` for anything else: the caller then takes the page path."""
        found = [
            IndexFile(
                filename=unquote(PurePosixPath(urlsplit(w.url).path).name),
                url=urldefrag(w.url)[0],
                hashes=w.hashes,
                core_metadata=True,
                size=w.size,
            )
            for w in wheels
        ]
        mine = [f for f in found if f.filename.endswith(".whl")]
        mine = [f for f in mine if _same_version(name, f.filename, version)]
        if not mine:
            raise _Fail("DL120", f"the lock names no wheel of {name} {version}")
        wheel = min(mine, key=_wheel_rank)
        page = self._pages.get(name)
        if isinstance(page, SimplePage):  # fetched already: its hash checks the file
            listed = {f.filename: f for f in page.files}.get(wheel.filename)
            if listed is None:
                raise _Fail("DL120", f"{wheel.filename} is not on the simple page")
            wheel = replace(wheel, metadata_hashes=listed.metadata_hashes)
        metadata: bytes | None = None
        how = "range"
        try:
            metadata, how = self._core_metadata(wheel), "pep658"
        except _NotFound:
            wheel = replace(wheel, core_metadata=False)
        files: dict[str, bytes] = {}
        notes: list[tuple[str, str]] = []
        if metadata is None or self.options.fetch_files:
            from_zip, files, skipped = self._from_wheel(wheel, name, metadata)
            metadata = from_zip if metadata is None else metadata
            if skipped:
                notes.append(("DL124", f"{skipped} licence file(s) over the size limits skipped"))
        fetched = self.options.fetch_files
        return self._stage(name, version, metadata, files, how, wheel, notes, fetched)

    def _stage(
        self,
        name: str,
        version: str,
        metadata: bytes,
        files: dict[str, bytes],
        how: str,
        wheel: IndexFile | None,
        notes: list[tuple[str, str]],
        files_fetched: bool,
    ) -> tuple[Staging, CacheEntry]:
        dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
        persistent = self.options.use_cache and not self.local
        staging = Staging(index_root(self.options.cache_dir), persistent)
        try:
            staging.write(f"{dist_info}/METADATA", metadata)
            record = []
            for rel, data in sorted(files.items()):
                if rel.startswith("/"):  # package-folder file: relative to the entry
                    staging.write(rel[1:], data)
                    record.append(f"{rel[1:]},,")
                else:
                    staging.write(f"{dist_info}/{rel}", data)
            if record:
                staging.write(f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode())
            checked = read_distribution(staging.folder / dist_info, f"index:{how}")
        except (OSError, ValueError) as exc:
            staging.discard()
            raise _Fail("DL122", f"cannot write the fetched metadata: {exc}") from None
        if isinstance(checked, Distribution) and (
            checked.name != name or normalize_version(checked.version) != version
        ):
            staging.discard()
            raise _Fail(
                "DL122",
                f"the index's metadata ({how}) names {checked.display_name} {checked.version}",
            )
        entry = CacheEntry(
            dist_info=dist_info,
            path=how,
            index=self.label,
            wheel=wheel.filename if wheel is not None and how != "json" else "",
            files_fetched=files_fetched,
            problems=tuple((c, self.credentials.scrub(m)) for c, m in notes),
        )
        return staging, entry

    def _read(
        self, folder: Path, entry: CacheEntry, name: str, version: str
    ) -> Distribution | Problem:
        dist = read_distribution(folder / entry.dist_info, f"index:{entry.path}")
        if isinstance(dist, Skipped):
            return as_problem(dist)
        notes = tuple(
            Problem(code, self._message(name, version, message), name, version)
            for code, message in entry.problems
        )
        return replace(dist, problems=(*dist.problems, *notes), files_read=entry.files_fetched)

    def _message(self, name: str, version: str, text: str) -> str:
        what = f"{name} {version}".strip()
        return self.credentials.scrub(f"{what} on index {self.label}: {text}")

    def _page(self, name: str) -> SimplePage:
        key = name if self.kind == "index" else ""  # find-links: one page for every project
        cached = self._pages.get(key)
        if cached is None:
            try:
                cached = self._get_page(name) if self.kind == "index" else self._links_page()
            except _Fail as exc:
                cached = exc
            self._pages[key] = cached
        if isinstance(cached, _Fail):
            raise cached
        return cached

    def _get_page(self, name: str) -> SimplePage:
        url = f"{self.index_url}/{name}/"
        reply = self._get(url, accept=SIMPLE_ACCEPT, limit=PAGE_LIMIT, what="the simple page")
        kind = reply.headers.get_content_type()
        if (
            kind.endswith("+json")
            or (kind == "application/json")
            or (
                kind not in ("text/html", "application/vnd.pypi.simple.v1+html")
                and reply.body.lstrip().startswith(b"{")
            )
        ):
            return parse_json_page(reply.body, reply.url)
        return parse_html_page(reply.body, reply.url)

    def _links_page(self) -> SimplePage:
        """A find-links location: a folder's files, or the links of an HTML file or page."""
        if self.local:
            try:
                listing = index_local.folder_files(self.index_url)
            except index_local.LocalError as exc:
                raise _Fail("DL122", f"the find-links folder: {exc.message}") from None
            if listing is not None:
                return SimplePage("", tuple(IndexFile(n, u) for n, u in listing), "folder")
        reply = self._get(self.index_url, accept="text/html", limit=PAGE_LIMIT, what="the links")
        return parse_html_page(reply.body, reply.url)

    def _core_metadata(self, wheel: IndexFile) -> bytes:
        reply = self._get(
            wheel.url + ".metadata", limit=METADATA_LIMIT, what="the core-metadata file"
        )
        _verify(reply.body, wheel.metadata_hashes, wheel.filename + ".metadata")
        return reply.body

    def _json_metadata(self, name: str, version: str) -> bytes:
        if not self.index_url.endswith("/simple"):
            raise _NoJsonApi()
        base = self.index_url[: -len("/simple")]
        try:
            reply = self._get(
                f"{base}/pypi/{name}/{version}/json",
                accept="application/json",
                limit=PAGE_LIMIT,
                what="the per-project JSON",
            )
        except _NotFound:
            reply = self._get(
                f"{base}/pypi/{name}/json",
                accept="application/json",
                limit=PAGE_LIMIT,
                what="the per-project JSON",
            )
        try:
            info = parse_json(reply.body)["info"]
            found = str(info["version"])
        except (ValueError, KeyError, TypeError):
            raise _Fail("DL122", "the per-project JSON has no 'info'") from None
        if normalize_version(found) != version or canonicalize_name(str(info.get("name"))) != name:
            raise _Fail("DL122", f"the per-project JSON describes only {info.get('name')} {found}")
        return metadata_from_json(info)

    def _from_wheel(
        self, wheel: IndexFile, name: str, metadata: bytes | None
    ) -> tuple[bytes, dict[str, bytes], int]:
        """METADATA (when not known yet) and, with fetch_files, licence files, by range requests.

        Licence files are keyed by their path in the dist-info, or by ``/`` + their path
        in the wheel for package-folder files; the int counts those left out (limits).
        """
        host = _netloc(wheel.url)
        if host in self._no_range:
            raise _Fail("DL122", "the file server does not answer range requests")
        remote = _RemoteZip(self, wheel.url, wheel.size)
        try:
            try:
                members = remote.members()
            except _NoRange:
                self._no_range.add(host)
                raise
            dist_info = _dist_info_folder(members, name)
            if dist_info is None:
                raise _Fail("DL122", "the wheel has no *.dist-info/METADATA")
            wanted = [] if metadata is not None else [members[f"{dist_info}/METADATA"]]
            if wanted and max(wanted[0].compressed, wanted[0].size) > METADATA_LIMIT:
                raise _Fail("DL122", "the wheel's METADATA is over the size limit")
            found = _licence_members(members, dist_info) if self.options.fetch_files else []
            licence, skipped = _within_limits(found)
            remote.prefetch([*wanted, *licence])
            if metadata is None:
                metadata = remote.extract(wanted[0], METADATA_LIMIT)
            if self.options.fetch_files:
                declared = _declared_licence_members(metadata, members, dist_info, found)
                extra, more = _within_limits(declared, licence)
                remote.prefetch(extra)
                licence, skipped = licence + extra, skipped + more
            files: dict[str, bytes] = {}
            for member in licence:
                data = remote.extract(member, FILE_LIMIT)
                inside = member.name.startswith(dist_info + "/")
                files[member.name[len(dist_info) + 1 :] if inside else "/" + member.name] = data
        except (struct.error, ValueError, LookupError) as exc:
            raise _Fail("DL122", f"malformed wheel ({type(exc).__name__})") from None
        return metadata, files, skipped

    def _from_local_wheel(
        self, wheel: IndexFile, name: str, metadata: bytes | None
    ) -> tuple[bytes, dict[str, bytes], int]:
        """``_from_wheel`` for a wheel on this machine, read with ``zipfile``."""
        try:
            with index_local.LocalWheel(wheel.url) as local:
                infos = {i.filename: i for i in local.infos()}
                members = {n: _member_of(i) for n, i in infos.items()}
                dist_info = _dist_info_folder(members, name)
                if dist_info is None:
                    raise _Fail("DL122", "the wheel has no *.dist-info/METADATA")
                if metadata is None:
                    metadata = local.read(infos[f"{dist_info}/METADATA"], METADATA_LIMIT)
                files: dict[str, bytes] = {}
                skipped = 0
                if self.options.fetch_files:
                    found = _licence_members(members, dist_info)
                    licence, skipped = _within_limits(found)
                    declared = _declared_licence_members(metadata, members, dist_info, found)
                    extra, more = _within_limits(declared, licence)
                    for member in licence + extra:
                        data = local.read(infos[member.name], FILE_LIMIT)
                        inside = member.name.startswith(dist_info + "/")
                        rel = member.name[len(dist_info) + 1 :] if inside else "/" + member.name
                        files[rel] = data
                    skipped += more
        except index_local.LocalError as exc:
            raise _Fail("DL122", exc.message) from None
        return metadata, files, skipped

    # -- HTTP -----------------------------------------------------------------------------------

    def _get(
        self,
        url: str,
        *,
        what: str,
        accept: str = "*/*",
        limit: int,
        byte_range: tuple[int, int] | None = None,
    ) -> _Reply:
        """GET with retries; ``byte_range`` (start, end inclusive; start < 0: suffix) needs 206.

        A ``file:`` URL is read from disk (a folder as its ``index.html``), without ranges.
        """
        url = strip_userinfo(url)
        if url.startswith("file:"):
            return self._get_local(url, what=what, limit=limit, ranged=byte_range is not None)
        if urlsplit(url).scheme not in ("http", "https"):
            raise _Fail("DL121", f"{what}: invalid URL {redact_url(url)!r}")
        headers = {"Accept": accept}
        if byte_range is not None:
            start, end = byte_range
            headers["Range"] = f"bytes={start}" if start < 0 else f"bytes={start}-{end}"
            headers["Accept-Encoding"] = "identity"
        else:  # simple pages compress 5-10x: numpy's JSON page is megabytes
            headers["Accept-Encoding"] = "gzip"
        tries = max(1, self.options.retries)
        last = ""
        for attempt in range(tries):
            if attempt:
                time.sleep(self.options.backoff * 2 ** (attempt - 1))
            with self._count:
                self.stats.requests += 1
            try:
                return self._get_once(url, headers, what, limit, byte_range is not None)
            except _Retry as exc:
                last = exc.reason
            except RedirectError as exc:
                raise _Fail("DL121", f"{what}: {exc}") from None
            except ValueError:  # urllib3: bad port, unparsable URL, ...
                raise _Fail("DL121", f"{what}: invalid URL {redact_url(url)!r}") from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                last = _reason(exc, self.options.timeout)
            logger.debug("%s of %s: %s (try %d)", what, redact_url(url), last, attempt + 1)
        raise _Fail("DL121", f"{what}: {last} ({tries} {'try' if tries == 1 else 'tries'})")

    def _get_once(
        self, url: str, headers: dict[str, str], what: str, limit: int, ranged: bool
    ) -> _Reply:
        """One try of ``_get``: raises ``_Retry`` for statuses worth another try."""
        response, final = self._http.get(url, headers, self.credentials.header)
        status = response.status
        if status >= 300 or (ranged and status != 206):
            discard(response)
            if ranged and (status < 300 or status == 416):
                raise _NoRange(status)
            if status in (404, 410):
                raise _NotFound(what)
            if status in (401, 403):
                raise _Fail(
                    "DL121", f"{what}: access denied (HTTP {status}); check the credentials"
                )
            if status >= 500 or status == 429:
                raise _Retry(f"HTTP {status}")
            raise _Fail("DL121", f"{what}: HTTP {status}")
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
        return _Reply(status, final, message, body)

    def _get_local(self, url: str, *, what: str, limit: int, ranged: bool) -> _Reply:
        if ranged:
            raise _NoRange(200)
        try:
            body, url = index_local.read_url(url, limit)
        except index_local.LocalError as exc:
            if exc.missing:
                raise _NotFound(what, "no such file") from None
            raise _Fail("DL122", f"{what}: {exc.message}") from None
        headers = Message()
        kind = "text/html" if url.endswith((".html", ".htm")) else "application/octet-stream"
        headers["Content-Type"] = kind
        return _Reply(200, url, headers, body)

    def _read_body(self, response: Any, limit: int, what: str) -> bytes:
        """The body, gunzipped when the server compressed it; ``limit`` bounds what it
        expands to (a small gzip can expand without end)."""
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + max(60.0, self.options.timeout * 20)
        encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
        gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
        while True:
            chunk = response.read(64 * 1024, decode_content=False)
            if not chunk:
                break
            self._downloaded(len(chunk))
            if gunzip is not None:
                try:
                    chunk = gunzip.decompress(chunk, limit + 1 - size)
                except zlib.error:
                    raise _Fail("DL122", f"{what}: corrupt gzip body") from None
            size += len(chunk)
            if size > limit or (gunzip is not None and gunzip.unconsumed_tail):
                raise _Fail("DL122", f"{what} is larger than {limit} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError("download too slow")
            chunks.append(chunk)
        return b"".join(chunks)


class IndexClient:
    """Metadata from every package source pip is configured with, in pip's order: the index
    URL, the extra index URLs, then the find-links (with ``no_index``: the find-links only).

    pip merges the candidates of all its sources and installs the best one; dllicense needs
    the metadata of one version it already knows, so the first source in that order that
    has that exact version wins (and one that fails is passed over for the next).
    ``fetch(..., index=URL)`` looks first on the index a lock says the package came from
    (uv's ``source.registry``, poetry's ``[package.source]``, pylock's ``index``); a lock
    that names PyPI itself means the configured sources, which may be a mirror of it.
    An answer already in the cache, from any of these sources, is used before asking any.
    """

    def __init__(self, options: IndexOptions) -> None:
        self.options = options
        self._sources: dict[tuple[str, str], _Source] = {}
        self._lock = threading.Lock()
        self._http = Transport(options.timeout, USER_AGENT)  # one pool for every source
        urls = () if options.no_index else (options.index_url, *options.extra_index_urls)
        self.configured = [self._source(u, "index") for u in dict.fromkeys(urls)]
        links = dict.fromkeys(options.find_links)
        self.configured += [self._source(u, "find-links") for u in links]

    def _source(self, url: str, kind: str) -> _Source:
        key = (url.strip().rstrip("/"), kind)
        with self._lock:  # fetch_many: one source per URL, also across threads
            if key not in self._sources:
                source = _Source(replace(self.options, index_url=url), kind, self._http)
                self._sources[key] = source
            return self._sources[key]

    @property
    def labels(self) -> list[str]:
        """The configured sources, credentials redacted, in the order they are consulted."""
        return [s.label for s in self.configured]

    @property
    def stats(self) -> Stats:
        """What every source did on the network, summed."""
        total = Stats()
        for source in self._sources.values():
            total.requests += source.stats.requests
            total.downloaded += source.stats.downloaded
        return total

    def sources_for(self, index: str = "") -> list[_Source]:
        """The sources to consult, in order, for a package locked from ``index``."""
        if not index or self.options.no_index or is_pypi(index):
            return list(self.configured)
        own = self._source(index, "index")
        return [own, *(s for s in self.configured if s is not own)]

    def fetch(
        self, name: str, version: str, index: str = "", wheels: Sequence[LockedWheel] = ()
    ) -> Distribution | Problem:
        """``name==version`` from the first source that has it (see the class docstring).

        ``wheels``, the files a lock records for it, are read directly when the first
        source consulted is the index the lock names (a configured mirror of PyPI is
        not bypassed for the lock's files.pythonhosted.org URLs)."""
        sources = self.sources_for(index)
        if not sources:
            return Problem(
                "DL120",
                f"{name} {version}: no package index to look in "
                "(no-index is set and there are no find-links)",
                canonicalize_name(name),
                version,
            )
        for source in sources:
            hit = source.cached(name, version)
            if hit is not None:
                return hit
        problems: list[Problem] = []
        direct = tuple(wheels) if wheels and self._locked_from(sources[0], index) else ()
        for source in sources:
            got = source.fetch(name, version, direct if source is sources[0] else ())
            if isinstance(got, Distribution):
                return got
            problems.append(got)
        return _first_problem(problems)

    def _locked_from(self, source: _Source, index: str) -> bool:
        """Is ``source`` the index a lock says it locked from (PyPI: PyPI configured)?"""
        if source.kind != "index" or source.local or not index:
            return False
        if is_pypi(index):
            return is_pypi(source.index_url)
        return source is self._source(index, "index")

    def fetch_many(
        self, wanted: Sequence[Wanted], workers: int = 8
    ) -> list[Distribution | Problem]:
        """``fetch`` for each (name, version), (name, version, index) or (name, version,
        index, wheels), ``workers`` at a time, answers in order.

        The index is mostly waited for (a round trip per metadata file, and per simple
        page unless the lock names the wheel), so threads overlap the waits, over
        connections they share and keep alive.
        """
        if len(wanted) < 2:
            return [self.fetch(*item) for item in wanted]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dllicense-index") as pool:
            return list(pool.map(lambda item: self.fetch(*item), wanted))

    def best_version(self, name: str, specifier: str = "") -> str | Problem:
        """The version ``specifier`` pins, else the highest any configured source allows."""
        found: list[str] = []
        problems: list[Problem] = []
        for source in self.configured:
            got = source.best_version(name, specifier)
            if isinstance(got, Problem):
                problems.append(got)
            else:
                found.append(got)
        if found:
            return max(found, key=_version_key)
        if not problems:
            return Problem("DL120", f"{name}: no package index to look in", canonicalize_name(name))
        return _first_problem(problems)


def _version_key(version: str) -> tuple[int, Version | None, str]:
    try:
        return (1, Version(version), version)
    except InvalidVersion:
        return (0, None, version)


def _first_problem(problems: list[Problem]) -> Problem:
    """One problem for a package no source could give: a source's own failure first,
    else "not found" on every source, all named."""
    if len(problems) == 1:
        return problems[0]
    for problem in problems:
        if problem.code != "DL120":
            return problem
    first = problems[0]
    return replace(first, message="; ".join(p.message for p in problems))


def _reason(exc: BaseException, timeout: float) -> str:
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


def _same_version(name: str, filename: str, version: str) -> bool:
    """Is ``filename`` a wheel or sdist of ``name`` at ``version`` (PEP 440 equality)?

    A page lists thousands of files (aiohttp's: 10,000): the version part of the name
    is compared first, with each distinct string parsed once, and only the files that
    pass are parsed whole."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        raw = parts[1] if len(parts) in (5, 6) else None
    elif filename.endswith(".tar.gz"):
        raw = filename[: -len(".tar.gz")].rpartition("-")[2]
    elif filename.endswith(".zip"):
        raw = filename[: -len(".zip")].rpartition("-")[2]
    else:
        return False
    if raw is None or not _equal_versions(raw, version):
        return False
    found = _file_version(name, filename)
    return found is not None and _equal_versions(found[0], version)


@lru_cache(maxsize=4096)
def _equal_versions(a: str, b: str) -> bool:
    """PEP 440 equality, plain string equality when either is not a valid version."""
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _overall(failures: list[_Fail], page: SimplePage | None) -> _Fail:
    """The one failure to report when no path gave metadata."""
    reasons = "; ".join(dict.fromkeys(f.message for f in failures))
    if page is None and all(isinstance(f, (_NotFound, _NoJsonApi)) for f in failures):
        return _Fail("DL120", "not on the index (" + reasons + ")")
    if any(f.code == "DL121" for f in failures):
        return _Fail("DL121", reasons)
    if any(f.code == "DL120" and not isinstance(f, _NotFound) for f in failures):
        return _Fail("DL120", reasons)
    return _Fail("DL122", "no way to read its metadata: " + reasons)


def _verify(data: bytes, hashes: Iterable[tuple[str, str]], what: str) -> None:
    """Check ``data`` against the strongest known hash of ``hashes`` (none given: accepted)."""
    known = [(a, d) for a, d in hashes if a in hashlib.algorithms_guaranteed]
    if not known:
        return
    preferred = ("sha512", "sha384", "sha256", "sha224", "sha1", "md5")
    algo, digest = min(known, key=lambda p: preferred.index(p[0]) if p[0] in preferred else 99)
    if hashlib.new(algo, data).hexdigest() != digest:
        raise _Fail("DL123", f"{what} does not match its {algo} hash on the simple page")


def metadata_from_json(info: Mapping[str, Any]) -> bytes:
    """Core metadata (``METADATA`` bytes) rebuilt from a per-project JSON ``info`` object."""
    fields: list[tuple[str, object]] = [
        ("Metadata-Version", "2.4" if info.get("license_expression") else "2.1"),
        ("Name", info.get("name")),
        ("Version", info.get("version")),
        ("Summary", info.get("summary")),
        ("Home-page", info.get("home_page")),
        ("License-Expression", info.get("license_expression")),
        ("License", info.get("license")),
        ("Requires-Python", info.get("requires_python")),
    ]
    fields += [("Classifier", c) for c in info.get("classifiers") or ()]
    fields += [("Requires-Dist", r) for r in info.get("requires_dist") or ()]
    fields += [("Provides-Extra", e) for e in info.get("provides_extra") or ()]
    lines = []
    for key, value in fields:
        if not isinstance(value, str) or not value.strip():
            continue
        folded = "\n        ".join(value.strip().splitlines())
        lines.append(f"{key}: {folded}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- zip central directory over HTTP ------------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    name: str
    method: int
    compressed: int
    size: int
    offset: int  # of the local header
    name_len: int
    extra_len: int
    crc: int
    encrypted: bool


class _RemoteZip:
    """A zip file read by HTTP range requests; fetched spans are kept for reuse."""

    def __init__(self, client: _Source, url: str, size: int | None) -> None:
        self.client = client
        self.url = url
        self.size = size
        self.spans: list[tuple[int, bytes]] = []
        self.cd_offset = 0

    def _fetch(self, start: int, end: int) -> None:
        """Fetch bytes [start, end) (start < 0: the last -start bytes)."""
        reply = self.client._get(
            self.url,
            what="the wheel",
            limit=max(end - start, -start) + 1024,
            byte_range=(start, end - 1),
        )
        found = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", reply.headers.get("Content-Range", ""))
        if not found:
            raise _Fail("DL122", "range reply without a valid Content-Range")
        first, total = int(found.group(1)), found.group(3)
        if total != "*":
            self.size = int(total)
        if start >= 0 and first != start:
            raise _Fail("DL122", "range reply for other bytes than asked")
        self.spans.append((first, reply.body))

    def _cached(self, start: int, end: int) -> bytes | None:
        for first, data in self.spans:
            if first <= start and end <= first + len(data):
                return data[start - first : end - first]
        return None

    def read(self, start: int, end: int) -> bytes:
        """Bytes [start, end), fetching only what no earlier reply covered."""
        if start < 0 or end <= start:
            raise _Fail("DL122", "the zip directory points outside the wheel")
        found = self._cached(start, end)
        if found is not None:
            return found
        fetch_end = end
        for first, data in self.spans:  # a span already covers the end: fetch up to it
            if start < first < end <= first + len(data):
                fetch_end = min(fetch_end, first)
        self._fetch(start, fetch_end)
        self._merge()
        found = self._cached(start, end)
        if found is None:
            raise _Fail("DL122", "the wheel is shorter than its zip directory says")
        return found

    def _merge(self) -> None:
        merged: list[tuple[int, bytes]] = []
        for first, data in sorted(self.spans, key=lambda s: s[0]):
            if merged and first <= merged[-1][0] + len(merged[-1][1]):
                prev_first, prev = merged[-1]
                overlap = prev_first + len(prev) - first
                merged[-1] = (prev_first, prev + data[overlap:])
            else:
                merged.append((first, data))
        self.spans = merged

    def members(self) -> dict[str, _Member]:
        """The central directory, by member name."""
        if self.size is not None:
            try:
                self.read(max(0, self.size - TAIL), self.size)
            except _NoRange as exc:
                if exc.status != 416:
                    raise
                self.size = None  # the size the index gave is wrong: ask for the end instead
        if self.size is None:
            self._fetch(-TAIL, 0)
        assert self.size is not None
        tail_start = max(0, self.size - TAIL)
        tail = self.read(tail_start, self.size)
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 and tail_start > 0:  # a long zip comment: up to 64 KiB more
            tail_start = max(0, self.size - TAIL - 65557)
            tail = self.read(tail_start, self.size)
            pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 or len(tail) - pos < 22:
            raise _Fail("DL122", "not a zip file (no end of central directory)")
        eocd = tail_start + pos
        if eocd < 20:
            raise _Fail("DL122", "not a zip file (no room for a central directory)")
        _, _, _, _, count, cd_size, cd_offset, _ = struct.unpack("<4s4H2LH", tail[pos : pos + 22])
        if 0xFFFF in (count,) or 0xFFFFFFFF in (cd_size, cd_offset):
            locator = self.read(eocd - 20, eocd)
            if locator[:4] != b"PK\x06\x07":
                raise _Fail("DL122", "broken zip64 end of central directory")
            (record_at,) = struct.unpack("<Q", locator[8:16])
            record = self.read(record_at, record_at + 56)
            if record[:4] != b"PK\x06\x06":
                raise _Fail("DL122", "broken zip64 end of central directory")
            count, cd_size, cd_offset = struct.unpack("<3Q", record[32:56])
        if cd_size > CD_LIMIT or cd_offset + cd_size > eocd:
            raise _Fail("DL122", "implausible zip central directory")
        self.cd_offset = cd_offset
        return _parse_central_directory(self.read(cd_offset, cd_offset + cd_size))

    def _span(self, member: _Member) -> tuple[int, int]:
        end = member.offset + 30 + member.name_len + member.extra_len + member.compressed + 512
        return member.offset, min(end, self.cd_offset or end)

    def prefetch(self, members: list[_Member]) -> None:
        """Fetch the byte spans of ``members`` in as few requests as reasonable."""
        spans = sorted(self._span(m) for m in members)
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start - merged[-1][1] <= MERGE_GAP:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            self.read(start, end)

    def extract(self, member: _Member, limit: int) -> bytes:
        """The uncompressed content of ``member`` (stored or deflated), at most ``limit`` bytes."""
        if member.encrypted:
            raise _Fail("DL122", f"{member.name} is encrypted")
        start, end = self._span(member)
        blob = self.read(start, end)
        if len(blob) < 30 or blob[:4] != b"PK\x03\x04":
            raise _Fail("DL122", f"{member.name}: bad local header")
        name_len, extra_len = struct.unpack("<2H", blob[26:30])
        data_at = 30 + name_len + extra_len
        if len(blob) < data_at + member.compressed:
            blob = self.read(start, start + data_at + member.compressed)
        raw = blob[data_at : data_at + member.compressed]
        if member.method == 0:
            data = raw[:limit]
        elif member.method == 8:
            try:
                data = zlib.decompressobj(-15).decompress(raw, limit)
            except zlib.error as exc:
                raise _Fail("DL122", f"{member.name}: {exc}") from None
        else:
            raise _Fail("DL122", f"{member.name}: unsupported compression method {member.method}")
        if len(data) == member.size and zlib.crc32(data) != member.crc:
            raise _Fail("DL122", f"{member.name}: CRC mismatch")
        return data


def _member_of(info: zipfile.ZipInfo) -> _Member:
    """A ``zipfile`` member as the central-directory reader describes one."""
    return _Member(
        name=info.filename,
        method=info.compress_type,
        compressed=info.compress_size,
        size=info.file_size,
        offset=info.header_offset,
        name_len=len(info.filename.encode("utf-8")),
        extra_len=len(info.extra),
        crc=info.CRC,
        encrypted=bool(info.flag_bits & 1),
    )


def _parse_central_directory(cd: bytes) -> dict[str, _Member]:
    members: dict[str, _Member] = {}
    pos = 0
    while pos + 46 <= len(cd) and cd[pos : pos + 4] == b"PK\x01\x02":
        (flags, method) = struct.unpack("<2H", cd[pos + 8 : pos + 12])
        crc, compressed, size = struct.unpack("<3L", cd[pos + 16 : pos + 28])
        name_len, extra_len, comment_len = struct.unpack("<3H", cd[pos + 28 : pos + 34])
        (offset,) = struct.unpack("<L", cd[pos + 42 : pos + 46])
        raw_name = cd[pos + 46 : pos + 46 + name_len]
        extra = cd[pos + 46 + name_len : pos + 46 + name_len + extra_len]
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
        size, compressed, offset = _zip64(extra, size, compressed, offset)
        members[name] = _Member(
            name, method, compressed, size, offset, name_len, extra_len, crc, bool(flags & 1)
        )
        pos += 46 + name_len + extra_len + comment_len
    return members


def _zip64(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """Apply a zip64 extra field (id 1) to the 32-bit sizes and offset that overflowed."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack("<2H", extra[pos : pos + 4])
        body = extra[pos + 4 : pos + 4 + length]
        if tag == 1:
            values = [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
            if size == 0xFFFFFFFF and values:
                size = values.pop(0)
            if compressed == 0xFFFFFFFF and values:
                compressed = values.pop(0)
            if offset == 0xFFFFFFFF and values:
                offset = values.pop(0)
        pos += 4 + length
    return size, compressed, offset


def _dist_info_folder(members: Mapping[str, _Member], name: str) -> str | None:
    """The wheel's ``*.dist-info`` folder, preferring the one named after the project."""
    folders = sorted(
        n.split("/", 1)[0]
        for n in members
        if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
    )
    for folder in folders:
        if canonicalize_name(folder[: -len(".dist-info")].rpartition("-")[0]) == name:
            return folder
    return folders[0] if folders else None


def _licence_members(members: Mapping[str, _Member], dist_info: str) -> list[_Member]:
    """Licence files of the dist-info; when it has none, those near the package root."""
    own = []
    for member_name, member in sorted(members.items()):
        if not member_name.startswith(dist_info + "/") or member_name.endswith("/"):
            continue
        rel = member_name[len(dist_info) + 1 :]
        if (rel.startswith("licenses/") or ("/" not in rel and _LICENSE_NAME.match(rel))) and (
            safe_relpath(rel)
        ):
            own.append(member)
    if own:
        return own
    outside = [
        member
        for member_name, member in sorted(members.items())
        if not member_name.split("/", 1)[0].endswith((".dist-info", ".data"))
        and member_name.count("/") <= 2
        and _LICENSE_NAME.match(PurePosixPath(member_name).name)
        and not _THIRD_PARTY.search(member_name)
        and safe_relpath(member_name)
    ]
    return outside


def _within_limits(
    members: list[_Member], taken: Sequence[_Member] = ()
) -> tuple[list[_Member], int]:
    """The members to fetch within the count and size limits, and how many are left out."""
    total = sum(m.size for m in taken)
    keep: list[_Member] = []
    for member in members:
        size = max(member.size, member.compressed)
        if len(taken) + len(keep) >= MAX_FILES or size > FILE_LIMIT:
            continue
        if total + size > FILES_TOTAL_LIMIT:
            continue
        keep.append(member)
        total += size
    return keep, len(members) - len(keep)


def _declared_licence_members(
    metadata: bytes, members: Mapping[str, _Member], dist_info: str, have: list[_Member]
) -> list[_Member]:
    """Members named by ``License-File`` that the name patterns did not catch."""
    known = {m.name for m in have}
    declared = re.findall(rb"^License-File:[ \t]*(.+?)[ \t]*\r?$", metadata, re.M | re.I)
    out = []
    for raw in declared:
        rel = raw.decode("utf-8", errors="replace")
        for candidate in (f"{dist_info}/licenses/{rel}", f"{dist_info}/{rel}"):
            member = members.get(candidate)
            if member is not None and candidate not in known and safe_relpath(rel):
                out.append(member)
                known.add(candidate)
                break
    return out
