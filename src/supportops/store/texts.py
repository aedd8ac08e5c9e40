"""What each ticket says, read from the event log: its subject, its first public customer
message and the fields a text model learns to predict, plus the agent time it took.

One query, the same on every engine (standard SQL window functions); merged tickets are left
out, as their story continues in the ticket they were merged into.
"""

from __future__ import annotations

import pandas as pd

from supportops.store.base import Store

__all__ = ["TEXT_COLUMNS", "ticket_texts"]

TEXT_COLUMNS = (
    "source",
    "ticket_id",
    "created_at",
    "status",
    "subject",
    "first_message",
    "group",
    "type",
    "priority",
    "tags",
    "custom",
    "handle_seconds",
)

_SQL = """
SELECT t.source, t.ticket_id, t.created_at, t.status, t.subject, m.body AS first_message,
       t."group", t.type, t.priority, t.tags, CAST(t.custom AS {text}) AS custom,
       COALESCE(w.seconds, 0) AS handle_seconds
FROM tickets t
LEFT JOIN (
    SELECT source, ticket_id, body,
           ROW_NUMBER() OVER (PARTITION BY source, ticket_id ORDER BY "at", event_id) AS n
    FROM events
    WHERE kind = 'message' AND actor = 'customer' AND public AND body IS NOT NULL
) m ON m.source = t.source AND m.ticket_id = t.ticket_id AND m.n = 1
LEFT JOIN (
    SELECT source, ticket_id, SUM(seconds) AS seconds FROM work
    WHERE ticket_id IS NOT NULL GROUP BY source, ticket_id
) w ON w.source = t.source AND w.ticket_id = t.ticket_id
WHERE t.merged_into IS NULL
ORDER BY t.created_at, t.source, t.ticket_id
"""


def ticket_texts(store: Store) -> pd.DataFrame:
    """One row per (unmerged) ticket, oldest first, with the columns of :data:`TEXT_COLUMNS`."""
    text_type = store.capabilities.types["string"]
    frame = store.query(_SQL.format(text=text_type))
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["handle_seconds"] = frame["handle_seconds"].astype(float)
    return frame
