"""Accounts from a helpdesk: the one row an organization or company becomes in the event log's
``accounts`` table, whichever vendor it came from.

A vendor's mapping reads what its API names (the id, the name, a plan or tier, a renewal date,
a monthly spend) and passes its custom fields; the source's ``accounts`` settings
(:class:`~supportops.config.SourceAccounts`) name the custom field that holds each of plan,
segment and ARR, and a field named there wins over the vendor's own value. A value left empty
is null, never guessed. ARR goes as text that the importer reads as a number: one that is no
number is quarantined with its ``organization_id`` (the vendor's key), the others are kept.

>>> from supportops.connectors.spec import MappingContext
>>> context = MappingContext("desk", accounts={"segment": "tier", "arr": "arr_usd"})
>>> row = account_row(context, 42, "Acme", {"tier": "enterprise", "arr_usd": "120000"})
>>> row["organization_id"], row["segment"], row["arr"], row["plan"]
('42', 'enterprise', '120000.0', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from supportops.connectors.spec import MappingContext

__all__ = ["COLUMNS", "account_row", "amount"]

COLUMNS = ("plan", "segment", "arr")  # what a source's `accounts` settings may name


def amount(value: Any, times: float = 1.0) -> str | None:
    """An amount (× ``times``) as text the importer reads as a number; text that is no number
    is kept as it is, for the importer to quarantine by name."""
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", "")) * times
    except ValueError:
        return str(value)
    return repr(number)


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):  # a named choice ({"name": "Gold"})
        return _text(value.get("name") or value.get("value"))
    if isinstance(value, list):
        return ";".join(str(v) for v in value) or None
    return str(value)


def account_row(
    context: MappingContext,
    organization_id: Any,
    name: Any,
    fields: Mapping[str, Any] | None = None,
    **own: Any,
) -> dict[str, Any]:
    """The ``accounts`` row of one organization: ``own`` holds the vendor's own plan, segment,
    arr and renewal_at; ``fields`` its custom fields, read where the source names them."""
    values = {column: own.get(column) for column in COLUMNS}
    for column, key in context.accounts.items():
        values[column] = (fields or {}).get(key)
    return {
        "organization_id": _text(organization_id),
        "name": _text(name),
        "plan": _text(values["plan"]),
        "segment": _text(values["segment"]),
        "arr": amount(values["arr"]),
        "renewal_at": own.get("renewal_at") or None,
    }
