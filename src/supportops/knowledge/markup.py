"""The visible text of HTML: what an article's reader sees, with its first heading.

One reader for every article body, whichever place it came from: an ``.html`` file of the
articles folder, a Zendesk Guide article's ``body``, a Freshdesk solution's ``description``.
Scripts and styles are left out, block elements (paragraphs, list items, line breaks, table
cells) separate words, inline ones (``<b>``, ``<a>``) do not, character references are decoded
and whitespace is collapsed.

>>> html_text("<p>Click <b>save</b>.</p><ul><li>One</li><li>Two</li></ul>")
'Click save. One Two'
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_text", "read_html"]

BLOCKS = frozenset(  # elements that separate words
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td"),
        *("tfoot", "th", "thead", "tr", "ul"),
    }
)
SKIPPED = frozenset({"script", "style"})


class _Text(HTMLParser):
    """The visible text of an HTML page, and its first ``h1`` (or ``title``)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.title = ""
        self._in: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self._skip += 1
        elif tag in ("h1", "title") and not self.title:
            self._in = tag
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag == self._in:
            self._in = None
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in and not self.title:
            self.title = data.strip()
        if self._in != "title":
            self.parts.append(data)


def _collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_html(markup: str) -> tuple[str, str]:
    """The first ``h1`` (else the ``title``; empty when neither) and the visible text."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return parser.title, _collapsed("".join(parser.parts))


def html_text(markup: str | None) -> str:
    """The visible text of ``markup`` (empty for None)."""
    return read_html(markup)[1] if markup else ""
