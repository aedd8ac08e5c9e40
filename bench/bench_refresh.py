"""Benchmark: ``supportops metrics refresh`` — the full rebuild against its floor, and the
incremental refresh after 100 changed tickets against the full rebuild, in the same run.

    .venv/bin/python bench/bench_refresh.py [TICKETS]     # default 1000000

The demo workspace of TICKETS tickets is built once (``supportops demo``) under
``$REFRESH_BENCH_CACHE`` (default ``/tmp/supportops-bench-refresh``) and copied for each run, so
the changes below never accumulate. DuckDB runs on 2 threads; the clock is frozen a minute after
the newest event (the data's "now"). Figures, all wall time in one process:

1. the floor: one DuckDB pass grouping ``events`` by ticket (count, first and last instant,
   messages) into a table;
2. the full refresh (SLA snapshot, facts, timeline, spans, answers), stage by stage, and its
   ratio to the floor;
3. 100 tickets changed through the importer (a customer message, an agent reply and a status
   change each), then the incremental refresh in the same minute, and its ratio to (2);
4. the same after the clock moved on one minute: every SLA clock still running is then
   evaluated again, and ``metric_sla`` rewritten for the tickets whose instances breached
   since (see :mod:`supportops.metrics.incremental`).
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

CACHE = Path(os.environ.get("REFRESH_BENCH_CACHE", "/tmp/supportops-bench-refresh"))
CHANGED = 100
FLOOR = (
    "CREATE OR REPLACE TEMP TABLE bench_floor AS SELECT source, ticket_id, count(*) AS n, "
    'min("at") AS first_at, max("at") AS last_at, '
    "count(CASE WHEN kind = 'message' THEN 1 END) AS messages FROM events GROUP BY 1, 2"
)


def built(size: int) -> Path:
    """The cached demo workspace of ``size`` tickets (built when missing)."""
    from supportops.cli.demo import build_demo

    folder = CACHE / str(size)
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        build_demo(folder, tickets=size, progress=False)
        (folder / "done").write_text("built\n", encoding="utf-8")
    return folder


def copied(folder: Path) -> Path:
    """A fresh copy of the workspace ``folder`` to change."""
    target = CACHE / "run"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("done"))
    return target


def timed(step: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = step()
    return time.perf_counter() - start, out


def change(ws: Any, rng: random.Random, at: datetime) -> None:
    """New events for ``CHANGED`` random tickets, imported like any file."""
    from supportops.model.importer import import_batches

    picked = ws.store.arrow(
        f"SELECT source, ticket_id FROM tickets USING SAMPLE {CHANGED} ROWS (reservoir, "
        f"{rng.randrange(10**6)})"
    ).to_pylist()
    rows: list[dict[str, Any]] = []
    for n, key in enumerate(picked):
        for i, (kind, actor, value) in enumerate(
            (("message", "customer", None), ("message", "agent", None), ("status", "agent", "open"))
        ):
            moment = at - timedelta(seconds=30 - i)
            rows.append(
                {
                    **key,
                    "at": moment,
                    "kind": kind,
                    "actor": actor,
                    "public": True,
                    "value": value,
                    "event_id": f"bench-{at:%H%M}-{n}-{i}",
                }
            )
    table = pa.Table.from_pylist(rows)

    def streams() -> Iterator[tuple[str, str, Iterator[pa.RecordBatch], tuple[str, ...]]]:
        yield "events", "bench changes", iter(table.to_batches()), ()

    import_batches(ws.store, streams())


def stages_line(seconds: dict[str, float]) -> str:
    return ", ".join(f"{name} {s:.2f}" for name, s in seconds.items())


def main(size: int) -> None:
    from supportops.instants import FrozenClock
    from supportops.metrics.incremental import refresh_changed
    from supportops.metrics.materialize import Stages, refresh_facts
    from supportops.workspace import Workspace

    folder = copied(built(size))
    ws = Workspace.open(folder)
    ws.store.execute("SET threads = 2")
    newest: datetime = ws.store.scalar('SELECT max("at") FROM events')
    now = newest.replace(second=0, microsecond=0) + timedelta(minutes=1)
    ws.clock = FrozenClock(now)
    tickets, events = ws.store.count("tickets"), ws.store.count("events")
    print(f"{tickets:,} tickets, {events:,} events, DuckDB on 2 threads, clock {now:%F %H:%M}")

    floor = min(timed(lambda: ws.store.execute(FLOOR))[0] for _ in range(3))
    print(f"floor (events grouped by ticket, best of 3): {floor:8.2f} s")
    stages = Stages()
    full, _ = timed(lambda: refresh_facts(ws, stages=stages))
    print(f"full refresh: {full:8.2f} s = {full / floor:.0f}x the floor")
    print(f"  stages: {stages_line(stages.seconds)}")

    rng = random.Random(0)
    for label, moved in (("same minute", timedelta(0)), ("clock +1 minute", timedelta(minutes=1))):
        at = now + moved
        ws.clock = FrozenClock(at)
        start = time.perf_counter()
        change(ws, rng, at)
        spent_import = time.perf_counter() - start
        steps = Stages()
        start = time.perf_counter()
        done = refresh_changed(ws, stages=steps)
        spent = time.perf_counter() - start
        assert not done.full, "the incremental refresh fell back to the full one"
        print(
            f"incremental, {CHANGED} tickets changed, {label}: {spent:.2f} s; "
            f"full / incremental = {full / spent:.0f}x (the import {spent_import:.2f} s; "
            f"{done.summary()})"
        )
        print(f"  stages: {stages_line(steps.seconds)}")
    ws.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
