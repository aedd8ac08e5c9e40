"""Help-center articles from a helpdesk: the one row an article becomes in the ``articles``
table, whichever vendor it came from.

A vendor's mapping reads what its API names (the id, title, HTML body, page, locale, last
change, whether it is a draft) and this builds the row: the body as plain text through the one
HTML reader (:func:`supportops.knowledge.markup.html_text`), the status ``draft`` or
``published``, and ``deleted`` for the tombstone of an article gone upstream, so that neither
counts as covering a topic.

>>> from supportops.connectors.spec import MappingContext
>>> row = article_row(MappingContext("guide"), 7, "Refunds", "<p>Ask <b>us</b>.</p>")
>>> row["article_id"], row["text"], row["status"]
('7', 'Ask us.', 'published')
"""

from __future__ import annotations

from typing import Any

from supportops.connectors.spec import MappingContext
from supportops.knowledge.markup import html_text

__all__ = ["article_row"]


def article_row(
    context: MappingContext,
    article_id: Any,
    title: Any,
    body: str | None,
    *,
    url: str | None = None,
    locale: str | None = None,
    updated_at: Any = None,
    draft: bool = False,
    gone: bool = False,
) -> dict[str, Any]:
    """The ``articles`` row of one article (``body`` is its HTML)."""
    return {
        "source": context.source,
        "article_id": str(article_id),
        "locale": locale or None,
        "title": str(title) if title not in (None, "") else None,
        "text": html_text(body),
        "url": url or None,
        "updated_at": updated_at or None,
        "status": "deleted" if gone else "draft" if draft else "published",
    }
