"""A store written by an earlier version opens with the columns the event log gained since:
added empty, the rows kept (DuckDB and PostgreSQL)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest

from supportops.store import open_store
from tests.metrics.eventlog import load
from tests.postgres import pg_schema


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_a_store_without_a_newer_column_gains_it_and_keeps_its_rows(
    engine: str, tmp_path: Path
) -> None:
    sessions = [{"session_id": "s1", "started_at": "2026-03-02T10:00:00Z", "outcome": "resolved"}]
    with pg_schema() if engine == "postgres" else nullcontext("duckdb") as url:
        with open_store(url, tmp_path) as store:
            store.ensure_schema()
            load(store, {"tickets": [], "bot_sessions": sessions})
            store.execute('ALTER TABLE "bot_sessions" DROP COLUMN "requester_id"')  # as before
        with open_store(url, tmp_path) as store:
            store.ensure_schema()
            rows = store.arrow('SELECT session_id, requester_id FROM "bot_sessions"').to_pylist()
    assert rows == [{"session_id": "s1", "requester_id": None}]


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_a_ledger_written_before_the_context_column_gains_it_and_keeps_its_actions(
    engine: str, tmp_path: Path
) -> None:
    with pg_schema() if engine == "postgres" else nullcontext("duckdb") as url:
        with open_store(url, tmp_path) as store:
            store.ensure_schema()
            store.execute('ALTER TABLE "rule_actions" DROP COLUMN "context"')  # as before
            store.execute("INSERT INTO rule_actions (action_id, rule) VALUES ('a1', 'vip')")
        with open_store(url, tmp_path) as store:
            store.ensure_schema()
            rows = store.arrow('SELECT action_id, rule, context FROM "rule_actions"').to_pylist()
    assert rows == [{"action_id": "a1", "rule": "vip", "context": None}]
