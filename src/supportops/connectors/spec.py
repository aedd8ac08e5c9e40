"""What a vendor is, as data: its streams, how each pages, its auth and rate-limit signal, and
the pure mapping of a page of its JSON to event-log rows.

A :class:`Vendor` is declared once in ``connectors/vendors/<vendor>.py`` and listed in
:mod:`supportops.connectors.registry`; the runner reads nothing else about it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, Protocol

from supportops.http import RateLimit

__all__ = [
    "AuthKind",
    "Mapped",
    "MappingContext",
    "PageRequest",
    "Paginator",
    "Parts",
    "Step",
    "Stream",
    "UsageSignal",
    "Vendor",
    "Write",
    "WriteBacks",
    "dig",
]

AuthKind = Literal["token_basic", "api_key_basic", "bearer", "oauth2_client_credentials"]
Parts = dict[str, list[dict[str, Any]]]  # a page's records by the JSON key they came under


def dig(body: Any, path: str) -> Any:
    """The value at a dotted ``path`` of a JSON body (``_embedded.conversations``), or None."""
    if type(body) is dict and path and "." not in path:  # the usual case, once per record
        return body.get(path)
    value = body
    for key in path.split(".") if path else ():
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@dataclass(frozen=True)
class PageRequest:
    """One request of a stream: method, path below the source's ``url``, query, JSON body.

    It is also the stream's cursor: the request to send next is what ``sync_state`` keeps."""

    path: str
    params: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    body: str | None = None  # JSON text, for POST searches

    def with_params(self, changes: Mapping[str, str | int | None]) -> PageRequest:
        """This request with ``changes`` to its query (a None value removes the parameter)."""
        params = dict(self.params)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return replace(self, params=tuple(params.items()))

    def with_query(self, params: Mapping[str, str | int]) -> PageRequest:
        """This request with exactly the query ``params`` (names kept as given)."""
        return replace(self, params=tuple((k, str(v)) for k, v in params.items()))

    def json_body(self) -> Any:
        """The body as JSON data (None without one)."""
        return None if self.body is None else json.loads(self.body)

    def to_json(self) -> str:
        """The request as JSON text (what ``sync_state.cursor`` holds)."""
        return json.dumps(
            {"path": self.path, "params": self.params, "method": self.method, "body": self.body}
        )

    @classmethod
    def from_json(cls, text: str) -> PageRequest:
        """The request :meth:`to_json` wrote."""
        data = json.loads(text)
        params = tuple((str(k), str(v)) for k, v in data.get("params", []))
        return cls(data["path"], params, data.get("method", "GET"), data.get("body"))


@dataclass(frozen=True)
class Step:
    """After one page: ``next`` is the request to send now (None: the stream is done for this
    run) and ``resume`` where a later run starts if this one stops after the page."""

    next: PageRequest | None
    resume: PageRequest


class Paginator(Protocol):
    """A pagination style (see :mod:`supportops.connectors.pagination`)."""

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        """The first request of ``stream``, from unix time ``since`` (None: everything);
        ``now`` is the runner's clock."""
        ...

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        """Where to go after ``request`` answered ``body`` holding ``records``, at ``now``."""
        ...


@dataclass
class MappingContext:
    """What a mapping may know beside the page: the source's name and settings, and the
    records of the vendor's lookup streams (``lookups[stream][vendor_id] = record``).
    ``accounts``: an accounts column (plan, segment, arr) → the custom field holding it.
    ``url``: the source's base URL (its ``url:``), for links the records do not carry."""

    source: str
    status_map: Mapping[str, str] = field(default_factory=dict)
    automation_users: frozenset[str] = frozenset()
    accounts: Mapping[str, str] = field(default_factory=dict)
    lookups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    url: str = ""

    def lookup(self, stream: str, vendor_id: Any) -> dict[str, Any] | None:
        """The record of ``stream`` with id ``vendor_id``, or None."""
        if vendor_id is None:
            return None
        return self.lookups.get(stream, {}).get(str(vendor_id))


@dataclass
class Mapped:
    """Event-log rows by table (``tickets``, ``events``, ``surveys``, ``agents``, ``work``,
    ``vendor_metrics``...), each a dict of that table's columns (event-log.md); instants as
    ISO 8601 text with an offset or aware datetimes, ``custom`` as a dict or JSON text."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, *rows: dict[str, Any] | None) -> None:
        """Append ``rows`` (None rows are skipped) to ``table``."""
        self.tables.setdefault(table, []).extend(r for r in rows if r is not None)

    def extend(self, other: Mapped) -> None:
        """Append every row of ``other``."""
        for name, rows in other.tables.items():
            self.add(name, *rows)

    @property
    def rows(self) -> int:
        """Rows over all tables."""
        return sum(len(r) for r in self.tables.values())


Mapper = Callable[[Parts, MappingContext], Mapped]


def no_rows(parts: Parts, context: MappingContext) -> Mapped:
    """The mapping of a stream kept only raw (and as a lookup)."""
    return Mapped()


@dataclass(frozen=True)
class Stream:
    """One endpoint of a vendor, read page by page.

    - ``path``, ``params``, ``method``, ``body``: the first request (``{parent}`` in ``path``
      is the parent record's id for a ``for_each`` stream).
    - ``pagination``: a :class:`Paginator` (a style of :mod:`~supportops.connectors.pagination`).
    - ``records``: the dotted JSON path of the page's records; ``parts``: other keys of the page
      kept raw and passed to ``map`` (side-loads such as Zendesk ``metric_sets``).
    - ``id_field``: each record's vendor id (raw records are keyed by it).
    - ``map``: the pure mapping of the page's parts; it must map each part on its own (a
      rebuild passes the stored parts one at a time).
    - ``lookup``: the records are kept in :attr:`MappingContext.lookups` for later mappings
      (users' roles, custom statuses, groups); a lookup stream comes before its users.
    - ``for_each``: read once per record of that parent stream, inside the parent's page (its
      rows commit with the parent page); ``parent_key`` names the parent record's id field. A
      child may have children of its own (Freshdesk's solution categories → folders →
      articles).
    - ``snapshot``: every run reads the stream whole, from its first request (never from a
      stored cursor or ``since``), and a ``for_each`` snapshot stream for every parent record,
      not only the changed ones; a record stored before that a run which read everything no
      longer sees is gone upstream, and becomes a tombstone (``{"_gone": record}``) that
      ``map`` receives like any record (:func:`supportops.store.sync_log.unwrap`). A snapshot
      child needs a snapshot parent: otherwise the run would not read everything.
    - ``link``: the answer does not hold the records but links the file that does (a dotted
      path to its absolute URL; through a list, its first item): the runner fetches that URL
      without the source's credentials (a signed download) and reads ``records`` there. A 404
      on either is an empty page (Freshdesk's daily activities export: not ready, or none).
    - ``optional``: read only when the source turns it on (``enable: [NAME]`` in
      ``supportops.yaml``): it needs something of the account the API cannot tell, such as an
      admin's scheduled export.
    """

    name: str
    path: str
    pagination: Paginator
    records: str
    map: Mapper = no_rows
    params: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    body: str | None = None
    parts: tuple[str, ...] = ()
    id_field: str = "id"
    lookup: bool = False
    for_each: str | None = None
    parent_key: str = "id"
    snapshot: bool = False
    link: str | None = None
    optional: str | None = None

    def request(self, **params: str | int) -> PageRequest:
        """The stream's first request with ``params`` added to its own."""
        return PageRequest(self.path, self.params, self.method, self.body).with_query(
            {**dict(self.params), **params}
        )


@dataclass(frozen=True)
class UsageSignal:
    """A response header telling how much of a daily request allowance is used, as two numbers
    ``pattern`` captures (Salesforce: ``Sforce-Limit-Info: api-usage=N/M``); a sync stops while
    ``reserve`` (a fraction) of the allowance is left for the account's other integrations."""

    header: str
    pattern: str
    reserve: float = 0.1

    def read(self, headers: Mapping[str, str]) -> tuple[int, int] | None:
        """(used, allowance) from ``headers``, or None when they do not say."""
        found = re.search(self.pattern, headers.get(self.header) or "")
        return (int(found.group(1)), int(found.group(2))) if found else None

    def spent(self, used: int, allowance: int) -> bool:
        """True when no more than the reserve is left."""
        return used >= allowance * (1.0 - self.reserve)


WriteValue = Literal["after", "added", "removed", "tags"]


@dataclass(frozen=True)
class Write:
    """How one kind of rule action reaches the vendor (see :class:`WriteBacks`).

    - ``method`` and ``path`` below the source's ``url``; ``{id}`` is the ticket's vendor id.
    - ``body``: the JSON sent, with the text ``$value`` where the value goes (``$key``: a
      custom field's key; ``$id``: the ticket's vendor id).
    - ``value``: what ``$value`` is: ``after`` (the new value), ``added`` or ``removed`` (the
      tags the action adds or removes), ``tags`` (the ticket's whole tag list after it).
    - ``codes``: our value → the vendor's (Freshdesk's priority numbers); ``lookup``: the
      lookup stream and its field holding our value, whose record's ``id`` is sent instead (a
      group's name → its id); ``number``: an id sent as a JSON number.
    - ``read``: where the value is in the answer to :attr:`WriteBacks.ticket` (a dotted path),
      to check a write left pending by a crash; None when it cannot be read back (a note).
    """

    method: str
    path: str
    body: Any
    value: WriteValue = "after"
    codes: Mapping[str, Any] = field(default_factory=dict)
    lookup: tuple[str, str] | None = None
    number: bool = False
    read: str | None = None


@dataclass(frozen=True)
class WriteBacks:
    """What a rule may write back to a vendor's ticket, as its API documents it.

    ``writes`` by target: ``group``, ``assignee_id``, ``priority``, ``type``, ``status``,
    ``custom`` (a ``custom.KEY`` field), ``add_tags``, ``remove_tags``, ``note`` (internal).
    ``cannot``: a target the vendor's API does not take, and why (the ledger says ``skipped``).
    ``ticket``: the GET path of one ticket (``{id}``), read to check a pending write.
    """

    ticket: str
    writes: Mapping[str, Write]
    cannot: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Vendor:
    """A helpdesk, as data.

    - ``streams`` in dependency order (lookups first); ``for_each`` streams ride their parent.
    - ``auth``: how credentials are sent (:mod:`supportops.connectors.auth`).
    - ``rate_limit``: how the vendor says "slow down" (data for :mod:`supportops.http`).
    - ``check``: the cheap request ``supportops connect`` sends to test the credentials.
    - ``history``: how status history is known, shown by ``supportops sources``;
      ``history_with``: how, when the source turns an optional stream on (by its name).
    - ``accounts``: which records give the ``accounts`` table, shown by ``supportops sources``.
    - ``articles``: which records give the ``articles`` table (help-center articles), shown
      by ``supportops sources``.
    - ``token_path``: OAuth2 token endpoint below ``url`` (for ``oauth2_client_credentials``).
    - ``usage``: the header telling a daily allowance's use (:class:`UsageSignal`), if any.
    - ``metric_pairs``: (our metric, the vendor's ``vendor_metrics.metric``, its clocks) that
      ``supportops metrics reconcile --source`` compares per ticket.
    - ``config_streams`` and ``propose``: what ``connect --import-config`` reads (schedules,
      SLA policies, statuses) and the pure function turning those records into
      ``supportops.yaml`` settings (``calendars``, ``sla_policies``, ``status_map``) to review.
    - ``write_backs``: how the rules' actions are written to a ticket (:class:`WriteBacks`);
      None when nothing can be.
    - ``sync_gap``: the fewest seconds between two syncs of a live source (``serve`` applying
      webhook deliveries): what the vendor's tightest rate limit allows the requests of a sync
      that finds nothing new (a source's own ``sync_gap`` replaces it: an account on a
      higher rate-limit plan may sync more often).
    """

    name: str
    streams: tuple[Stream, ...]
    auth: AuthKind
    rate_limit: RateLimit
    check: PageRequest
    history: str = "from the vendor's change events"
    history_with: Mapping[str, str] = field(default_factory=dict)
    accounts: str = "none: the vendor's API documents no organizations"
    articles: str = "none: not read from this vendor yet"
    token_path: str | None = None
    usage: UsageSignal | None = None
    metric_pairs: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    config_streams: tuple[Stream, ...] = ()
    propose: Callable[[dict[str, list[dict[str, Any]]]], dict[str, Any]] | None = None
    write_backs: WriteBacks | None = None
    sync_gap: float = 5.0

    def __post_init__(self) -> None:
        for child in self.streams:
            if child.snapshot and child.for_each and not self.stream(child.for_each).snapshot:
                raise ValueError(
                    f"{self.name}: snapshot stream {child.name!r} reads a parent that is not "
                    f"read whole ({child.for_each!r})"
                )

    def stream(self, name: str) -> Stream:
        """The stream called ``name``."""
        for stream in self.streams:
            if stream.name == name:
                return stream
        raise KeyError(f"{self.name} has no stream {name!r}")

    def children(self, parent: str) -> tuple[Stream, ...]:
        """The streams read once per record of ``parent``."""
        return tuple(s for s in self.streams if s.for_each == parent)

    @property
    def options(self) -> tuple[str, ...]:
        """The optional streams a source may turn on (:attr:`Stream.optional`)."""
        return tuple(dict.fromkeys(s.optional for s in self.streams if s.optional))

    def history_of(self, enabled: Sequence[str]) -> str:
        """How status history is known with the optional streams ``enabled``."""
        found = [self.history_with[name] for name in enabled if name in self.history_with]
        return found[0] if found else self.history
