"""Data quality: completeness per column, validity findings with the tickets that fail,
freshness per source, duplicates merged and rows quarantined on import; a score per table.

A table's score is the mean completeness of its columns, times the share of rows read that were
not quarantined, times (for ``tickets``) the share of valid tickets — 1 is perfect.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from supportops.metrics.clock import calendar_sql
from supportops.metrics.compiler import run_sql, with_ctes
from supportops.metrics.facts import SOLVED, Cte, FactOptions, fact_ctes
from supportops.model.schema import TABLES, Table

if TYPE_CHECKING:
    from supportops.workspace import Workspace

__all__ = ["RULES", "completeness", "freshness", "imports", "quality_report", "validity"]

RULES: dict[str, str] = {  # SQL on a ticket's facts row ``r`` (see :func:`_checked`)
    "reply_before_creation": "r.first_reply_any_s < r.created_s",
    "solve_before_creation": "r.first_solve_s < r.created_s",
    "solved_at_without_solve": "r.solved_at IS NOT NULL AND r.solves = 0",
    # solved or closed with no status events and no solved_at: when it was solved is unknown
    "solved_without_solve_time": f"r.status_now IN {SOLVED} AND r.solves = 0",
    "status_contradicts_events": f"(r.status IN {SOLVED}) <> (r.status_now IN {SOLVED})",
    "unknown_channel": "r.raw_channel IS NOT NULL",
    "unknown_priority": "r.raw_priority IS NOT NULL",
}
EXAMPLES = 10


def _filled(table: Table, name: str) -> str:
    """SQL: how many rows have a value — for text, not empty either (counted as the values
    less the empty ones: the engine counts values without reading them)."""
    column = table.column(name)
    if column.type in ("string", "enum", "json"):
        return f'count("{name}") - count(CASE WHEN "{name}" = \'\' THEN 1 END)'
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


_ANY = ""  # the pseudo-rule of the tickets failing any rule
_CHECKED = (
    "SELECT t.*, s.first_reply_any_s, st.first_solve_s, coalesce(st.solves, 0) AS solves, "
    "coalesce(st.status_now, t.status) AS status_now FROM so_tickets t "
    "LEFT JOIN so_start s ON s.source = t.source AND s.ticket_id = t.ticket_id "
    "LEFT JOIN so_status st ON st.source = t.source AND st.ticket_id = t.ticket_id"
)


def _checked(ws: Workspace) -> str:
    """CTEs ending in ``so_checked``: one row per ticket with the columns :data:`RULES` read —
    the materialised facts when fresh, else just the fact CTEs they come from."""
    from supportops.metrics.drilldown import stored_facts
    from supportops.metrics.materialize import FACTS

    if stored_facts(ws):
        return f"so_checked AS (SELECT * FROM {FACTS})"
    library = fact_ctes(FactOptions(calendar=calendar_sql(ws.config)))
    library["so_checked"] = Cte("so_checked", _CHECKED, ("so_tickets", "so_start", "so_status"))
    return ", ".join(f"{c.name} AS ({c.sql})" for c in with_ctes({"so_checked"}, library))


def _findings(ws: Workspace) -> tuple[pd.DataFrame, int]:
    """Per failed rule: how many tickets fail it and the first ones; and how many tickets fail
    any rule (for the score) — all in one query."""
    checks = {**RULES, _ANY: " OR ".join(f"({cond})" for cond in RULES.values())}
    flags = " UNION ALL ".join(
        f"SELECT '{rule}' AS rule, r.source, r.ticket_id FROM so_checked r WHERE {cond}"
        for rule, cond in checks.items()
    )
    sql = (
        f"WITH {_checked(ws)}, so_flags AS ({flags}) SELECT * FROM (SELECT rule, source, "
        "ticket_id, count(*) OVER (PARTITION BY rule) AS tickets, row_number() OVER "
        "(PARTITION BY rule ORDER BY source, ticket_id) AS n FROM so_flags) x "
        f"WHERE n <= {EXAMPLES}"
    )
    rows = run_sql(ws.store, sql)
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
    failing = rows[rows["rule"] == _ANY]["tickets"]
    frame = pd.DataFrame(out, columns=["rule", "tickets", "examples"])
    return frame, int(failing.iloc[0]) if len(failing) else 0


def validity(ws: Workspace) -> pd.DataFrame:
    """One row per failed rule: how many tickets fail it and the first ones (examples)."""
    return _findings(ws)[0]


def freshness(ws: Workspace, now: datetime | None = None) -> pd.DataFrame:
    """Per source: the newest event (or ticket creation) and how long ago it was, seconds."""
    moment = (now or ws.clock.now()).timestamp()
    return run_sql(
        ws.store,
        (
            "SELECT source, to_timestamp(epoch(max(m))) AS newest, $now - epoch(max(m)) "
            'AS age_seconds FROM (SELECT source, max("at") AS m FROM events GROUP BY source '
            "UNION ALL SELECT source, max(created_at) FROM tickets GROUP BY source) x "
            "GROUP BY source ORDER BY source"
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


def scores(ws: Workspace, complete: pd.DataFrame, invalid: int) -> pd.DataFrame:
    """A score in [0, 1] per table (see the module docstring); ``invalid``: the tickets failing
    a validity rule."""
    quarantined = _quarantined(ws)
    out = []
    for name, part in complete.groupby("table", sort=False):
        rows = int(part["rows"].iloc[0])
        kept = rows / (rows + quarantined.get(str(name), 0))
        share_valid = 1.0
        if name == "tickets":
            share_valid = 1 - invalid / rows
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


def quality_report(ws: Workspace, now: datetime | None = None) -> dict[str, Any]:
    """Every section of ``supportops quality`` as a DataFrame."""
    complete = completeness(ws)
    valid, invalid = _findings(ws)
    return {
        "scores": scores(ws, complete, invalid),
        "completeness": complete,
        "validity": valid,
        "freshness": freshness(ws, now),
        "imports": imports(ws),
    }
