"""A stored SLA snapshot answers every later instant exactly as the engine does, and is set
aside when the data, the policies or the instant asked do not fit it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from supportops.cli.workspace import write_config
from supportops.metrics.compiler import run_sql
from supportops.metrics.materialize import refresh_facts
from supportops.metrics.sla_source import (
    JOINED,
    STORED,
    TEMP,
    sla_table,
    snapshot_at,
    status_sql,
    store_snapshot,
)
from supportops.model.importer import import_files
from supportops.model.schema import TABLES
from supportops.sla import evaluate_workspace
from supportops.workspace import Workspace
from tests.metrics.eventlog import arrow_rows
from tests.web.workspace_data import write_event_log


@pytest.fixture
def ws(make_ws: Any, tmp_path: Path) -> Workspace:
    """400 tickets over January–February 2024 with the default SLA policies, on each engine."""
    write_config(tmp_path / "init", "supportops.yaml", "supportops.templates", force=False)
    config = yaml.safe_load((tmp_path / "init" / "supportops.yaml").read_text(encoding="utf-8"))
    config.pop("store", None)
    workspace: Workspace = make_ws(config=config)
    import_files(workspace.store, [write_event_log(tmp_path / "files")])
    assert workspace.config.sla_policies, "the default config must carry SLA policies"
    return workspace


def _newest(ws: Workspace) -> datetime:
    newest: datetime = ws.store.scalar('SELECT max("at") FROM events')
    return newest


def _engine_counts(ws: Workspace, moment: datetime) -> pd.Series:
    found = evaluate_workspace(ws, moment)
    frame = pd.DataFrame({"target": found["target"].astype(str), "status": found["status"]})
    return frame.astype(str).value_counts().sort_index()


def _snapshot_counts(ws: Workspace, moment: datetime) -> pd.Series:
    sql = (
        f"SELECT CAST(target AS VARCHAR) AS target, {status_sql('i', '$now')} AS status "
        f"FROM {STORED} i"
    )
    frame = run_sql(ws.store, sql, {"now": moment.timestamp()})
    return frame.astype(str).value_counts().sort_index()


def test_a_snapshot_advanced_to_a_later_instant_equals_the_engine_then(ws: Workspace) -> None:
    taken = _newest(ws) + timedelta(minutes=30)
    store_snapshot(ws, evaluate_workspace(ws, taken), taken)
    assert snapshot_at(ws) == taken
    for later in (timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=30)):
        moment = taken + later
        expected = _engine_counts(ws, moment)
        assert (expected.index.get_level_values("status") == "active").any() or later
        pd.testing.assert_series_equal(_snapshot_counts(ws, moment), expected, check_names=False)


def test_an_active_target_is_breached_only_after_its_due_instant(ws: Workspace) -> None:
    taken = _newest(ws) + timedelta(minutes=30)
    found = evaluate_workspace(ws, taken)
    store_snapshot(ws, found, taken)
    due = found.loc[found["status"] == "active", "due_at"].dropna().min().to_pydatetime()
    for moment in (due, due + timedelta(seconds=1)):
        expected = _engine_counts(ws, moment)
        pd.testing.assert_series_equal(_snapshot_counts(ws, moment), expected, check_names=False)


def test_sla_metrics_read_the_snapshot_and_agree_with_the_engine(ws: Workspace) -> None:
    taken = _newest(ws) + timedelta(hours=1)
    moment = taken + timedelta(days=2)
    engine = ws.metrics(["sla_achieved_rate", "sla_breaches", "sla_active"], as_of=moment)
    store_snapshot(ws, evaluate_workspace(ws, taken), taken)
    assert sla_table(ws, moment, True) == JOINED
    stored = ws.metrics(["sla_achieved_rate", "sla_breaches", "sla_active"], as_of=moment)
    pd.testing.assert_frame_equal(stored, engine)


def test_an_instant_before_the_snapshot_is_evaluated_by_the_engine(ws: Workspace) -> None:
    taken = _newest(ws) + timedelta(hours=1)
    store_snapshot(ws, evaluate_workspace(ws, taken), taken)
    assert sla_table(ws, taken - timedelta(seconds=1), True) == TEMP


def test_new_events_make_the_snapshot_stale(ws: Workspace) -> None:
    refresh_facts(ws)
    assert snapshot_at(ws) is not None
    event = {
        "event_id": "late-1",
        "ticket_id": "T00001",
        "at": "2030-01-01T00:00:00Z",
        "kind": "message",
        "actor": "customer",
    }
    ws.store.upsert(TABLES["events"], arrow_rows("events", [event], {}))
    assert snapshot_at(ws) is None


def test_a_snapshot_older_than_the_newest_event_is_not_advanced(ws: Workspace) -> None:
    taken = _newest(ws) - timedelta(hours=1)
    store_snapshot(ws, evaluate_workspace(ws, taken), taken)
    assert snapshot_at(ws) is None
    assert ws.store.count(STORED) > 0  # still stored, for SQL of its own


def test_other_policies_make_the_snapshot_stale(ws: Workspace) -> None:
    taken = _newest(ws) + timedelta(hours=1)
    store_snapshot(ws, evaluate_workspace(ws, taken), taken)
    policies = list(ws.config.sla_policies)
    ws.config = ws.config.model_copy(update={"sla_policies": policies[1:]})
    assert snapshot_at(ws) is None
