"""``supportops tickets``: one row per ticket with its facts — the drill-down behind every number.

The same facts SQL as the metrics, filtered with bound parameters, read in chunks of rows so
that ten million tickets stream to Parquet or CSV without being held in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from supportops.metrics.assemble import conditions
from supportops.metrics.compiler import Compiled, parse, render, with_ctes
from supportops.metrics.facts import Cte, FactOptions, fact_ctes
from supportops.metrics.materialize import FACTS, materialised
from supportops.metrics.profiles import profile as get_profile
from supportops.metrics.query import build_query, setting_for
from supportops.metrics.relations import relation
from supportops.metrics.sla_source import STORED, table_exists
from supportops.model.schema import TABLES

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["FACT_COLUMNS", "iter_tickets", "tickets", "tickets_sql", "write_tickets"]

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
_CHUNK = 1_000_000
_EXPORT = "so_ticket_export"


def _compile(
    ws: Workspace,
    filters: Any,
    as_of: Any,
    profile: str | None,
    extra: tuple[str, ...] = (),
    stored: bool = False,
) -> Compiled:
    """The drill-down query; with ``stored`` it reads the materialised facts (when they answer
    it) one range of ``so_row`` at a time (``$lo``/``$hi``), unordered."""
    query = build_query(
        ["first_reply_time_business"],
        ws.config.report_timezone,
        filters=filters,
        as_of=as_of,
        profile=profile,
    )
    setting = setting_for(ws, query)
    rules = get_profile(profile).rules
    options = FactOptions(
        as_of=query.as_of is not None,
        reply_from_customer=rules.reply_from_customer,
        notes_reply=rules.notes_reply,
        calendar=setting.calendar,
        business=True,
        escalation_groups=setting.escalation_groups,
        business_waits=any("wait_time_business" in c or "hold_time_business" in c for c in extra),
        sla_table=STORED if table_exists(ws.store, STORED) else None,
        slots=setting.slots,
    )
    params: dict[str, Any] = {"as_of": query.as_of, "from_ts": None, "to_ts": None}
    rel = relation("tickets", options, False)
    where = conditions(query, rel, params, snapshot=True)
    ticket_cols = [f'r."{c}"' for c in TABLES["tickets"].names]
    facts = [f"CAST(r.{c} AS DOUBLE) AS {c}" for c in FACT_COLUMNS[:7]]
    facts += [f"CAST(r.{c} AS BIGINT) AS {c}" for c in FACT_COLUMNS[7:11]]
    facts.append(
        "CASE WHEN r.sla_breached IS NULL THEN NULL ELSE r.sla_breached = 1 END AS sla_breached"
    )
    facts += [f"r.{c} AS {c}" for c in extra]
    library = fact_ctes(options)
    order = " ORDER BY r.source, r.ticket_id"
    if stored and materialised(ws, options):
        library["so_facts"] = Cte("so_facts", f"SELECT * FROM {FACTS}")
        where.append("r.so_row >= $lo AND r.so_row < $hi")
        params.update(lo=0, hi=0)
        order = ""
    ctes = ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes({"so_facts"}, library))
    text = (
        f"WITH {ctes} SELECT {', '.join(ticket_cols + facts)} FROM so_facts r"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + order
    )
    return Compiled(parse(text), params)


def tickets_sql(
    ws: Workspace, dialect: str, filters: Any = None, as_of: Any = None, profile: str | None = None
) -> str:
    """The drill-down SQL for a warehouse ``dialect`` (values inlined)."""
    return render(_compile(ws, filters, as_of, profile), dialect, inline=True)[0]


def tickets(
    ws: Workspace,
    filters: Any = None,
    as_of: Any = None,
    profile: str | None = None,
    extra: tuple[str, ...] = (),
) -> Any:
    """One row per ticket with its facts, as a pandas DataFrame (``extra``: more fact columns,
    e.g. ``on_hold_time_business`` or ``bot_messages``)."""
    compiled = _compile(ws, filters, as_of, profile, extra)
    sql, params = render(compiled, ws.store.capabilities.dialect)
    return ws.store.query(sql, params)


def iter_tickets(
    ws: Workspace,
    filters: Any = None,
    as_of: Any = None,
    profile: str | None = None,
    chunk: int = _CHUNK,
) -> Iterator[pa.Table]:
    """The drill-down in chunks of ``chunk`` rows: read range by range from the materialised
    facts when they answer the query (memory bounded by a chunk), else computed once into a
    temporary table and read by row number."""
    compiled = _compile(ws, filters, as_of, profile, stored=True)
    if "lo" in compiled.params:
        total = int(ws.store.scalar(f"SELECT count(*) FROM {FACTS}"))
        for first in range(1, max(total, 1) + 1, chunk):
            compiled.params.update(lo=first, hi=first + chunk)
            sql, params = render(compiled, ws.store.capabilities.dialect)
            yield ws.store.arrow(sql, params)
        return
    sql, params = render(compiled, ws.store.capabilities.dialect)
    store = ws.store
    store.execute(f"DROP TABLE IF EXISTS {_EXPORT}")
    numbered = (
        f"SELECT row_number() OVER (ORDER BY source, ticket_id) AS so_row, x.* FROM ({sql}) x"
    )
    store.execute(f"CREATE TEMP TABLE {_EXPORT} AS {numbered}", params)
    total = int(store.scalar(f"SELECT count(*) FROM {_EXPORT}"))
    try:
        for first in range(1, max(total, 1) + 1, chunk):
            part = store.arrow(
                f"SELECT * FROM {_EXPORT} WHERE so_row >= ? AND so_row < ? ORDER BY so_row",
                [first, first + chunk],
            )
            yield part.drop_columns(["so_row"])
    finally:
        store.execute(f"DROP TABLE IF EXISTS {_EXPORT}")


def write_tickets(ws: Workspace, path: Path, fmt: str, **kw: Any) -> int:
    """Write the drill-down to ``path`` as parquet or csv; returns the rows written."""
    import pyarrow.csv as pa_csv

    rows = 0
    writer: Any = None
    try:
        for part in iter_tickets(ws, **kw):
            if writer is None:
                writer = (
                    pq.ParquetWriter(path, part.schema)
                    if fmt == "parquet"
                    else pa_csv.CSVWriter(path, _csv_schema(part.schema))
                )
            writer.write_table(part if fmt == "parquet" else _csv_table(part))
            rows += part.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([f.with_type(pa.string()) if pa.types.is_list(f.type) else f for f in schema])


def _csv_table(table: pa.Table) -> pa.Table:
    import pyarrow.compute as pc

    cols = [pc.binary_join(c, ";") if pa.types.is_list(c.type) else c for c in table.columns]
    return pa.table(cols, names=table.column_names)
