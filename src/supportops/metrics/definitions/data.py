"""Data quality: completeness, validity, freshness and duplicates merged on import."""

from __future__ import annotations

from supportops.metrics.catalog import Metric
from supportops.metrics.definitions.common import DATA, define
from supportops.model.schema import TABLES

__all__ = ["data_metrics"]


def _completeness() -> str:
    cols = [c for c in TABLES["tickets"].columns if c.name != "custom"]
    parts = [
        f'CASE WHEN "{c.name}" IS NOT NULL THEN 1 ELSE 0 END'
        if c.type in ("timestamp", "list")
        else f"CASE WHEN coalesce(CAST(\"{c.name}\" AS VARCHAR), '') <> '' THEN 1 ELSE 0 END"
        for c in cols
    ]
    return "(" + " + ".join(parts) + f") / {float(len(cols))}"


def _data() -> list[Metric]:
    return [
        define(
            "completeness",
            DATA,
            "rate",
            "tickets",
            _completeness(),
            "Share of non-empty values over the columns of `tickets` (custom excluded); "
            "`supportops quality` shows it per column.",
            "tickets",
        ),
        define(
            "validity",
            DATA,
            "rate",
            "tickets",
            "valid",
            "Share of tickets with no impossible sequence: a reply or solve before creation, "
            "solved_at without a solve event, a solved ticket with no solve instant (no status "
            "events, no solved_at), a status the events contradict.",
            "tickets",
        ),
        define(
            "freshness",
            DATA,
            "seconds",
            "events",
            "at_s",
            "now − the newest event (or ticket creation), per source with `--by source`.",
            "events",
            "the event's at",
            aggregate="$now_s - max({v})",
        ),
        define(
            "duplicates",
            DATA,
            "count",
            "imports",
            "duplicates",
            "Rows merged on import because they were the same ticket or event (table `imports`).",
            "imports",
            "the import's at",
            aggregate="sum({v})",
        ),
    ]


def data_metrics() -> list[Metric]:
    """The metrics of this part of the catalog, in the spec's order: Data quality."""
    return [*_data()]
