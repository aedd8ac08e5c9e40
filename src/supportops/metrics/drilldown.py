"""``supportops tickets``: one row per ticket with its facts — the drill-down behind every number.

The same facts SQL as the metrics, filtered with bound parameters, read in chunks of rows so
that ten million tickets stream to Parquet or CSV without being held in memory at once (the
files themselves: :mod:`.ticket_files`).

The web app's lists narrow it further with a :class:`Where` (conditions on the facts row, e.g.
semi-joins to key tables) and select, count and page in the store — :func:`select`,
:func:`iter_select`, :func:`count`, :func:`count_by` — reading the materialised facts when they
are fresh, so a page of a million-ticket workspace never loads every ticket into Python.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from supportops.lazy import lazy_module
from supportops.metrics.assemble import conditions
from supportops.metrics.compiler import Compiled, render, with_ctes
from supportops.metrics.facts import Cte, FactOptions, fact_ctes
from supportops.metrics.materialize import FACTS, materialised
from supportops.metrics.names import names
from supportops.metrics.profiles import profile as get_profile
from supportops.metrics.query import build_query, setting_for
from supportops.metrics.relations import relation
from supportops.metrics.sla_source import STORED, instances_table, sla_table
from supportops.model.schema import TABLES

if TYPE_CHECKING:
    import pyarrow as pa

    from supportops.workspace import Workspace
else:  # loaded on first use (a command reading a few rows needs neither Arrow nor numpy)
    pa = lazy_module("pyarrow")

__all__ = [
    "FACT_COLUMNS",
    "NEWEST",
    "TICKET_COLUMNS",
    "Where",
    "count",
    "count_by",
    "iter_select",
    "iter_tickets",
    "page",
    "select",
    "stored_facts",
    "ticket_rows",
    "ticket_sql",
    "tickets",
    "tickets_sql",
]

FACT_COLUMNS = (
    "first_reply_time",
    "first_reply_time_business",
    "first_resolution_time",
    "full_resolution_time",
    "requester_wait_time",
    "agent_wait_time",
    "on_hold_time",
    "agent_replies",
    "reopens",
    "reassignments",
    "group_transfers",
    "sla_breached",
)
NEWEST = ("r.created_at DESC NULLS LAST", "r.source", "r.ticket_id")
TICKET_COLUMNS = (*TABLES["tickets"].names, *FACT_COLUMNS)  # a drill-down row's columns
_CHUNK = 1_000_000
Days = tuple[date | None, date | None]  # created on these days, both included
_PAGE_CHUNK = 100_000


def _prepare(
    ws: Workspace,
    filters: Any,
    as_of: Any,
    profile: str | None,
    extra: tuple[str, ...] = (),
    days: Days = (None, None),
    count_slots: bool = True,
) -> tuple[FactOptions, list[str], dict[str, Any]]:
    """The fact options of a drill-down, and its filters (and the days its tickets were
    created, both included) as conditions on the row ``r`` (``count_slots``:
    :func:`~supportops.metrics.query.setting_for`'s)."""
    query = build_query(
        ["first_reply_time_business"],
        ws.config.report_timezone,
        ws.clock,
        filters=filters,
        as_of=as_of,
        profile=profile,
        start=days[0],
        end=days[1],
    )
    setting = setting_for(ws, query, count_slots=count_slots)
    rules = get_profile(profile).rules
    options = FactOptions(
        as_of=query.as_of is not None,
        reply_from_customer=rules.reply_from_customer,
        notes_reply=rules.notes_reply,
        calendar=setting.calendar,
        business=True,
        escalation_groups=setting.escalation_groups,
        business_waits=any("wait_time_business" in c or "hold_time_business" in c for c in extra),
        sla_table=STORED if ws.store.has_table(STORED) else None,
        slots=setting.slots,
    )
    params: dict[str, Any] = {"as_of": query.as_of, "from_ts": setting.from_ts}
    params["to_ts"] = setting.to_ts
    where = conditions(query, relation("tickets", options, False), params, snapshot=False)
    return options, where, params


def _columns(extra: tuple[str, ...] = ()) -> str:
    """The drill-down's columns: the ticket's, then its facts (typed alike on every engine)."""
    cols = [f'r."{c}"' for c in TABLES["tickets"].names]
    cols += [f"CAST(r.{c} AS DOUBLE) AS {c}" for c in FACT_COLUMNS[:7]]
    cols += [f"CAST(r.{c} AS BIGINT) AS {c}" for c in FACT_COLUMNS[7:11]]
    cols.append(
        "CASE WHEN r.sla_breached IS NULL THEN NULL ELSE r.sla_breached = 1 END AS sla_breached"
    )
    cols += [f"r.{c} AS {c}" for c in extra]
    return ", ".join(cols)


def _ctes(needed: set[str], library: dict[str, Cte]) -> str:
    return ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes(needed, library))


@dataclass
class _Source:
    """A narrowed drill-down before its SELECT: CTEs, conditions, parameters, and whether it
    reads the materialised facts."""

    ctes: str
    where: list[str]
    params: dict[str, Any]
    stored: bool = False

    def compiled(self, select: str, tail: str = "") -> Compiled:
        where = f" WHERE {' AND '.join(self.where)}" if self.where else ""
        text = f"WITH {self.ctes} SELECT {select} FROM so_facts r{where}{tail}"
        return Compiled(text, dict(self.params))


def _compile(
    ws: Workspace,
    filters: Any,
    as_of: Any,
    profile: str | None,
    extra: tuple[str, ...] = (),
    stored: bool = False,
    days: Days = (None, None),
) -> Compiled:
    """The drill-down query; with ``stored`` it reads the materialised facts (when they answer
    it) one range of ``so_row`` at a time (``$lo``/``$hi``), unordered."""
    # Reading the materialised facts needs no calendar days: look for them before building any.
    options, where, params = _prepare(ws, filters, as_of, profile, extra, days, not stored)
    if stored and not materialised(ws, options):
        stored = False
        options, where, params = _prepare(ws, filters, as_of, profile, extra, days)
    library = fact_ctes(options)
    order = " ORDER BY r.source, r.ticket_id"
    if stored:
        library["so_facts"] = Cte("so_facts", f"SELECT * FROM {FACTS}")
        where.append("r.so_row >= $lo AND r.so_row < $hi")
        params.update(lo=0, hi=0)
        order = ""
    return _Source(_ctes({"so_facts"}, library), where, params).compiled(_columns(extra), order)


@dataclass(frozen=True)
class Where:
    """What narrows a drill-down beyond its dimension filters: conditions on the facts row ``r``
    (DuckDB SQL, values bound to ``$name`` placeholders — never in the text), which may read
    more fact CTEs (``ctes``, e.g. ``so_timeline``) and, with ``sla_at``, the SLA target
    instances at that instant as ``so_sla`` (their status read through
    :func:`~supportops.metrics.sla_source.status_sql`, which binds ``$now_s``).

    A value, hashable: what a result cache keys a count or a page by.
    """

    conds: tuple[str, ...] = ()
    params: tuple[tuple[str, Any], ...] = ()
    ctes: frozenset[str] = frozenset()
    sla_at: datetime | None = None

    def and_(self, cond: str, ctes: Iterable[str] = (), **params: Any) -> Where:
        """These conditions and ``cond`` (its placeholders bound to ``params``)."""
        return replace(
            self,
            conds=(*self.conds, cond),
            params=(*self.params, *params.items()),
            ctes=self.ctes | frozenset(ctes),
        )

    def __and__(self, other: Where) -> Where:
        """Both narrowings (at most one of them reading SLA instances at an instant)."""
        if None not in (self.sla_at, other.sla_at) and self.sla_at != other.sla_at:
            raise ValueError("a drill-down reads the SLA instances of one instant")
        return Where(
            (*self.conds, *other.conds),
            (*self.params, *other.params),
            self.ctes | other.ctes,
            self.sla_at or other.sla_at,
        )


def _source(ws: Workspace, where: Where, filters: Any, profile: str | None) -> _Source:
    """The drill-down narrowed by ``where``, reading the materialised facts and timeline when
    they answer it (and, for ``sla_at``, the SLA instances table for that instant)."""
    options, conds, params = _prepare(ws, filters, None, profile)
    library = fact_ctes(options)
    stored = materialised(ws, options)
    library.update({name: Cte(name, sql) for name, sql in stored})
    needed = {"so_facts", *where.ctes}
    if where.sla_at is not None:
        table = instances_table(sla_table(ws, where.sla_at, True))  # may fill a TEMP table
        library["so_sla"] = Cte("so_sla", f"SELECT * FROM {table}")
        params["now_s"] = where.sla_at.timestamp()
        needed.add("so_sla")
    own = dict(where.params)
    clash = own.keys() & {*params, "so_limit", "so_offset"}
    if clash:
        raise ValueError(f"parameter names taken by the drill-down: {sorted(clash)}")
    conds += [f"({c})" for c in where.conds]
    return _Source(_ctes(needed, library), conds, params | own, bool(stored))


def stored_facts(ws: Workspace) -> bool:
    """Whether the materialised facts (``metric_facts``) are fresh and answer the drill-down
    with the default rules — then they hold every per-ticket fact a page needs."""
    options, _, _ = _prepare(ws, None, None, None)
    return bool(materialised(ws, options))


def _run(ws: Workspace, compiled: Compiled, **params: Any) -> pa.Table:
    compiled.params.update(params)
    sql, values = render(compiled, ws.store.capabilities.dialect)
    return ws.store.arrow(sql, values)


def select(
    ws: Workspace,
    where: Where = Where(),
    *,
    filters: Any = None,
    profile: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> pa.Table:
    """The drill-down's rows narrowed by ``where``, newest first (``created_at``, then
    ``source`` and ``ticket_id``): ``limit`` of them (None: all) from row ``offset``."""
    return _select(_source(ws, where, filters, profile), ws, limit, offset)


def _select(source: _Source, ws: Workspace, limit: int | None, offset: int) -> pa.Table:
    page = " LIMIT $so_limit" if limit is not None else ""
    tail = f" ORDER BY {', '.join(NEWEST)}{page} OFFSET $so_offset"
    rows = _run(ws, source.compiled(_columns(), tail), so_limit=limit, so_offset=offset)
    return names(ws).attach(rows)


def page(
    ws: Workspace,
    where: Where = Where(),
    *,
    filters: Any = None,
    profile: str | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[int, pa.Table]:
    """How many rows :func:`select` returns, and ``limit`` of them from row ``offset`` — narrowed
    once (SLA instances the engine must evaluate are evaluated once for both)."""
    source = _source(ws, where, filters, profile)
    total = _run(ws, source.compiled("count(*) AS n")).column("n")[0].as_py()
    return int(total), _select(source, ws, limit, offset)


def iter_select(
    ws: Workspace,
    where: Where = Where(),
    *,
    filters: Any = None,
    profile: str | None = None,
    chunk: int = _PAGE_CHUNK,
) -> Iterator[pa.Table]:
    """:func:`select`'s rows in chunks of ``chunk`` (narrowed once): page by page over the
    materialised facts; else computed once into a temporary table and read by row number.
    Each chunk has the name columns of :mod:`~supportops.metrics.names`."""
    named = names(ws)
    return (named.attach(part) for part in _iter_select(ws, where, filters, profile, chunk))


def _iter_select(
    ws: Workspace, where: Where, filters: Any, profile: str | None, chunk: int
) -> Iterator[pa.Table]:
    source = _source(ws, where, filters, profile)
    if not source.stored:
        newest = ", ".join(o.removeprefix("r.") for o in NEWEST)
        yield from _numbered(ws, source.compiled(_columns()), chunk, newest)
        return
    order = f" ORDER BY {', '.join(NEWEST)} LIMIT $so_limit OFFSET $so_offset"
    compiled = source.compiled(_columns(), order)
    for offset in itertools.count(0, chunk):
        part = _run(ws, compiled, so_limit=chunk, so_offset=offset)
        if part.num_rows or offset == 0:
            yield part
        if part.num_rows < chunk:
            return


def _numbered(ws: Workspace, compiled: Compiled, chunk: int, order: str) -> Iterator[pa.Table]:
    """The rows of ``compiled`` numbered in ``order`` into a temporary table (computed once),
    read back ``chunk`` rows at a time."""
    sql, params = render(compiled, ws.store.capabilities.dialect)
    yield from _numbered_sql(ws, sql, params, chunk, order)


def _numbered_sql(
    ws: Workspace, sql: str, params: list[Any], chunk: int, order: str, picked: str = "*"
) -> Iterator[pa.Table]:
    store, name = ws.store, f"so_export_{uuid.uuid4().hex[:12]}"
    shown = "*" if picked == "*" else f"{picked}, so_n"
    numbered = f"SELECT row_number() OVER (ORDER BY {order}) AS so_n, x.* FROM ({sql}) x"
    store.execute(f"CREATE TEMP TABLE {name} AS {numbered}", params)
    try:
        total = int(store.scalar(f"SELECT count(*) FROM {name}"))
        for first in range(1, max(total, 1) + 1, chunk):
            part = store.arrow(
                f"SELECT {shown} FROM {name} WHERE so_n >= ? AND so_n < ? ORDER BY so_n",
                [first, first + chunk],
            )
            yield part.drop_columns(["so_n"])
    finally:
        store.execute(f"DROP TABLE IF EXISTS {name}")


def count(
    ws: Workspace, where: Where = Where(), *, filters: Any = None, profile: str | None = None
) -> int:
    """How many rows :func:`select` returns."""
    return count_by(ws, {"n": "TRUE"}, where, filters=filters, profile=profile)["n"]


def count_by(
    ws: Workspace,
    cases: Mapping[str, str],
    where: Where = Where(),
    *,
    filters: Any = None,
    profile: str | None = None,
) -> dict[str, int]:
    """Per named condition of ``cases`` (SQL on ``r``, like ``where``'s), how many of
    :func:`select`'s rows meet it — every count in one pass."""
    names = list(cases)
    select_ = ", ".join(
        f"count(CASE WHEN ({cases[n]}) THEN 1 END) AS c{i}" for i, n in enumerate(names)
    )
    compiled = _source(ws, where, filters, profile).compiled(select_ or "count(*) AS c")
    row = _run(ws, compiled).to_pylist()[0]
    return {n: int(row[f"c{i}"]) for i, n in enumerate(names)}


def tickets_sql(
    ws: Workspace,
    dialect: str,
    filters: Any = None,
    as_of: Any = None,
    profile: str | None = None,
    days: Days = (None, None),
) -> str:
    """The drill-down SQL for a warehouse ``dialect`` (values inlined)."""
    return render(_compile(ws, filters, as_of, profile, days=days), dialect, inline=True)[0]


def tickets(
    ws: Workspace,
    filters: Any = None,
    as_of: Any = None,
    profile: str | None = None,
    extra: tuple[str, ...] = (),
    days: Days = (None, None),
) -> Any:
    """One row per ticket with its facts and the names of its agent, group and organization
    (:mod:`~supportops.metrics.names`), as a pandas DataFrame (``extra``: more fact columns,
    e.g. ``on_hold_time_business`` or ``bot_messages``; ``days``: created on these days, both
    included)."""
    compiled = _compile(ws, filters, as_of, profile, extra, days=days)
    sql, params = render(compiled, ws.store.capabilities.dialect)
    return names(ws).attach_frame(ws.store.query(sql, params))


def iter_tickets(
    ws: Workspace,
    filters: Any = None,
    as_of: Any = None,
    profile: str | None = None,
    chunk: int = _CHUNK,
    days: Days = (None, None),
) -> Iterator[pa.Table]:
    """The drill-down in chunks of ``chunk`` rows, with the name columns: read range by range
    from the materialised facts when they answer the query (memory bounded by a chunk), else
    computed once into a temporary table and read by row number."""
    named = names(ws)
    return (named.attach(p) for p in _iter_tickets(ws, filters, as_of, profile, chunk, days))


def _iter_tickets(
    ws: Workspace, filters: Any, as_of: Any, profile: str | None, chunk: int, days: Days
) -> Iterator[pa.Table]:
    compiled = _compile(ws, filters, as_of, profile, stored=True, days=days)
    if "lo" in compiled.params:
        total = int(ws.store.scalar(f"SELECT coalesce(max(so_row), 0) FROM {FACTS}"))
        for first in range(1, max(total, 1) + 1, chunk):
            compiled.params.update(lo=first, hi=first + chunk)
            sql, params = render(compiled, ws.store.capabilities.dialect)
            yield ws.store.arrow(sql, params)
        return
    yield from _numbered(ws, compiled, chunk, "source, ticket_id")


def ticket_rows(
    ws: Workspace,
    filters: Any = None,
    as_of: Any = None,
    profile: str | None = None,
    days: Days = (None, None),
    *,
    columns: Sequence[str] = (),
    sort: Sequence[tuple[str, bool]] | None = None,
    limit: int | None = None,
    chunk: int = _PAGE_CHUNK,
) -> Iterator[pa.Table]:
    """``supportops tickets``' rows in chunks of at most ``chunk``: only ``columns`` (all when
    empty, each one of :data:`TICKET_COLUMNS`), ordered by ``sort`` (column, descending?; None:
    newest first) and at most ``limit`` of them — ordered and cut in the store, so a 50-row view
    of a million tickets reads 50. Without a sort or a limit the whole drill-down streams in the
    store's order (:func:`iter_tickets`)."""
    if sort is None and limit is None:
        _check_columns(columns, sort)
        for part in iter_tickets(ws, filters, as_of, profile, chunk, days):
            yield part.select(list(columns)) if columns else part
        return
    if limit is not None:
        sql, params = ticket_sql(
            ws, filters, as_of, profile, days, columns=columns, sort=sort, limit=limit
        )
        yield ws.store.arrow(sql, params)
        return
    sql, params, out = _named(ws, filters, as_of, profile, days)
    picked = ", ".join(f'"{c}"' for c in (columns or out))
    yield from _numbered_sql(ws, sql, params, chunk, _order(sort), picked)


def ticket_sql(
    ws: Workspace,
    filters: Any = None,
    as_of: Any = None,
    profile: str | None = None,
    days: Days = (None, None),
    *,
    columns: Sequence[str] = (),
    sort: Sequence[tuple[str, bool]] | None = None,
    limit: int | None = None,
) -> tuple[str, list[Any]]:
    """The one query of :func:`ticket_rows`' rows, in the store's dialect: the drill-down with
    the name columns (:meth:`~supportops.metrics.names.Names.attach_sql`), or only ``columns``
    when given, ordered by ``sort`` and cut at ``limit`` when either is given (else in the
    store's order). A store that writes files itself runs it whole
    (:func:`~supportops.metrics.ticket_files.copy_csv`)."""
    _check_columns(columns, sort)
    cut = "" if limit is None else f" ORDER BY {_order(sort)} LIMIT {int(limit)}"
    sql, params, out = _named(ws, filters, as_of, profile, days, cut)  # cut before naming
    picked = ", ".join(f'"{c}"' for c in (columns or out))
    text = f"SELECT {picked} FROM ({sql}) so_named"
    if sort is not None or limit is not None:
        text += f" ORDER BY {_order(sort)}"
    return text, params


def _named(
    ws: Workspace, filters: Any, as_of: Any, profile: str | None, days: Days, cut: str = ""
) -> tuple[str, list[Any], list[str]]:
    """The drill-down (its rows cut by ``cut``, an ORDER BY and LIMIT) with its name columns:
    SQL, parameters, columns."""
    compiled = _compile(ws, filters, as_of, profile, stored=True, days=days)
    if "lo" in compiled.params:  # every range of the materialised facts
        compiled.params.update(lo=0, hi=2**62)
    sql, params = render(compiled, ws.store.capabilities.dialect)
    if cut:
        sql = f"SELECT * FROM ({sql}) so_cut{cut}"
    named, out = names(ws).attach_sql(sql, TICKET_COLUMNS)
    return named, params, out


def _order(sort: Sequence[tuple[str, bool]] | None) -> str:
    keys = [(c, d) for c, d in sort] if sort is not None else [("created_at", True)]
    return ", ".join(
        [f'"{c}" {"DESC" if d else "ASC"} NULLS LAST' for c, d in keys] + ['"source", "ticket_id"']
    )


def _check_columns(columns: Sequence[str], sort: Sequence[tuple[str, bool]] | None) -> None:
    unknown = [c for c in (*columns, *(c for c, _ in sort or ())) if c not in TICKET_COLUMNS]
    if unknown:
        raise ValueError(f"not drill-down columns: {unknown}")
