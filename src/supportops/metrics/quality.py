"""Data quality: completeness per column, validity findings with the tickets that fail,
freshness per source, duplicates merged and rows quarantined on import; a score per table.

A table's score is the mean completeness of its columns, times the share of rows read that were
not quarantined, times (for ``tickets``) the share of valid tickets — 1 is perfect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from supportops.metrics.clock import calendar_sql
from supportops.metrics.compiler import run_sql, with_ctes
from supportops.metrics.facts import SOLVED, FactOptions, fact_ctes
from supportops.model.schema import TABLES, Table

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["RULES", "completeness", "freshness", "imports", "quality_report", "validity"]

RULES: dict[str, str] = {
    "reply_before_creation": "s.first_reply_any_s < t.created_s",
    "solve_before_creation": "st.first_solve_s < t.created_s",
    "solved_at_without_solve": "t.solved_at IS NOT NULL AND coalesce(st.solves, 0) = 0",
    "status_contradicts_events": f"st.status_now IS NOT NULL AND (t.status IN {SOLVED}) <> "
    f"(st.status_now IN {SOLVED})",
    "unknown_channel": "t.raw_channel IS NOT NULL",
    "unknown_priority": "t.raw_priority IS NOT NULL",
}
EXAMPLES = 10


def _filled(table: Table, name: str) -> str:
    column = table.column(name)
    if column.type in ("string", "enum", "json"):
        return f"count(CASE WHEN coalesce(\"{name}\", '') <> '' THEN 1 END)"
    return f'count("{name}")'


def completeness(ws: Workspace) -> pd.DataFrame:
    """Share of non-empty values per column of every table that has rows."""
    frames = []
    for table in TABLES.values():
        cols = ", ".join(f'{_filled(table, c)} AS "{c}"' for c in table.names)
        row = run_sql(ws.store, f'SELECT count(*) AS so_rows, {cols} FROM "{table.name}"')
        first: dict[str, Any] = {str(k): v for k, v in row.iloc[0].items()}
        rows = int(first["so_rows"])
        if rows == 0:
            continue
        filled = [int(first[c]) for c in table.names]
        frames.append(
            pd.DataFrame(
                {
                    "table": table.name,
                    "column": table.names,
                    "filled": filled,
                    "rows": rows,
                    "completeness": [f / rows for f in filled],
                }
            )
        )
    columns = ["table", "column", "filled", "rows", "completeness"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _validity_sql(ws: Workspace) -> str:
    options = FactOptions(calendar=calendar_sql(ws.config))
    library = fact_ctes(options)
    ctes = ", ".join(
        f"{c.name} AS ({c.sql})"
        for c in with_ctes({"so_tickets", "so_start", "so_status"}, library)
    )
    flags = " UNION ALL ".join(
        f"SELECT '{rule}' AS rule, t.source, t.ticket_id FROM so_tickets t LEFT JOIN so_start s "
        "ON s.source = t.source AND s.ticket_id = t.ticket_id LEFT JOIN so_status st ON "
        f"st.source = t.source AND st.ticket_id = t.ticket_id WHERE {cond}"
        for rule, cond in RULES.items()
    )
    return (
        f"WITH {ctes}, so_flags AS ({flags}) SELECT rule, source, ticket_id, count(*) "
        "OVER (PARTITION BY rule) AS tickets, row_number() OVER (PARTITION BY rule ORDER "
        "BY source, ticket_id) AS n FROM so_flags"
    )


def validity(ws: Workspace) -> pd.DataFrame:
    """One row per failed rule: how many tickets fail it and the first ones (examples)."""
    rows = run_sql(ws.store, f"SELECT * FROM ({_validity_sql(ws)}) x WHERE n <= {EXAMPLES}")
    out = []
    for rule in RULES:
        hits = rows[rows["rule"] == rule]
        if len(hits):
            examples = [f"{s}:{t}" for s, t in zip(hits["source"], hits["ticket_id"], strict=True)]
            out.append(
                {
                    "rule": rule,
                    "tickets": int(hits["tickets"].iloc[0]),
                    "examples": ", ".join(examples),
                }
            )
    return pd.DataFrame(out, columns=["rule", "tickets", "examples"])


def freshness(ws: Workspace, now: datetime | None = None) -> pd.DataFrame:
    """Per source: the newest event (or ticket creation) and how long ago it was, seconds."""
    moment = (now or datetime.now(UTC)).timestamp()
    return run_sql(
        ws.store,
        (
            "SELECT source, to_timestamp(max(at_s)) AS newest, $now - max(at_s) AS age_seconds "
            'FROM (SELECT source, epoch("at") AS at_s FROM events UNION ALL '
            "SELECT source, epoch(created_at) FROM tickets) x GROUP BY source ORDER BY source"
        ),
        {"now": moment},
    )


def imports(ws: Workspace) -> pd.DataFrame:
    """Per import: rows read, imported, updated, duplicates merged, quarantined."""
    return run_sql(
        ws.store,
        'SELECT import_id, "at", rows_read, imported, updated, '
        'duplicates, quarantined FROM imports ORDER BY "at"',
    )


def _quarantined(ws: Workspace) -> dict[str, int]:
    rows = run_sql(ws.store, "SELECT table_name, count(*) AS n FROM quarantine GROUP BY 1")
    return {str(name): int(n) for name, n in zip(rows["table_name"], rows["n"], strict=True)}


def scores(ws: Workspace, complete: pd.DataFrame, valid: pd.DataFrame) -> pd.DataFrame:
    """A score in [0, 1] per table (see the module docstring)."""
    quarantined = _quarantined(ws)
    out = []
    for name, part in complete.groupby("table", sort=False):
        rows = int(part["rows"].iloc[0])
        kept = rows / (rows + quarantined.get(str(name), 0))
        share_valid = 1.0
        if name == "tickets":
            bad = _invalid(ws)
            share_valid = 1 - bad / rows
        score = float(part["completeness"].mean()) * kept * share_valid
        out.append(
            {
                "table": name,
                "rows": rows,
                "completeness": part["completeness"].mean(),
                "quarantined": quarantined.get(str(name), 0),
                "valid": share_valid,
                "score": score,
            }
        )
    return pd.DataFrame(out)


def _invalid(ws: Workspace) -> int:
    found = run_sql(
        ws.store,
        f"SELECT count(DISTINCT source || ':' || ticket_id) AS n FROM ({_validity_sql(ws)}) x",
    )
    return int(found["n"].to_numpy()[0])


def quality_report(ws: Workspace, now: datetime | None = None) -> dict[str, Any]:
    """Every section of ``supportops quality`` as a DataFrame."""
    complete = completeness(ws)
    valid = validity(ws)
    return {
        "scores": scores(ws, complete, valid),
        "completeness": complete,
        "validity": valid,
        "freshness": freshness(ws, now),
        "imports": imports(ws),
    }
