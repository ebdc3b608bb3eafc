"""Simple API pages of a package index, parsed: PEP 691 JSON, or the PEP 503 HTML an
index answers with instead (with PEP 592 yanking and PEP 658/714 core-metadata
attributes); the per-project JSON's ``info`` rebuilt as core metadata; hash checks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from dllicense.collect.index_get import Fail
from dllicense.parsing import parse_json
from dllicense.records import frozen


@frozen
class IndexFile:
    """One file of a project's simple page."""

    filename: str
    url: str  # absolute, without fragment
    hashes: tuple[tuple[str, str], ...] = ()
    core_metadata: bool = False  # the index serves ``url + ".metadata"``
    metadata_hashes: tuple[tuple[str, str], ...] = ()
    yanked: bool = False
    size: int | None = None


@frozen
class SimplePage:
    name: str
    files: tuple[IndexFile, ...]
    form: str  # "json" (PEP 691) or "html" (PEP 503)


def parse_json_page(body: bytes, page_url: str) -> SimplePage:
    """A PEP 691 JSON page; raises ``Fail`` when it is not one."""
    try:
        data = parse_json(body)
    except ValueError as exc:
        raise Fail("DL122", f"the simple page is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise Fail("DL122", "the simple page is JSON without a 'files' list")
    api = str((data.get("meta") or {}).get("api-version", "1.0"))
    if not api.startswith("1."):
        raise Fail("DL122", f"the simple page uses API version {api}, not 1.x")
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


def parse_html_page(body: bytes, page_url: str) -> SimplePage:
    """A PEP 503 HTML page (with PEP 592 yanking and PEP 658/714 attributes)."""
    from dllicense.collect.index_html import Anchors  # html.parser: for HTML pages only

    parser = Anchors()
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


def verify(data: bytes, hashes: Iterable[tuple[str, str]], what: str) -> None:
    """Check ``data`` against the strongest known hash of ``hashes`` (none given: accepted)."""
    known = [(a, d) for a, d in hashes if a in hashlib.algorithms_guaranteed]
    if not known:
        return
    preferred = ("sha512", "sha384", "sha256", "sha224", "sha1", "md5")
    algo, digest = min(known, key=lambda p: preferred.index(p[0]) if p[0] in preferred else 99)
    if hashlib.new(algo, data).hexdigest() != digest:
        raise Fail("DL123", f"{what} does not match its {algo} hash on the simple page")


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
