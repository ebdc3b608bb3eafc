"""The anchors of a PEP 503 HTML simple page (``index_pages.parse_html_page``); apart so that
``html.parser`` is imported only by a scan that meets an HTML page."""

from __future__ import annotations

from html.parser import HTMLParser


class Anchors(HTMLParser):
    """The ``<base href>`` and each ``<a>``'s attributes and text of an HTML page."""

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
