"""The help center the knowledge gaps are measured against: the articles of a folder of
Markdown (``.md``) and HTML (``.html``/``.htm``) files, and the published articles that sources
synced into the store's ``articles`` table (Zendesk Guide, Freshdesk solutions).

:func:`help_center` gives both as one frame: ``article`` (the file's path below the folder, or
``SOURCE:ID`` for a synced one), ``title``, ``text``, ``url`` (a synced article's page) and
``origin`` (``folder``, or the source's name). A draft or deleted article covers nothing, so it
is not read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from supportops.errors import InputError
from supportops.knowledge.markup import read_html
from supportops.store.base import Store

__all__ = ["COLUMNS", "FOLDER", "SUFFIXES", "help_center", "read_articles", "stored_articles"]

SUFFIXES = (".md", ".markdown", ".html", ".htm")
COLUMNS = ["article", "title", "text", "url", "origin"]
FOLDER = "folder"  # the origin of a folder's article
_PUBLISHED = (
    "SELECT source, article_id, locale, title, text, url FROM articles "
    "WHERE status = 'published' ORDER BY source, article_id, locale"
)


def _markdown(text: str) -> tuple[str, str]:
    heading = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", text, flags=re.MULTILINE)
    plain = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their text
    plain = re.sub(r"[#*_`>|~-]+", " ", plain)
    return (heading.group(1).strip() if heading else ""), plain


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
        read = _markdown if path.suffix.lower() in (".md", ".markdown") else read_html
        title, text = read(raw)
        title = title or path.stem.replace("-", " ").replace("_", " ")
        body = re.sub(r"\s+", " ", text).strip()
        rows.append((str(path.relative_to(folder)), title, body))
    return pd.DataFrame(rows, columns=["article", "title", "text"])


def stored_articles(store: Store) -> pd.DataFrame:
    """The published articles of the store, as :data:`COLUMNS`: ``article`` is
    ``SOURCE:ID`` (``SOURCE:ID@LOCALE`` when the source holds the article in several locales).
    A store of a version before the table (opened read-only, so not migrated) has none."""
    if not store.has_table("articles"):
        return pd.DataFrame(columns=COLUMNS)
    rows = store.query(_PUBLISHED)
    several = rows.duplicated(["source", "article_id"], keep=False)
    suffix = ("@" + rows["locale"].fillna("")).where(several, "")
    frame = pd.DataFrame(
        {
            "article": rows["source"] + ":" + rows["article_id"] + suffix,
            "title": rows["title"].fillna(""),
            "text": rows["text"].fillna(""),
            "url": rows["url"],
            "origin": rows["source"],
        }
    )
    return frame.reindex(columns=COLUMNS)


def help_center(folder: Path | None, store: Store | None) -> pd.DataFrame:
    """Every article the gaps are measured against, as :data:`COLUMNS`: the folder's (none when
    ``folder`` is None or does not exist) then the store's published ones."""
    frames = []
    if folder is not None and folder.exists():
        files = read_articles(folder).assign(url=None, origin=FOLDER)
        frames.append(files.reindex(columns=COLUMNS))
    if store is not None:
        frames.append(stored_articles(store))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True).astype({"url": object})
