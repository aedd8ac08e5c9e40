"""The SLA engine over a workspace: the sla_instances table, compliance, what-if, pending check,
and policies files that are validated like supportops.yaml."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supportops.errors import ConfigError
from supportops.sla import (
    COLUMNS,
    compare_workspace,
    compliance_by_target,
    config_with_policies,
    evaluate_workspace,
    gaming_workspace,
    store_instances,
)
from supportops.workspace import Workspace

from .cases import GOLDEN, workspace_case

AGENT_WORK = next(path for path in GOLDEN if path.stem == "agent_work")
NEXT_REPLY = next(path for path in GOLDEN if path.stem == "next_reply")


@pytest.fixture
def agent_work(tmp_path: Path) -> tuple[dict[str, object], Workspace]:
    return workspace_case(AGENT_WORK, tmp_path)


def test_store_instances_writes_the_spec_columns_and_source(agent_work) -> None:
    case, ws = agent_work
    with ws:
        instances = evaluate_workspace(ws, case["as_of"])
        written = store_instances(ws, instances)
        stored = ws.query("SELECT * FROM sla_instances ORDER BY ticket_id, target")
    assert written == len(instances) == 4
    assert list(stored.columns) == [*COLUMNS, "source"]
    row = stored[(stored.ticket_id == "escalated") & (stored.target == "requester_wait")].iloc[0]
    assert row.status == "breached" and row.elapsed_seconds == 6 * 3600
    assert row.breached_at == pd.Timestamp("2026-03-02T13:00:00Z") and row.source == "csv"


def test_compliance_by_target_counts_each_status(agent_work) -> None:
    case, ws = agent_work
    with ws:
        table = compliance_by_target(ws, case["as_of"])
    rows = table.set_index("target")
    assert rows.loc["agent_work", ["achieved", "paused", "compliance"]].tolist() == [1, 1, 1.0]
    assert rows.loc["requester_wait", ["breached", "compliance"]].tolist() == [2, 0.0]


def test_a_policies_file_replaces_the_policies_and_adds_calendars(agent_work, tmp_path) -> None:
    case, ws = agent_work
    path = tmp_path / "new.yaml"
    path.write_text(
        "calendars:\n  nights: {always_open: true}\n"
        "sla_policies:\n  - name: relaxed\n    calendar: nights\n"
        "    targets: {requester_wait: 1d}\n"
    )
    with ws:
        after = config_with_policies(ws.config, path)
        result = compare_workspace(ws, after, case["as_of"])
    assert [p.name for p in after.sla_policies] == ["relaxed"]
    assert set(after.calendars) == {"office", "nights"}
    compliance = result.compliance.set_index("target")
    assert compliance.loc["requester_wait", "compliance_before"] == 0.0
    assert compliance.loc["agent_work", "achieved_before"] == 1
    assert pd.isna(compliance.loc["agent_work", "achieved_after"])
    changed = result.changes.set_index(["ticket_id", "target"])
    assert changed.loc[("escalated", "requester_wait"), "status_after"] == "achieved"
    assert changed.loc[("escalated", "agent_work"), "status_after"] == "none"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sla_policies: []\nalerts: []\n", "line 2: alerts: unknown key"),
        (
            "sla_policies:\n  - name: x\n    targets: {first_reply: soon}\n",
            "line 3: sla_policies.0.targets.first_reply: not a duration",
        ),
        ("sla_policies:\n  - name: x\n    whenn: {}\n    targets: {}\n", "line 3"),
        ("calendars: {}\n", "expected a mapping with sla_policies"),
    ],
)
def test_a_wrong_policies_file_names_the_key_and_line(agent_work, tmp_path, text, message) -> None:
    _, ws = agent_work
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with ws, pytest.raises(ConfigError) as caught:
        config_with_policies(ws.config, path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_gaming_lists_pending_set_by_an_agent_just_before_a_breach(tmp_path: Path) -> None:
    case, ws = workspace_case(NEXT_REPLY, tmp_path)
    with ws:
        ws.store.execute(
            'INSERT INTO events (ticket_id, source, "at", kind, actor, actor_id, value, event_id) '
            "VALUES ('slow', 'csv', TIMESTAMPTZ '2026-03-03 12:30:00+00', 'status', 'agent', "
            "'a42', 'pending', 'p1')"
        )
        after = config_with_policies(ws.config, _policy(tmp_path, "agent_work: 4h"))
        found = gaming_workspace(ws, 3600, case["as_of"], after)
        quiet = gaming_workspace(ws, 600, case["as_of"], after)
    # created Tue 09:00; at 12:30 3h30m of 4h were used: 30 minutes left
    assert found[["ticket_id", "target", "agent_id", "seconds_left"]].values.tolist() == [
        ["slow", "agent_work", "a42", 1800]
    ]
    assert found.loc[0, "would_breach_at"] == pd.Timestamp("2026-03-03T13:00:00Z")
    assert found.loc[0, "status"] == "paused"
    assert quiet.empty


def _policy(folder: Path, targets: str) -> Path:
    path = folder / "policies.yaml"
    path.write_text(
        f"sla_policies:\n  - name: p\n    calendar: office\n    targets: {{{targets}}}\n"
    )
    return path
