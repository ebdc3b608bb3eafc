"""One package source of the index client: an index, or a find-links location.

``Source.fetch`` finds ``name==version`` the way installers do, cheapest first
(the paths are listed in ``dllicense.collect.index``), and writes what it fetched
as a dist-info folder in the cache (``index_cache``), read back as a
``Distribution``. Failures are ``Problem`` values (DL120-DL124), their messages
without credentials.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urldefrag

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from dllicense import __version__
from dllicense.collect import index_local
from dllicense.collect.index_cache import CacheEntry, Staging, entry_dir, index_root, load_entry
from dllicense.collect.index_get import Fail, Getter, NoJsonApi, NoRange, NotFound, Stats
from dllicense.collect.index_http import Credentials, Transport, netloc, redact_url, strip_userinfo
from dllicense.collect.index_options import IndexOptions
from dllicense.collect.index_pages import (
    IndexFile,
    SimplePage,
    metadata_from_json,
    parse_html_page,
    parse_json_page,
    verify,
)
from dllicense.collect.index_select import (
    best_wheel,
    file_version,
    normalize_version,
    same_version,
    url_file_name,
    wheel_rank,
)
from dllicense.collect.index_wheel import content_range, open_remote, prefetch, read_wheel
from dllicense.discover.distributions import METADATA_LIMIT, read_distribution
from dllicense.models import Distribution, LockedWheel, Problem, Skipped
from dllicense.parsing import parse_json
from dllicense.skipped import as_problem

logger = logging.getLogger(__name__)

USER_AGENT = f"dllicense/{__version__}"
SIMPLE_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
)
PAGE_LIMIT = 64 * 1024 * 1024  # a simple page or per-project JSON (torch's is ~0.5 MB)
_SAFE_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+!-]*")


class Source:
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
        self.credentials = Credentials(url)
        self.label = redact_url(url).rstrip("/")
        self.http = Getter(
            self.credentials,
            transport or Transport(options.timeout, USER_AGENT),
            timeout=options.timeout,
            retries=options.retries,
            backoff=options.backoff,
        )
        self._pages: dict[str, SimplePage | Fail] = {}
        self._no_range: set[str] = set()

    @property
    def stats(self) -> Stats:
        """What this source did on the network."""
        return self.http.stats

    # -- public ---------------------------------------------------------------------------------

    def cached(self, name: str, version: str) -> Distribution | Problem | None:
        """The answer the cache holds for ``name==version`` from this source, if any."""
        canonical, version = canonicalize_name(name), normalize_version(version)
        if not self.options.use_cache or self.local or not _SAFE_VERSION.fullmatch(version):
            return None
        final = self._entry_dir(canonical, version)
        entry = load_entry(final)
        # an entry answers only what it was made for: licence files stored by a --fetch-files
        # run are never replayed without it (entries of older versions share the plain key)
        if entry is not None and entry.files_fetched == self.options.fetch_files:
            return self._read(final, entry, canonical, version)
        return None

    def _entry_dir(self, name: str, version: str) -> Path:
        root = index_root(self.options.cache_dir)
        return entry_dir(root, self.index_url, name, version, self.options.fetch_files)

    def fetch(
        self, name: str, version: str, wheels: Sequence[LockedWheel] = ()
    ) -> Distribution | Problem:
        """``name==version`` as a ``Distribution`` (see the module docstring), or a ``Problem``.

        ``wheels``: the files a lock records for it on this source; their PEP 658 metadata
        is read without the simple page (``_from_lock``), the page being the fallback."""
        canonical, version = canonicalize_name(name), normalize_version(version)
        if not canonical or not _SAFE_VERSION.fullmatch(version):
            return Problem("DL122", f"cannot look up {name!r} {version!r} on an index", canonical)
        final = self._entry_dir(canonical, version)
        hit = self.cached(canonical, version)
        if hit is not None:
            return hit
        start = self.http.downloaded()
        try:
            staging, entry, staged = self._fetch(canonical, version, wheels)
        except Fail as exc:
            return Problem(
                exc.code, self._message(canonical, version, exc.message), canonical, version
            )
        entry = replace(entry, downloaded=self.http.downloaded() - start)
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
        # our staging folder moved into place as is: what was read there is what is there
        kept = None
        if staging.moved_to == folder and isinstance(staged, Distribution):
            kept = replace(staged, path=str(folder / entry.dist_info))
        return self._read(folder, entry, canonical, version, kept)

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
        except Fail as exc:
            return Problem(exc.code, self._message(canonical, "", exc.message), canonical)
        versions: set[Version] = set()
        for item in page.files:
            found = file_version(canonical, item.filename)
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
    ) -> tuple[Staging, CacheEntry, Distribution | Skipped]:
        if locked and not self.local:
            try:
                return self._from_lock(name, version, locked)
            except Fail as exc:
                logger.debug("%s %s: the lock's wheel: %s; the page instead", name, version, exc)
        failures: list[Fail] = []
        notes: list[tuple[str, str]] = []
        page: SimplePage | None = None
        try:
            page = self._page(name)
        except NotFound as exc:
            failures.append(exc)
        mine = [f for f in page.files if same_version(name, f.filename, version)] if page else []
        wheels = sorted((f for f in mine if f.filename.endswith(".whl")), key=wheel_rank)
        if page is not None and not mine:
            where = "the simple page" if self.kind == "index" else "the find-links location"
            failures.append(Fail("DL120", f"no file of version {version} on {where}"))
        sdist = None
        if not wheels:  # tarfile and the sdist reader: for sdist-only releases only
            from dllicense.collect.index_sdist import is_sdist

            sdist = next((f for f in mine if is_sdist(f.filename)), None)
        if page is not None and mine and not wheels and sdist is None:
            failures.append(Fail("DL122", "only an sdist, whose metadata would need a build"))
        wheel = wheels[0] if wheels else None
        metadata: bytes | None = None
        how = ""
        if wheel is not None and (
            wheel.core_metadata
            or (wheel.url.startswith("file:") and index_local.exists(wheel.url + ".metadata"))
        ):
            try:
                metadata, how = self._core_metadata(wheel), "pep658"
            except Fail as exc:
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
            except Fail as exc:
                failures.append(Fail(exc.code, f"{wheel.filename}: {exc.message}"))
                if metadata is not None:
                    notes.append(("DL124", f"licence files not fetched: {exc.message}"))
                    files_fetched = exc.code != "DL121"  # try again next time on a network error
        if metadata is None and sdist is not None:  # no wheel: the sdist's PKG-INFO, unbuilt
            try:
                metadata, files, skipped = self._from_sdist(sdist, name)
                how, files_fetched = "sdist", self.options.fetch_files
                if skipped:
                    notes.append(
                        ("DL124", f"{skipped} licence file(s) over the size limits skipped")
                    )
            except Fail as exc:  # a listed sdist that is not there: no way to read it
                code = "DL122" if isinstance(exc, NotFound) else exc.code
                failures.append(Fail(code, f"{sdist.filename}: {exc.message}"))
        if metadata is None and (self.local or self.kind != "index"):
            raise _overall(failures or [Fail("DL120", "not found")], page)
        if metadata is None:
            try:
                metadata, how = self._json_metadata(name, version), "json"
            except Fail as exc:
                failures.append(exc)
                raise _overall(failures, page) from None
            if self.options.fetch_files:
                why = failures[-1].message if failures else "no wheel on the index"
                notes.append(("DL124", f"licence files not fetched ({why}); metadata from JSON"))
                files_fetched = all(f.code != "DL121" for f in failures)
        return self._stage(name, version, metadata, files, how, wheel, notes, files_fetched)

    def _from_lock(
        self, name: str, version: str, wheels: Sequence[LockedWheel]
    ) -> tuple[Staging, CacheEntry, Distribution | Skipped]:
        """The metadata of a wheel the lock names, without the simple page: the page is
        what costs (numpy's is 1.9 MB) and its only use here would be to learn the URL
        the lock already gives. ``<wheel URL>.metadata`` (PEP 658), else, when the file
        server has none for it (404), the wheel's METADATA by range requests, as the page
        path does for a wheel the page announces no metadata file for.

        The metadata file is checked against the hash on the page when this run has
        the page already; neither uv.lock nor pylock.toml record that hash. Raises
        ``Fail`` for anything else: the caller then takes the page path."""
        # every wheel of the version (numpy: 50); only the best one is parsed whole
        named = [IndexFile(url_file_name(w.url), w.url, core_metadata=True) for w in wheels]
        best = best_wheel(name, version, named)
        if best is None:
            raise Fail("DL120", f"the lock names no wheel of {name} {version}")
        locked = next(w for f, w in zip(named, wheels, strict=True) if f is best)
        wheel = replace(best, url=urldefrag(locked.url)[0], hashes=locked.hashes, size=locked.size)
        page = self._pages.get(name)
        if isinstance(page, SimplePage):  # fetched already: its hash checks the file
            listed = {f.filename: f for f in page.files}.get(wheel.filename)
            if listed is None:
                raise Fail("DL120", f"{wheel.filename} is not on the simple page")
            wheel = replace(wheel, metadata_hashes=listed.metadata_hashes)
        metadata: bytes | None = None
        how = "range"
        try:
            metadata, how = self._core_metadata(wheel), "pep658"
        except NotFound:
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
    ) -> tuple[Staging, CacheEntry, Distribution | Skipped]:
        dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
        persistent = self.options.use_cache and not self.local
        beside = any(rel.startswith("/") for rel in files)  # package-folder files
        staging = Staging(
            index_root(self.options.cache_dir), persistent, "" if beside else dist_info
        )
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
            raise Fail("DL122", f"cannot write the fetched metadata: {exc}") from None
        if isinstance(checked, Distribution) and (
            checked.name != name or normalize_version(checked.version) != version
        ):
            staging.discard()
            raise Fail(
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
        return staging, entry, checked

    def _read(
        self,
        folder: Path,
        entry: CacheEntry,
        name: str,
        version: str,
        dist: Distribution | Skipped | None = None,
    ) -> Distribution | Problem:
        """The entry in ``folder`` as a ``Distribution`` with its notes; ``dist``: its
        metadata already read (from the staging folder that became ``folder``)."""
        if dist is None:
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
            except Fail as exc:
                cached = exc
            self._pages[key] = cached
        if isinstance(cached, Fail):
            raise cached
        return cached

    def _get_page(self, name: str) -> SimplePage:
        url = f"{self.index_url}/{name}/"
        reply = self.http.get(url, accept=SIMPLE_ACCEPT, limit=PAGE_LIMIT, what="the simple page")
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
                raise Fail("DL122", f"the find-links folder: {exc.message}") from None
            if listing is not None:
                return SimplePage("", tuple(IndexFile(n, u) for n, u in listing), "folder")
        reply = self.http.get(
            self.index_url, accept="text/html", limit=PAGE_LIMIT, what="the links"
        )
        return parse_html_page(reply.body, reply.url)

    def _core_metadata(self, wheel: IndexFile) -> bytes:
        reply = self.http.get(
            wheel.url + ".metadata", limit=METADATA_LIMIT, what="the core-metadata file"
        )
        verify(reply.body, wheel.metadata_hashes, wheel.filename + ".metadata")
        return reply.body

    def _json_metadata(self, name: str, version: str) -> bytes:
        if not self.index_url.endswith("/simple"):
            raise NoJsonApi()
        base = self.index_url[: -len("/simple")]
        try:
            reply = self.http.get(
                f"{base}/pypi/{name}/{version}/json",
                accept="application/json",
                limit=PAGE_LIMIT,
                what="the per-project JSON",
            )
        except NotFound:
            reply = self.http.get(
                f"{base}/pypi/{name}/json",
                accept="application/json",
                limit=PAGE_LIMIT,
                what="the per-project JSON",
            )
        try:
            info = parse_json(reply.body)["info"]
            found = str(info["version"])
        except (ValueError, KeyError, TypeError):
            raise Fail("DL122", "the per-project JSON has no 'info'") from None
        if normalize_version(found) != version or canonicalize_name(str(info.get("name"))) != name:
            raise Fail("DL122", f"the per-project JSON describes only {info.get('name')} {found}")
        return metadata_from_json(info)

    def _from_wheel(
        self, wheel: IndexFile, name: str, metadata: bytes | None
    ) -> tuple[bytes, dict[str, bytes], int]:
        """``read_wheel`` over range requests: the tail first, then the members wanted."""
        host = netloc(wheel.url)
        if host in self._no_range:
            raise Fail("DL122", "the file server does not answer range requests")

        def fetch(start: int, end: int) -> tuple[int, bytes, int | None]:
            reply = self.http.get(
                wheel.url,
                what="the wheel",
                limit=max(end - start, -start) + 1024,
                byte_range=(start, end - 1),
            )
            first, total = content_range(reply.headers.get("Content-Range", ""), start)
            return first, reply.body, total

        try:
            archive, remote = open_remote(fetch, wheel.size)
        except NoRange:
            self._no_range.add(host)
            raise
        with archive:
            return read_wheel(
                archive,
                name,
                metadata,
                self.options.fetch_files,
                lambda members: prefetch(archive, remote, members),
            )

    def _from_sdist(self, sdist: IndexFile, name: str) -> tuple[bytes, dict[str, bytes], int]:
        """``read_sdist`` of the whole sdist, downloaded within ``SDIST_LIMIT``, hash checked."""
        from dllicense.collect.index_sdist import SDIST_LIMIT, read_sdist

        if sdist.size is not None and sdist.size > SDIST_LIMIT:
            raise Fail("DL122", f"the sdist is over {SDIST_LIMIT} bytes")
        reply = self.http.get(sdist.url, what="the sdist", limit=SDIST_LIMIT)
        verify(reply.body, sdist.hashes, sdist.filename)
        return read_sdist(reply.body, sdist.filename, name, self.options.fetch_files)

    def _from_local_wheel(
        self, wheel: IndexFile, name: str, metadata: bytes | None
    ) -> tuple[bytes, dict[str, bytes], int]:
        """``read_wheel`` for a wheel on this machine."""
        try:
            with index_local.LocalWheel(wheel.url) as local:
                return read_wheel(local.zip, name, metadata, self.options.fetch_files)
        except index_local.LocalError as exc:
            raise Fail("DL122", exc.message) from None


def _overall(failures: list[Fail], page: SimplePage | None) -> Fail:
    """The one failure to report when no path gave metadata."""
    reasons = "; ".join(dict.fromkeys(f.message for f in failures))
    if page is None and all(isinstance(f, (NotFound, NoJsonApi)) for f in failures):
        return Fail("DL120", "not on the index (" + reasons + ")")
    if any(f.code == "DL121" for f in failures):
        return Fail("DL121", reasons)
    if any(f.code == "DL120" and not isinstance(f, NotFound) for f in failures):
        return Fail("DL120", reasons)
    return Fail("DL122", "no way to read its metadata: " + reasons)
