"""Help-center articles read from a folder of Markdown (``.md``) and HTML (``.html``/``.htm``)
files: one article per file, its title from the first heading (else the file name).

Connectors (Zendesk Guide, Freshdesk solutions) will hand over the same frame.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from supportops.errors import InputError

__all__ = ["SUFFIXES", "read_articles"]

SUFFIXES = (".md", ".markdown", ".html", ".htm")


class _Text(HTMLParser):
    """The visible text of an HTML page, and its first ``h1`` (or ``title``)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.title = ""
        self._in: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("h1", "title") and not self.title:
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in and not self.title:
            self.title = data.strip()
        if self._in != "title":
            self.parts.append(data)


def _markdown(text: str) -> tuple[str, str]:
    heading = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", text, flags=re.MULTILINE)
    plain = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their text
    plain = re.sub(r"[#*_`>|~-]+", " ", plain)
    return (heading.group(1).strip() if heading else ""), plain


def _html(text: str) -> tuple[str, str]:
    parser = _Text()
    parser.feed(text)
    return parser.title, " ".join(parser.parts)


def read_articles(folder: Path) -> pd.DataFrame:
    """``article`` (path relative to ``folder``), ``title`` and ``text`` of every article file
    under ``folder``, by path; an :class:`InputError` when the folder does not exist."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder of articles", file=str(folder))
    rows = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES):
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 text ({exc.reason})", file=str(path)) from exc
        read = _markdown if path.suffix.lower() in (".md", ".markdown") else _html
        title, text = read(raw)
        title = title or path.stem.replace("-", " ").replace("_", " ")
        body = re.sub(r"\s+", " ", text).strip()
        rows.append((str(path.relative_to(folder)), title, body))
    return pd.DataFrame(rows, columns=["article", "title", "text"])
