"""The ticket page's address: ``/tickets/{source}/{id}``, each part URL-quoted — as a path for
one ticket, and as a ``url`` column for a table of them (the drill-down CSV); and the address
of its review form."""

from __future__ import annotations

from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["review_path", "ticket_path", "with_urls"]


def ticket_path(source: str, ticket_id: str) -> str:
    """The ticket page's path (each part URL-quoted)."""
    return f"/tickets/{quote(str(source), safe='')}/{quote(str(ticket_id), safe='')}"


def review_path(source: str, ticket_id: str) -> str:
    """The review form's path of a ticket: ``/qa/review/{source}/{id}``, quoted the same way."""
    return "/qa/review" + ticket_path(source, ticket_id).removeprefix("/tickets")


_PLAIN = r"^[A-Za-z0-9_.~-]*$"  # what quote(safe="") leaves as it is


def _quoted(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """``column`` as :func:`urllib.parse.quote` (``safe=""``) writes each value: the values it
    would change (rare) are quoted once per distinct value; the rest are kept as they are."""
    plain = pc.fill_null(pc.match_substring_regex(column, _PLAIN), True)
    if pc.all(plain).as_py():
        return column
    odd = pc.unique(pc.filter(column, pc.invert(plain)))
    mapped = pa.array([quote(v, safe="") for v in odd.to_pylist()], pa.string())
    index = pc.index_in(column, value_set=odd)
    return pc.if_else(plain, column, pc.take(mapped, index))


def with_urls(table: pa.Table, base: str) -> pa.Table:
    """``table`` (with ``source`` and ``ticket_id``) and a last column ``url``: ``base`` and each
    row's ticket page path, quoted exactly as :func:`ticket_path` quotes it."""
    source = pc.fill_null(pc.cast(table["source"], pa.string()), "csv")
    ticket = pc.cast(table["ticket_id"], pa.string())
    prefix = base.rstrip("/") + "/tickets/"
    url = pc.binary_join_element_wise(prefix, _quoted(source), "/", _quoted(ticket), "")
    return table.append_column("url", url)
