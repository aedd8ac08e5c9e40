"""SLA policies' ``when`` in the config file, and the two places that read it: the engine's mask
(which policy applies) and the metrics' SQL (which calendar applies), on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from supportops.config import load_config, parse_config
from supportops.errors import ConditionError
from supportops.metrics.clock import calendar_sql
from supportops.metrics.compiler import run_sql
from supportops.sla.policy import match_policies
from supportops.sla.store import load_inputs
from supportops.store import Store, open_store
from tests.metrics.eventlog import load
from tests.postgres import pg_schema

CONFIG = """\
calendars:
  lead: {always_open: true}
  fast: {always_open: true}
  standard: {always_open: true}
  custom: {always_open: true}
sla_policies:
  - name: lead-agent
    when: {assignee_id: a-lead}
    calendar: lead
    targets: {first_reply: 30m}
  - name: urgent-or-vip
    when: {any: [{priority: urgent}, {tags: [vip]}]}
    calendar: fast
    targets: {first_reply: 1h}
  - name: big-plans
    when: {custom.seats: {ge: 100}, not: {source: zendesk}}
    calendar: custom
    targets: {first_reply: 2h}
  - name: not-chat
    when: {not: {channel: [chat, phone]}, created_at: {lt: 2026-03-03}}
    calendar: standard
    targets: {first_reply: 4h}
"""
TICKETS = [
    {"ticket_id": "c1", "channel": "chat", "priority": "urgent", "assignee_id": "a-lead"},
    {"ticket_id": "c2", "channel": "chat", "priority": "low", "tags": ["vip"]},
    {"ticket_id": "c3", "channel": "email", "priority": "urgent", "assignee_id": "a2"},
    {"ticket_id": "c4", "channel": "email", "custom": '{"seats": 120}'},
    {"ticket_id": "c5", "channel": "email", "custom": '{"seats": 120}', "source": "zendesk"},
    {"ticket_id": "c6", "channel": "chat", "priority": "low"},
    {"ticket_id": "c7", "channel": "web", "created_at": "2026-03-04T09:00:00Z"},
]
EXPECTED = {  # ticket → policy index (-1: none); the calendar is that policy's
    "c1": 0, "c2": 1, "c3": 1, "c4": 2, "c5": 3, "c6": -1, "c7": -1,
}  # fmt: skip


@pytest.fixture(params=["duckdb", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    server = pg_schema() if request.param == "postgresql" else nullcontext("duckdb")
    with server as url, open_store(url, tmp_path) as s:
        s.ensure_schema()
        rows = [{"created_at": "2026-03-02T09:00:00Z", **t} for t in TICKETS]
        load(s, {"tickets": rows})
        yield s


def test_the_engine_and_the_metric_sql_choose_the_same_policy(store: Store) -> None:
    config = parse_config(YAML(typ="rt").load(CONFIG))
    inputs = load_inputs(store)
    chosen = match_policies(inputs.tickets, config.sla_policies)
    by_engine = dict(zip(inputs.tickets["ticket_id"].astype(str), chosen.tolist(), strict=True))
    assert by_engine == EXPECTED
    sql = f"SELECT t.ticket_id, {calendar_sql(config)} AS calendar FROM tickets t"
    by_sql = dict(run_sql(store, sql).itertuples(index=False))
    names = [p.calendar for p in config.sla_policies]
    assert by_sql == {t: names[i] if i >= 0 else "24x7" for t, i in EXPECTED.items()}


def test_a_typo_in_when_names_the_file_line_key_and_closest_field(tmp_path: Path) -> None:
    path = tmp_path / "supportops.yaml"
    path.write_text(CONFIG.replace("{assignee_id: a-lead}", "{asignee_id: a-lead}"), "utf-8")
    with pytest.raises(ConditionError) as caught:
        load_config(path)
    error = caught.value
    assert (error.line, error.key, error.suggestion) == (
        8,
        "sla_policies.0.when.asignee_id",
        "assignee_id",
    )
    assert str(error) == (
        f"{path}, line 8: sla_policies.0.when.asignee_id: unknown field "
        "(did you mean 'assignee_id'?)"
    )


def test_todays_when_mappings_keep_their_meaning() -> None:
    old = {"channel": "email", "priority": ["high", "urgent"], "tags": ["a"], "tags_all": ["b"]}
    config = parse_config(
        {"sla_policies": [{"name": "p", "when": old, "targets": {"first_reply": "1h"}}]}
    )
    data = config.model_dump(mode="json")["sla_policies"][0]["when"]
    assert data == {
        "all": [
            {"field": "channel", "eq": "email"},
            {"field": "priority", "in": ["high", "urgent"]},
            {"field": "tags", "any_of": ["a"]},
            {"field": "tags", "all_of": ["b"]},
        ]
    }
    assert parse_config(config.model_dump(mode="json")) == config  # the long form reads back


def test_a_naive_instant_in_a_condition_is_read_in_the_report_time_zone() -> None:
    when = {"created_at": {"ge": "2026-03-01T09:00"}}
    raw = {"sla_policies": [{"name": "p", "when": when, "targets": {"first_reply": "1h"}}]}
    utc = parse_config(raw).sla_policies[0].when
    new_york = parse_config({**raw, "report_timezone": "America/New_York"}).sla_policies[0].when
    assert utc.values[0] == datetime(2026, 3, 1, 9, tzinfo=UTC)  # type: ignore[union-attr]
    assert new_york.values[0] == datetime(2026, 3, 1, 14, tzinfo=UTC)  # type: ignore[union-attr]


def test_a_relative_instant_is_refused_in_a_stored_condition() -> None:
    when = {"created_at": {"ge": "-7d"}}
    raw = {"sla_policies": [{"name": "p", "when": when, "targets": {"first_reply": "1h"}}]}
    with pytest.raises(ConditionError, match="not an instant"):
        parse_config(raw)
