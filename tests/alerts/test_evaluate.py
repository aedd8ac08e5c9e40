"""What each kind of rule finds in the golden event log at NOW (see ``conftest.py``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from supportops.alerts.evaluate import Context, evaluate
from supportops.workspace import Workspace
from tests.alerts.conftest import NOW, every_kind, make_workspace


@pytest.fixture(scope="module")
def ws(golden_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = make_workspace(tmp_path_factory.mktemp("eval-ws"), golden_files, [])
    with Workspace.open(folder) as workspace:
        yield workspace


def _rule(kind: str, **changes: Any) -> Any:
    from supportops.config import parse_config

    rule = next(r for r in every_kind("http://127.0.0.1:9/x") if r["kind"] == kind)
    return parse_config({"alerts": [{**rule, **changes}]}).alerts[0]


def test_sla_at_risk_finds_each_first_reply_due_within_the_hour(ws: Any) -> None:
    found = evaluate(_rule("sla_at_risk"), Context(ws, NOW))
    assert len(found) == 12
    assert found[0].key == "csv:NEW00:first_reply:1"
    assert found[0].line == "ticket NEW00: first_reply (chat) due 2026-03-10 15:00, in 40m"
    sooner = evaluate(_rule("sla_at_risk", within="45m"), Context(ws, NOW))
    assert [f.key[4:9] for f in sooner] == [f"NEW0{i}" for i in range(6)]  # due by 15:05


def test_sla_at_risk_keeps_to_its_targets_and_filters(ws: Any) -> None:
    assert evaluate(_rule("sla_at_risk", targets=["resolution"]), Context(ws, NOW)) == []
    assert evaluate(_rule("sla_at_risk", filters={"channel": "email"}), Context(ws, NOW)) == []


def test_a_volume_spike_is_this_hour_against_the_same_hour_of_past_weeks(ws: Any) -> None:
    (found,) = evaluate(_rule("volume_spike"), Context(ws, NOW))
    assert found.key == "2026-03-10 14:00"
    assert found.line.startswith("12 tickets created since 14:00 (channel=chat), against 2.0")
    assert "(6.0×)" in found.line
    assert evaluate(_rule("volume_spike", ratio=7), Context(ws, NOW)) == []
    assert evaluate(_rule("volume_spike", min_tickets=13), Context(ws, NOW)) == []
    an_hour_later = Context(ws, NOW + timedelta(hours=1))
    assert evaluate(_rule("volume_spike"), an_hour_later) == []


def test_a_csat_drop_below_a_threshold_or_by_points(ws: Any) -> None:
    (found,) = evaluate(_rule("csat_drop"), Context(ws, NOW))
    assert found.key == "2026-03-10"
    assert found.line == (
        "CSAT 50.0% over the last 7d (20 answers): below 80%; "
        "down 50.0 points from 100.0% the 7d before"
    )
    assert evaluate(_rule("csat_drop", below=0.4, drop_points=60), Context(ws, NOW)) == []
    assert evaluate(_rule("csat_drop", min_responses=21), Context(ws, NOW)) == []


def test_backlog_growth_over_the_window(ws: Any) -> None:
    (found,) = evaluate(_rule("backlog_growth"), Context(ws, NOW))
    assert found.line == "backlog 12 tickets, up from 0 1d ago"
    assert evaluate(_rule("backlog_growth", min_backlog=13), Context(ws, NOW)) == []
    assert evaluate(_rule("backlog_growth", window="10m"), Context(ws, NOW)) == []  # 11 → 12
    (slower,) = evaluate(_rule("backlog_growth", window="10m", percent=5), Context(ws, NOW))
    assert slower.line == "backlog 12 tickets, up 9% from 11 10m ago"


def test_filters_are_conditions_with_any_not_and_instants(ws: Any) -> None:
    later = {"not": {"field": "created_at", "lt": "2026-03-10T14:06:00Z"}}
    found = evaluate(_rule("sla_at_risk", filters=later), Context(ws, NOW))
    assert [f.key[4:9] for f in found] == [f"NEW{i:02d}" for i in range(6, 12)]
    either = {"any": [{"channel": "email"}, {"priority": "normal"}]}
    (spike,) = evaluate(_rule("volume_spike", filters=either), Context(ws, NOW))
    assert "12 tickets created since 14:00 (any of (channel=email; priority=normal))" in spike.line
    assert (
        evaluate(_rule("csat_drop", filters={"not": {"channel": "chat"}}), Context(ws, NOW)) == []
    )
    (grew,) = evaluate(_rule("backlog_growth", filters=either), Context(ws, NOW))
    assert grew.line.startswith("backlog 12 tickets (any of (channel=email; priority=normal))")
    assert evaluate(_rule("backlog_growth", filters={"priority": "high"}), Context(ws, NOW)) == []
