"""What the store holds, in a few plain questions: rows per channel, the newest event and ticket,
the values a filter can take, the version of the data, and the quarantined rows.

The web pages and the CLI ask these; the SQL lives here, not in them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from supportops.store import Store

__all__ = [
    "data_version",
    "distinct_values",
    "newest_event",
    "newest_ticket_day",
    "quarantined_rows",
    "tickets_per_channel",
]


def data_version(store: Store) -> tuple[Any, ...]:
    """What changes when the event log does: the count of imports and the newest one's time."""
    sql = 'SELECT count(*) AS n, CAST(max("at") AS VARCHAR) AS at FROM imports'
    row = store.arrow(sql).to_pylist()[0]
    return (row["n"], row["at"])


def newest_event(store: Store) -> datetime | None:
    """The newest event's instant: the 'now' of a log that stopped arriving."""
    value = store.scalar('SELECT max("at") FROM events')
    return value if isinstance(value, datetime) else None


def newest_ticket_day(store: Store) -> date | None:
    """The (UTC) day the newest ticket was created, or None without tickets."""
    value = store.query("SELECT CAST(max(created_at) AS DATE) AS d FROM tickets").iloc[0, 0]
    return value if isinstance(value, date) else None


def distinct_values(store: Store, column: str) -> list[str]:
    """The values of the tickets' ``column`` (a schema column name), sorted, without NULL."""
    sql = f'SELECT DISTINCT "{column}" AS v FROM tickets WHERE "{column}" IS NOT NULL'
    frame = store.query(sql)
    return sorted(str(v) for v in frame["v"])


def tickets_per_channel(store: Store) -> dict[Any, Any]:
    """Tickets per channel (as the engine returns them), the largest first."""
    frame = store.query("SELECT channel, count(*) AS n FROM tickets GROUP BY 1 ORDER BY 2 DESC")
    return dict(zip(frame.channel, frame.n, strict=True))


def quarantined_rows(store: Store, import_id: str | None = None, limit: int = 0) -> pd.DataFrame:
    """Quarantined rows (of ``import_id`` only, when given), the latest import first, then by
    file and row; at most ``limit`` rows (0: all)."""
    sql = (
        'SELECT q.import_id, q.table_name, q.file, CAST(q."row" AS BIGINT) AS "row", '
        'q."column", q.reason, q.record FROM quarantine q LEFT JOIN imports i USING (import_id)'
    )
    params: list[Any] = []
    if import_id:
        sql += " WHERE q.import_id = ?"
        params.append(import_id)
    sql += ' ORDER BY i."at" DESC, q.file, "row"'
    if limit:
        sql += f" LIMIT {int(limit)}"
    return store.query(sql, params)
