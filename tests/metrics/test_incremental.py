"""The incremental refresh equals a full refresh, row for row, after random changes to a demo
store: new events, status changes, new, edited and deleted tickets, new survey answers, with
the clock standing still or moving on — on DuckDB and PostgreSQL."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from supportops.cli.workspace import write_config
from supportops.demo.generator import generate
from supportops.instants import FrozenClock
from supportops.metrics.drilldown import iter_tickets
from supportops.metrics.incremental import refresh_changed, refresh_tickets
from supportops.metrics.materialize import (
    ANSWERS,
    FACTS,
    LAYOUT,
    SPANS,
    STATE,
    TIMELINE,
    fact_options,
    is_fresh,
    materialised,
    refresh_facts,
)
from supportops.metrics.sla_source import JOINED, SNAPSHOT_STATE, STORED
from supportops.model.importer import import_batches
from supportops.model.schema import TABLES
from supportops.store.base import PENDING
from supportops.workspace import Workspace

from .eventlog import arrow_rows

MATERIALISED = (FACTS, TIMELINE, SPANS, ANSWERS, STORED, JOINED, STATE, SNAPSHOT_STATE)
Key = tuple[str, str]


def _streams(tickets: int, seed: int) -> Iterator[tuple[str, str, Any, tuple[str, ...]]]:
    for i, chunk in enumerate(generate(tickets=tickets, seed=seed)):
        for name, table in chunk.items():
            yield name, f"chunk {i}", iter(table.to_batches()), ()


@pytest.fixture
def demo(engine: str, tmp_path: Path) -> Iterator[Workspace]:
    """A 300-ticket demo workspace (its config: SLA policies, calendars) on the engine under
    test, its clock an hour after the newest event, its tables materialised."""
    write_config(tmp_path, "supportops.yaml", "supportops.demo", force=False)
    if engine != "duckdb":
        with (tmp_path / "supportops.yaml").open("a", encoding="utf-8") as out:
            out.write(f"\nstore: {engine}\n")
    ws = Workspace(tmp_path)
    import_batches(ws.store, _streams(300, 11), source="demo")
    newest: datetime = ws.store.scalar('SELECT max("at") FROM events')
    ws.clock = FrozenClock(newest + timedelta(hours=1))
    refresh_facts(ws)
    yield ws
    ws.close()


def _rows(ws: Workspace, table: str) -> list[tuple[str, ...]]:
    """Every row of ``table`` as text, sorted (``so_row`` aside: see the module docstring of
    :mod:`supportops.metrics.incremental`)."""
    found = ws.store.arrow(f"SELECT * FROM {table}")
    if "so_row" in found.column_names:
        found = found.drop_columns(["so_row"])
    names = found.column_names
    return sorted(tuple(f"{n}={row[n]!r}" for n in names) for row in found.to_pylist())


def _tickets(ws: Workspace) -> list[dict[str, Any]]:
    return ws.store.arrow("SELECT * FROM tickets ORDER BY source, ticket_id").to_pylist()


def _event(ticket: dict[str, Any], at: datetime, n: int, **row: Any) -> dict[str, Any]:
    return {"source": ticket["source"], "ticket_id": ticket["ticket_id"], "at": at} | {
        "event_id": f"change-{n}",
        **row,
    }


def _change(ws: Workspace, rng: random.Random, until: datetime) -> set[Key]:
    """Random changes to the store up to ``until``; the tickets they touched."""
    tickets = _tickets(ws)
    picked = rng.sample(tickets, 24)
    changed: set[Key] = set()
    events, edited, surveys = [], [], []
    for ticket in picked[:8]:  # a reply, a customer message, a status change
        n = rng.randrange(10**9)
        at = ticket["created_at"] + (until - ticket["created_at"]) * rng.random()
        kind = rng.choice(["agent", "customer", "status"])
        if kind == "status":
            status = rng.choice(["open", "pending", "solved", "closed"])
            events.append(_event(ticket, at, n, kind="status", actor="agent", value=status))
            edited.append(ticket | {"status": status})
        else:
            events.append(_event(ticket, at, n, kind="message", actor=kind, public=True))
    for ticket in picked[8:12]:  # edited fields: another priority, another group
        edited.append(ticket | {"priority": rng.choice(["low", "urgent"]), "group": "tier2"})
    for n in range(4):  # new tickets, created before ``until``, some already answered
        created = until - timedelta(minutes=rng.randint(0, 600))
        name = f"NEW-{rng.randrange(10**9)}"
        ticket = picked[0] | {"ticket_id": name, "created_at": created, "status": "open"}
        ticket |= {"solved_at": None}
        edited.append(ticket)
        if n % 2:
            at = created + (until - created) / 2
            events.append(_event(ticket, at, rng.randrange(10**9), kind="message", actor="agent"))
    for ticket in picked[12:16]:  # survey answers
        at = ticket["created_at"] + timedelta(days=1)
        surveys.append(
            {"source": ticket["source"], "ticket_id": ticket["ticket_id"]}
            | {"survey": "csat", "at": at, "score": float(rng.randint(1, 5))}
        )
    if edited:
        ws.store.upsert(TABLES["tickets"], _plain(ws, "tickets", edited))
    if events:
        ws.store.upsert(TABLES["events"], arrow_rows("events", events, {}))
    ws.store.upsert(TABLES["surveys"], arrow_rows("surveys", surveys, {}))
    for i, ticket in enumerate(picked[16:24]):  # deleted: the ticket, its events, some answers
        tables = ("tickets", "events") + (("surveys",) if i % 2 else ())
        for table in tables:
            ws.store.execute(
                f"DELETE FROM {table} WHERE source = ? AND ticket_id = ?",
                [ticket["source"], ticket["ticket_id"]],
            )
    for row in [*edited, *events, *surveys, *picked[16:24]]:
        changed.add((row["source"], row["ticket_id"]))
    return changed


def _plain(ws: Workspace, name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """``rows`` of the store's table ``name`` (read from it, edited) as Arrow, in its types."""
    schema = ws.store.arrow(f"SELECT * FROM {name} LIMIT 0").schema
    return pa.Table.from_pylist(rows, schema=schema).select(TABLES[name].stored)


@pytest.mark.parametrize("minutes", [0, 7, 3 * 24 * 60])
def test_incremental_refresh_equals_a_full_refresh(demo: Workspace, minutes: int) -> None:
    rng = random.Random(minutes)
    now = demo.clock.now() + timedelta(minutes=minutes)
    for _ in range(2):  # two rounds: the second builds on rows the first refresh wrote
        changed = _change(demo, rng, now - timedelta(minutes=1))
        demo.clock = FrozenClock(now)
        done = refresh_tickets(demo, sorted(changed))
        assert not done.full and done.tickets == len(changed)
        assert is_fresh(demo)
        incremental = {table: _rows(demo, table) for table in MATERIALISED}
        numbers = demo.store.arrow(f"SELECT so_row FROM {FACTS}").column("so_row").to_pylist()
        assert len(set(numbers)) == len(numbers) == demo.store.count("tickets")
        drilled = sum(part.num_rows for part in iter_tickets(demo, chunk=50))
        assert drilled == demo.store.count("tickets")  # every range of so_row is read
        refresh_facts(demo)
        for table in MATERIALISED:
            assert incremental[table] == _rows(demo, table), table
        now += timedelta(minutes=minutes)


def test_when_only_the_clock_moves_metric_sla_is_rewritten_for_the_breaches_alone(
    demo: Workspace,
) -> None:
    """Every ticket with a running clock is evaluated again, but ``metric_sla`` keeps no
    elapsed time: its rows change only for the tickets with an instance that breached since
    (active, due before the new instant), and the tables still equal a full refresh."""
    later = demo.clock.now() + timedelta(days=3)
    per_ticket = (
        f"SELECT count(*) FROM {STORED} x WHERE (x.source, x.ticket_id) IN "
        f"(SELECT source, ticket_id FROM {STORED} WHERE "
    )
    running = demo.store.scalar(per_ticket + "stopped_at IS NULL)")
    breaching = demo.store.scalar(per_ticket + "status = 'active' AND due_at < ?)", [later])
    assert running > breaching > 0
    demo.clock = FrozenClock(later)
    done = refresh_tickets(demo, [])
    assert not done.full and (done.rows[STORED], done.rows[JOINED]) == (running, breaching)
    incremental = {table: _rows(demo, table) for table in MATERIALISED}
    refresh_facts(demo)
    for table in MATERIALISED:
        assert incremental[table] == _rows(demo, table), table


def test_without_built_tables_the_full_refresh_runs(demo: Workspace) -> None:
    demo.store.execute(f"DROP TABLE {STATE}")
    done = refresh_tickets(demo, [("demo", "T-1")])
    assert done.full and done.rows[FACTS] == demo.store.count("tickets")
    assert is_fresh(demo)


def test_an_import_notes_its_tickets_and_the_refresh_reads_only_those(demo: Workspace) -> None:
    picked = _tickets(demo)[:5]
    at = demo.clock.now() - timedelta(minutes=5)
    events = [
        _event(t, at, n, kind="message", actor="customer", public=True)
        for n, t in enumerate(picked)
    ]
    table = arrow_rows("events", events, {})
    streams = iter([("events", "new events", iter(table.to_batches()), ())])
    report = import_batches(demo.store, streams)
    assert report.changed is not None and report.changed.num_rows == 5
    assert demo.store.count(PENDING) == 5 and not is_fresh(demo)
    later = [
        _event(t, at, 10 + n, kind="message", actor="customer", public=True)
        for n, t in enumerate(picked[:3])
    ]
    again = arrow_rows("events", later, {})
    import_batches(demo.store, iter([("events", "again", iter(again.to_batches()), ())]))
    assert demo.store.count(PENDING) == 5  # a ticket changed twice is noted once
    done = refresh_changed(demo)
    assert not done.full and done.tickets == 5 and demo.store.count(PENDING) == 0
    incremental = {table: _rows(demo, table) for table in MATERIALISED}
    assert refresh_changed(demo, full=True).full
    assert incremental == {table: _rows(demo, table) for table in MATERIALISED}


def test_stale_tables_with_no_noted_change_are_rebuilt(demo: Workspace) -> None:
    row = _tickets(demo)[0] | {"ticket_id": "written-directly"}
    demo.store.upsert(TABLES["tickets"], _plain(demo, "tickets", [row]))  # not noted
    assert not is_fresh(demo)
    assert refresh_changed(demo).full and is_fresh(demo)


def test_tables_built_by_a_version_of_another_layout_are_built_again(demo: Workspace) -> None:
    stated = json.loads(demo.store.scalar(f"SELECT options FROM {STATE}"))
    assert stated["layout"] == LAYOUT
    older = json.dumps(stated | {"layout": LAYOUT - 1})
    demo.store.execute(f"UPDATE {STATE} SET options = ?", [older])
    assert materialised(demo, fact_options(demo)) == ()  # queries do not read them
    done = refresh_tickets(demo, [("demo", "T-1")])
    assert done.full and json.loads(demo.store.scalar(f"SELECT options FROM {STATE}")) == stated
    assert materialised(demo, fact_options(demo)) != ()
