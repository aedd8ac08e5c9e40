"""Help-center articles read from a folder of Markdown (``.md``) and HTML (``.html``/``.htm``)
files: one article per file, its title from the first heading (else the file name).

HTML goes through the one HTML reader, :mod:`supportops.knowledge.markup`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from supportops.errors import InputError
from supportops.knowledge.markup import read_html

__all__ = ["SUFFIXES", "read_articles"]

SUFFIXES = (".md", ".markdown", ".html", ".htm")


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
