"""The ticket page's address: ``/tickets/{source}/{id}``, each part URL-quoted — as a path for
one ticket, and as a ``url`` column for a table of them (the drill-down CSV)."""

from __future__ import annotations

from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ticket_path", "with_urls"]


def ticket_path(source: str, ticket_id: str) -> str:
    """The ticket page's path (each part URL-quoted)."""
    return f"/tickets/{quote(str(source), safe='')}/{quote(str(ticket_id), safe='')}"


_QUOTED = (("%", "%25"), ("/", "%2F"), ("?", "%3F"), ("#", "%23"), (" ", "%20"))


def with_urls(table: pa.Table, base: str) -> pa.Table:
    """``table`` (with ``source`` and ``ticket_id``) and a last column ``url``: ``base`` and each
    row's ticket page path — column operations, no loop over rows."""

    def quoted(name: str) -> pa.ChunkedArray:
        column = pc.cast(table[name], pa.string())
        if name == "source":
            column = pc.fill_null(column, "csv")
        for raw, escaped in _QUOTED:
            column = pc.replace_substring(column, raw, escaped)
        return column

    prefix = base.rstrip("/") + "/tickets/"
    url = pc.binary_join_element_wise(prefix, quoted("source"), "/", quoted("ticket_id"), "")
    return table.append_column("url", url)
