"""Core metadata of packages that are not installed, read from a package index.

The way installers get it, cheapest first:

1. the simple API page of the project: PEP 691 JSON, asked for with an
   ``Accept`` header, or the PEP 503 HTML an index answers with instead;
2. a wheel of the version (pure ``py3-none-any`` preferred, else one this
   interpreter could install, else any; sdist-only releases skip to 4);
3. the wheel's core-metadata file where the page announces one (PEP 658 /
   PEP 714 ``core-metadata`` / ``data-dist-info-metadata``), hash verified
   -> ``index:pep658``;
4. else the wheel's ``METADATA`` read with ``zipfile`` over HTTP range
   requests: the end of the file (the zip's central directory), then only the
   members needed -> ``index:range``;
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

By job: ``index_source`` (one source: the paths above, the cache entry),
``index_get`` (GET with retries and bounded bodies), ``index_http`` (connections,
credentials), ``index_pages`` (simple pages, per-project JSON), ``index_select``
(versions, wheel ranking), ``index_wheel`` (a wheel read with ``zipfile`` over
range requests), ``index_local``, ``index_cache``, ``index_options``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

from packaging.utils import canonicalize_name

from dllicense.collect.index_get import Stats
from dllicense.collect.index_http import Transport, redact_url
from dllicense.collect.index_options import (
    DEFAULT_INDEX_URL,
    IndexOptions,
    default_index_url,
    is_pypi,
)
from dllicense.collect.index_pages import metadata_from_json
from dllicense.collect.index_select import version_key
from dllicense.collect.index_source import USER_AGENT, Source
from dllicense.models import Distribution, LockedWheel, Problem

__all__ = [
    "DEFAULT_INDEX_URL",
    "IndexClient",
    "IndexOptions",
    "default_index_url",
    "fetch_distribution",
    "is_pypi",
    "metadata_from_json",
    "redact_url",
]
# lookups at once in fetch_many: each mostly waits for a round trip (20 ms to a nearby
# mirror, 60+ to PyPI), and a uv.lock of 75 runtime packages is 90 requests; uv itself
# makes up to 50 requests at once, over HTTP/2. Bounded: every thread holds its own HTTP/1.1
# connection (a TLS handshake each). Against pypi.org from this machine (energon-uv's lock,
# bench/RESULTS.md) 8 took 1.4-1.7 s, 16 0.9-1.2 s, 24 0.8-1.0 s, and 32 5.6 s: some of 32
# new connections at once waited for SYN retransmissions. 16 leaves room below that.
LOOKUPS = 16
# what fetch_many takes: (name, version), (name, version, index), (..., index, wheels)
Wanted = tuple[str, str] | tuple[str, str, str] | tuple[str, str, str, Sequence[LockedWheel]]


def fetch_distribution(name: str, version: str, options: IndexOptions) -> Distribution | Problem:
    """Metadata of ``name==version`` from the sources, as a ``Distribution`` read from the cache."""
    return IndexClient(options).fetch(name, version)


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
        self._sources: dict[tuple[str, str], Source] = {}
        self._lock = threading.Lock()
        self._http = Transport(options.timeout, USER_AGENT)  # one pool for every source
        urls = () if options.no_index else (options.index_url, *options.extra_index_urls)
        self.configured = [self._source(u, "index") for u in dict.fromkeys(urls)]
        links = dict.fromkeys(options.find_links)
        self.configured += [self._source(u, "find-links") for u in links]

    def _source(self, url: str, kind: str) -> Source:
        key = (url.strip().rstrip("/"), kind)
        with self._lock:  # fetch_many: one source per URL, also across threads
            if key not in self._sources:
                source = Source(replace(self.options, index_url=url), kind, self._http)
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

    def sources_for(self, index: str = "") -> list[Source]:
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

    def resolved_from(self) -> str:
        """The index a resolver run on these sources took its http(s) files from, or "".

        With one remote source, an index (local find-links folders and ``file://`` indexes
        aside: their files are not http URLs), the wheel URLs of the resolver's answer (uv's
        pylock.toml, pip's report) are that index's own files: ``fetch(..., index=this,
        wheels=...)`` reads their metadata directly, as a lock's, without the simple page.
        With more remote sources a file's source is unknown: "" (the page path)."""
        remote = [s for s in self.configured if not s.local]
        if len(remote) != 1 or remote[0].kind != "index":
            return ""
        return remote[0].options.index_url

    def _locked_from(self, source: Source, index: str) -> bool:
        """Is ``source`` the index a lock says it locked from (PyPI: PyPI configured)?"""
        if source.kind != "index" or source.local or not index:
            return False
        if is_pypi(index):
            return is_pypi(source.index_url)
        return source is self._source(index, "index")

    def fetch_many(
        self, wanted: Sequence[Wanted], workers: int = LOOKUPS
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

        workers = min(workers, len(wanted))
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
            return max(found, key=version_key)
        if not problems:
            return Problem("DL120", f"{name}: no package index to look in", canonicalize_name(name))
        return _first_problem(problems)


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
