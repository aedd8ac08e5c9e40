"""Benchmark: one condition over a million tickets — the mask, the SQL on DuckDB, a row loop.

The tickets are random (priority, channel, assignee, created_at, tags, a custom JSON field); each
condition is evaluated as the SLA engine does (a mask over the ticket frame), as the stores do
(its SQL predicate over a DuckDB table of the same rows), and by a plain loop over rows in Python
(the obvious alternative) timed on a sample and scaled. All three must select the same rows.

Run: ``.venv/bin/python bench/bench_conditions.py [tickets] [sample]``
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from supportops.conditions import Columns, mask, parse_condition, to_sql
from supportops.metrics.compiler import Compiled, parse, render
from supportops.sla.store import ticket_frame

CONDITIONS: list[dict[str, Any]] = [
    {"priority": ["high", "urgent"], "tags": ["vip"]},
    {
        "any": [{"assignee_id": "a1"}, {"not": {"channel": "chat"}}],
        "created_at": {"ge": "2025-06-01"},
    },
    {"field": "custom.seats", "ge": 100},
]


def tickets(count: int, seed: int = 2026) -> pa.Table:
    rng = np.random.default_rng(seed)
    seats = rng.integers(0, 300, count)
    return pa.table(
        {
            "ticket_id": pa.array(np.arange(count).astype(str)),
            "priority": pa.array(rng.choice(["low", "normal", "high", "urgent"], count)),
            "channel": pa.array(rng.choice(["email", "chat", "phone"], count)),
            "assignee_id": pa.array(rng.choice([f"a{i}" for i in range(50)], count)),
            "created_at": pa.array(
                pd.date_range("2025-01-01", periods=count, freq="30s", tz="UTC")
            ),
            "tags": pa.array(
                [["vip"] if i % 7 == 0 else ["x"] for i in range(count)], pa.list_(pa.string())
            ),
            "custom": pa.array([f'{{"seats": {s}}}' for s in seats]),
        }
    )


def by_row(raw: dict[str, Any], row: dict[str, Any]) -> bool:
    """The condition read literally for one row (the three shapes above)."""
    if "any" in raw:
        either = row["assignee_id"] == "a1" or row["channel"] != "chat"
        return either and row["created_at"] >= pd.Timestamp("2025-06-01", tz="UTC")
    if "field" in raw:
        return bool(json.loads(row["custom"])["seats"] >= 100)
    return row["priority"] in ("high", "urgent") and "vip" in row["tags"]


def main(count: int, sample: int) -> None:
    table = tickets(count)
    frame = ticket_frame(table)
    con = duckdb.connect()
    con.register("tickets", table)
    rows = table.slice(0, sample).to_pylist()
    print(f"{count:,} tickets; the row loop timed on {sample:,} and scaled")
    print(f"{'condition':52} {'mask':>9} {'duckdb sql':>11} {'row loop':>10}")
    for raw in CONDITIONS:
        cond = parse_condition(raw)
        began = time.perf_counter()
        selected = mask(cond, frame)
        masked = time.perf_counter() - began
        params: dict[str, Any] = {}
        text = f"SELECT t.ticket_id FROM tickets t WHERE {to_sql(cond, Columns('t'), params)}"
        sql, values = render(Compiled(parse(text), params), "duckdb")
        began = time.perf_counter()
        found = con.sql(sql, params=values).to_arrow_table()
        queried = time.perf_counter() - began
        began = time.perf_counter()
        looped = [by_row(raw, row) for row in rows]
        loop = (time.perf_counter() - began) * count / sample
        assert found.num_rows == int(selected.sum()), raw
        assert looped == selected[:sample].tolist(), raw
        print(
            f"{json.dumps(raw)[:52]:52} {masked * 1e3:7.0f}ms {queried * 1e3:9.0f}ms {loop:9.1f}s"
        )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 1_000_000, args[1] if len(args) > 1 else 20_000)
