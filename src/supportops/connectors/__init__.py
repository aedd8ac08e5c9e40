"""Connectors: helpdesk accounts synced into the Support Event Log, incrementally and losslessly.

How to declare a vendor (nothing else is needed; core code never names a vendor):

1. Write ``connectors/vendors/<vendor>.py`` holding ``VENDOR = Vendor(...)``
   (:class:`~supportops.connectors.spec.Vendor`): its ``streams`` in dependency order, its
   ``auth`` kind (:mod:`~supportops.connectors.auth`), its ``rate_limit`` signal (a
   :class:`~supportops.http.RateLimit`: statuses and wait headers), a cheap ``check`` request
   and how its status ``history`` is known.
2. Each :class:`~supportops.connectors.spec.Stream` names its endpoint, its pagination style
   (:mod:`~supportops.connectors.pagination`, with the vendor's field names), the JSON path of
   its records and side-loaded ``parts``, the record id field, whether it is a ``lookup``
   (users, groups, custom statuses: kept in the mapping context for later streams) or read
   ``for_each`` record of a parent stream, and ``map``.
3. ``map(parts, context) -> Mapped`` is pure: a page's records by JSON key, plus a
   :class:`~supportops.connectors.spec.MappingContext` (source name, ``status_map``,
   ``automation_users``, lookups), to event-log rows by table with the columns of
   ``event-log.md`` (``vendor_metrics`` included). Map each part on its own: ``--rebuild``
   passes stored parts one at a time. Golden-test it on the recorded records.
4. Add the module to :data:`~supportops.connectors.registry.VENDOR_MODULES`, and a fake server
   to ``tests/connectors/fakes/``.

The runner (:mod:`~supportops.connectors.runner`) does the rest: cursors, per-page
transactions of rows + raw records + cursor, retries and waits through :mod:`supportops.http`,
``--rebuild`` from raw records, reports.
"""

from __future__ import annotations

from supportops.connectors.spec import (
    Mapped,
    MappingContext,
    PageRequest,
    Paginator,
    Parts,
    Step,
    Stream,
    Vendor,
    dig,
)

__all__ = [
    "Mapped",
    "MappingContext",
    "PageRequest",
    "Paginator",
    "Parts",
    "Step",
    "Stream",
    "Vendor",
    "dig",
]
