"""Pagination styles, as data: each knows its first request and where to go after a page.

A style is a small frozen dataclass naming the fields its vendor uses; the runner only calls
``first`` and ``step``, giving each the instant of its clock (``now``: only a daily export
reads it) (:class:`~supportops.connectors.spec.Paginator`). What ``step`` returns
as ``resume`` is kept as the stream's cursor after the page commits, so a run killed anywhere
starts again at the page after the last committed one, and a finished run leaves the request
that asks "anything since?" — the next incremental sync starts there.

==================  ===============================================================  ========
style               vendor use                                                       resumes
==================  ===============================================================  ========
CursorExport        Zendesk ``incremental/*/cursor.json``: ``after_cursor`` until     cursor
                    ``end_of_stream`` (the cursor stays non-null then: kept)
TimeNextPage        Zendesk ``incremental/ticket_events``: ``next_page`` URL,         next URL
                    ``end_time``, ``end_of_stream``; pages overlap (keys dedupe)
ListCursor          Zendesk lists: ``page[size]``, ``meta.has_more``,                 restart
                    ``meta.after_cursor``
PageNumber          Freshdesk: ``page`` N, fewer than ``per_page`` ends, a page cap   restart
                    restarts from the last ``updated_at`` (keys dedupe)
HalNext             Help Scout: ``_links.next.href``                                  restart
SoqlNext            Salesforce: relative ``nextRecordsUrl`` until ``done``            restart
SearchAfter         Intercom search: POST body, ``pages.next.starting_after``,        restart
                    a lookback overlap on ``updated_at``
Scroll              Intercom ``/companies/scroll``: ``scroll_param`` until a page is  start
                    empty (a scroll expires: every run scrolls from the start)
Single              one request answers all (Intercom ``/admins``, a record's own     same
                    ``GET``): no paging
DailyExport         Freshdesk ``export/ticket_activities?created_at=DAY``: one day    next day
                    a request, up to yesterday (today's file is not complete)
==================  ===============================================================  ========

"restart" resumes from the latest ``order_field`` committed (inclusive, so keys dedupe).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from supportops.connectors.spec import PageRequest, Step, Stream, dig

__all__ = [
    "CursorExport",
    "DailyExport",
    "HalNext",
    "ListCursor",
    "PageNumber",
    "Scroll",
    "SearchAfter",
    "SinceFormat",
    "Single",
    "SoqlNext",
    "TimeNextPage",
    "latest",
    "request_of_url",
    "since_text",
]

SinceFormat = Literal["epoch", "iso"]


def since_text(since: float | None, fmt: SinceFormat) -> str:
    """Unix time ``since`` (None: the epoch) as the vendor writes it."""
    seconds = max(since or 0.0, 0.0)
    if fmt == "epoch":
        return str(int(seconds))
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value / 1000 if value > 1e11 else value)  # epoch milliseconds too
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    text = text.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # Salesforce's +0000
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def latest(records: list[dict[str, Any]], order_field: str) -> float | None:
    """The largest ``order_field`` of ``records`` as unix time (None when none has one)."""
    found = [dig(r, order_field) for r in records]
    if found and (top := _latest_utc_text(found)) is not None:
        return top
    values = [v for v in map(_epoch, found) if v is not None]
    return max(values) if values else None


def _latest_utc_text(values: list[Any]) -> float | None:
    """The latest of ``values`` when every one is UTC text of one length (``…Z``, as most
    vendors write instants): their order is then the text's, so one is parsed, not each."""
    first = values[0]
    if not isinstance(first, str) or not first.endswith("Z"):
        return None
    size = len(first)
    if all(type(v) is str and len(v) == size and v[-1] == "Z" for v in values):
        return _epoch(max(values))
    return None


def request_of_url(url: str, like: PageRequest) -> PageRequest:
    """An absolute or relative next-page URL as a request below the source's base URL."""
    parts = urlsplit(url)
    return PageRequest(parts.path, tuple(parse_qsl(parts.query)), like.method, like.body)


def _param(request: PageRequest, name: str) -> str | None:
    return dict(request.params).get(name)


@dataclass(frozen=True)
class CursorExport:
    """Zendesk's cursor-based incremental export."""

    start_param: str = "start_time"
    cursor_param: str = "cursor"
    cursor_field: str = "after_cursor"
    end_field: str = "end_of_stream"

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        return stream.request(**{self.start_param: since_text(since, "epoch")})

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        cursor = dig(body, self.cursor_field)
        if cursor is None:  # nothing to go on: ask the same again next time
            return Step(None, request)
        after = request.with_params({self.start_param: None, self.cursor_param: str(cursor)})
        return Step(None if dig(body, self.end_field) else after, after)


@dataclass(frozen=True)
class TimeNextPage:
    """Zendesk's time-based incremental export (``next_page`` is an absolute URL)."""

    start_param: str = "start_time"
    next_field: str = "next_page"
    end_time_field: str = "end_time"
    end_field: str = "end_of_stream"
    time_field: str = "timestamp"

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        return stream.request(**{self.start_param: since_text(since, "epoch")})

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        url = dig(body, self.next_field)
        if url:
            after = request_of_url(str(url), request)
        elif dig(body, self.end_time_field) is not None:
            after = request.with_params({self.start_param: str(dig(body, self.end_time_field))})
        else:
            return Step(None, request)
        start = _epoch(_param(request, self.start_param))
        newest = latest(records, self.time_field)
        if dig(body, self.end_field) and (newest is None or (start and newest <= start)):
            return Step(None, request)  # only the overlap again: stay (nothing new to skip)
        return Step(None if dig(body, self.end_field) else after, after)


@dataclass(frozen=True)
class ListCursor:
    """Zendesk list endpoints' cursor pages; with ``since_param`` a finished run resumes from
    the latest ``order_field`` (else every run reads the list again)."""

    size: int = 100
    size_param: str = "page[size]"
    after_param: str = "page[after]"
    more_field: str = "meta.has_more"
    cursor_field: str = "meta.after_cursor"
    since_param: str | None = None
    order_field: str = "updated_at"
    since_format: SinceFormat = "epoch"

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        params = {self.size_param: str(self.size)}
        if self.since_param:
            params[self.since_param] = since_text(since, self.since_format)
        return stream.request(**params)

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        cursor = dig(body, self.cursor_field)
        if dig(body, self.more_field) and cursor:
            after = request.with_params({self.after_param: str(cursor)})
            return Step(after, after)
        return Step(None, self._restart(request, records))

    def _restart(self, request: PageRequest, records: list[dict[str, Any]]) -> PageRequest:
        restart = request.with_params({self.after_param: None})
        newest = latest(records, self.order_field)
        if self.since_param and newest is not None:
            restart = restart.with_params({self.since_param: since_text(newest, self.since_format)})
        return restart


@dataclass(frozen=True)
class PageNumber:
    """Numbered pages ordered by ``order_field`` ascending; a short page ends the run; page
    ``cap`` restarts from page 1 at the last ``order_field`` (the records there again dedupe)."""

    size: int = 100
    cap: int = 300
    page_param: str = "page"
    size_param: str = "per_page"
    since_param: str | None = "updated_since"  # None: a list read whole every run
    order_field: str = "updated_at"
    since_format: SinceFormat = "iso"

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        params = {self.page_param: "1", self.size_param: str(self.size)}
        if self.since_param:
            params[self.since_param] = since_text(since, self.since_format)
        return stream.request(**params)

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        page = int(_param(request, self.page_param) or 1)
        restart = self._restart(request, records)
        if len(records) < self.size:
            return Step(None, restart)
        if page >= self.cap:
            return Step(restart, restart)
        after = request.with_params({self.page_param: str(page + 1)})
        return Step(after, after)

    def _restart(self, request: PageRequest, records: list[dict[str, Any]]) -> PageRequest:
        newest = latest(records, self.order_field)
        restart = request.with_params({self.page_param: "1"})
        if self.since_param and newest is not None:
            restart = restart.with_params({self.since_param: since_text(newest, self.since_format)})
        return restart


@dataclass(frozen=True)
class HalNext:
    """HAL pages (``_links.next.href``) ordered by ``order_field`` ascending."""

    next_link: str = "_links.next.href"
    page_param: str = "page"
    since_param: str = "modifiedSince"
    order_field: str = "modifiedAt"
    since_format: SinceFormat = "iso"

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        return stream.request(
            **{self.since_param: since_text(since, self.since_format), self.page_param: "1"}
        )

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        newest = latest(records, self.order_field)
        restart = request.with_params({self.page_param: "1"})
        if newest is not None:
            restart = restart.with_params({self.since_param: since_text(newest, self.since_format)})
        link = dig(body, self.next_link)
        if link:
            return Step(request_of_url(str(link), request), restart)
        return Step(None, restart)


@dataclass(frozen=True)
class SoqlNext:
    """SOQL over REST: ``query`` with ``{since}`` (ISO), then relative ``nextRecordsUrl`` until
    ``done``; resumes by a new query from the latest ``order_field``."""

    query: str
    query_param: str = "q"
    next_field: str = "nextRecordsUrl"
    done_field: str = "done"
    order_field: str = "SystemModstamp"

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        q = self.query.format(since=since_text(since, "iso"))
        return stream.request(**{self.query_param: q})

    def _query_path(self, request: PageRequest) -> str:
        """The query endpoint: a next page's path is ``<endpoint>/<query locator>``."""
        if _param(request, self.query_param) is not None:
            return request.path
        return request.path.rsplit("/", 1)[0]

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        newest = latest(records, self.order_field)
        if newest is None:
            restart = request
        else:
            q = self.query.format(since=since_text(newest, "iso"))
            restart = PageRequest(
                self._query_path(request), ((self.query_param, q),), request.method
            )
        link = dig(body, self.next_field)
        if link and not dig(body, self.done_field):
            return Step(request_of_url(str(link), request), restart)
        return Step(None, restart)


@dataclass(frozen=True)
class SearchAfter:
    """A POST search sorted by ``order_field`` ascending with ``starting_after`` cursors in the
    body; every (re)start overlaps ``lookback`` seconds, as the vendor's index can be stale."""

    size: int = 150
    order_field: str = "updated_at"
    cursor_field: str = "pages.next.starting_after"
    lookback: float = 600.0

    def _body(self, since: float | None, after: str | None = None) -> str:
        value = int(max((since or 0.0) - self.lookback, 0.0))
        pagination: dict[str, Any] = {"per_page": self.size}
        if after:
            pagination["starting_after"] = after
        return json.dumps(
            {
                "query": {"field": self.order_field, "operator": ">", "value": value},
                "sort": {"field": self.order_field, "order": "ascending"},
                "pagination": pagination,
            },
            sort_keys=True,
        )

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        return PageRequest(stream.path, stream.params, "POST", self._body(since))

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        sent = request.json_body() or {}
        since = float(dig(sent, "query.value") or 0) + self.lookback
        newest = latest(records, self.order_field)
        restart = PageRequest(
            request.path, request.params, "POST", self._body(newest if newest else since)
        )
        cursor = dig(body, self.cursor_field)
        if cursor:
            return Step(
                PageRequest(request.path, request.params, "POST", self._body(since, str(cursor))),
                restart,
            )
        return Step(None, restart)


@dataclass(frozen=True)
class Scroll:
    """A scroll: each answer's ``field`` is sent as ``param`` for the next page until a page
    has no records; a scroll expires, so a later run (or a restart) scrolls from the start."""

    param: str = "scroll_param"
    field: str = "scroll_param"

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        return stream.request()

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        start = request.with_params({self.param: None})
        token = dig(body, self.field)
        if records and token:
            return Step(request.with_params({self.param: str(token)}), start)
        return Step(None, start)


@dataclass(frozen=True)
class Single:
    """One request whose answer is the whole stream (a short list, or one record read by id):
    no paging; every run asks it again."""

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        return stream.request()

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        return Step(None, request)


@dataclass(frozen=True)
class DailyExport:
    """A daily export: each request names one day (``param=YYYY-MM-DD``, UTC) and answers
    that day's file, days in order up to yesterday: today's file is not complete, so a finished
    run resumes at today and the next run asks it (and the days after) once they have passed.
    The first day is ``since``'s, else ``backfill`` days before ``now`` (the runner's clock)."""

    param: str = "created_at"
    backfill: int = 30

    def _day(self, day: date) -> dict[str, str]:
        return {self.param: day.isoformat()}

    def first(self, stream: Stream, since: float | None, *, now: datetime) -> PageRequest:
        if since is None:
            day = now.astimezone(UTC).date() - timedelta(days=self.backfill)
        else:
            day = datetime.fromtimestamp(max(since, 0.0), UTC).date()
        return stream.request(**self._day(day))

    def step(
        self, request: PageRequest, body: Any, records: list[dict[str, Any]], *, now: datetime
    ) -> Step:
        today = now.astimezone(UTC).date()
        asked = date.fromisoformat(_param(request, self.param) or today.isoformat())
        if asked >= today:  # not complete yet: ask it again next run
            return Step(None, request)
        following = asked + timedelta(days=1)
        after = request.with_params(self._day(following))
        return Step(after if following < today else None, after)
