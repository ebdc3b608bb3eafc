"""Where the index client looks and how: ``IndexOptions``, from pip's configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dllicense.collect.index_http import redact_url
from dllicense.collect.pipconfig import DEFAULT_INDEX_URL, IndexConfig, load_index_config

__all__ = ["DEFAULT_INDEX_URL", "IndexOptions", "default_index_url", "is_pypi"]


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
