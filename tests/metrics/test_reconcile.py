"""Reconciliation with Zendesk on the real records of ../shared/data/api/zendesk: the calendar
minutes agree by construction; the business minutes check our business clock against
Zendesk's schedule; every difference carries a rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from supportops.metrics.reconcile import RULES, load_zendesk_records, reconcile


@pytest.fixture
def records(shared_data: Path) -> Any:
    return load_zendesk_records(shared_data / "api" / "zendesk" / "expected_records_subset.jsonl")


def test_loader_turns_records_into_event_log_rows(records: Any) -> None:
    tickets = {t["ticket_id"]: t for t in records.tables["tickets"]}
    assert {"1", "145", "146", "159", "160", "161"} <= set(tickets)
    assert tickets["1"]["created_by"] == "agent"  # submitted by the agent for the requester
    assert tickets["145"]["channel"] == "phone"
    reopens = [m for m in records.tables["vendor_metrics"] if m["metric"] == "reopens"]
    assert {m["ticket_id"]: m["value"] for m in reopens}["160"] == 1
    comments = [e for e in records.tables["events"] if e["ticket_id"] == "1"]
    assert [e["actor"] for e in comments] == ["agent", "agent"]
    assert records.tables["surveys"] == []  # offered, never answered: no csat answer
    (calendar,) = records.calendars.values()
    assert calendar["timezone"] == "Pacific/Noumea"
    assert calendar["hours"]["mon"] == ["09:00-17:00"] and calendar["hours"]["fri"] == [
        "10:30-18:30"
    ]


def test_reconcile_explains_every_difference(records: Any, make_ws: Any) -> None:
    ((name, calendar),) = records.calendars.items()
    ws = make_ws(records.tables, {"default_calendar": name, "calendars": {name: calendar}})
    report = reconcile(ws, "zendesk")
    assert report.rule.notna().all() and set(report.rule) <= {r[0] for r in RULES}
    row = report.set_index(["ticket_id", "metric", "clock"])
    # ticket 160's instants were derived from Zendesk's calendar minutes: no validation
    assert row.loc[("160", "first_resolution_time", "calendar"), "rule"] == "derived_from_vendor"
    # its business minutes are reproduced by our clock on its schedule
    assert row.loc[("160", "first_resolution_time", "business"), "ours"] == pytest.approx(1440)
    assert row.loc[("160", "first_resolution_time", "business"), "rule"] == "agree"
    assert row.loc[("160", "first_reply_time", "calendar"), "vendor"] == 97667
    # a reopen Zendesk counted but no audit carried: explained, not hidden
    assert row.loc[("160", "reopens", "count"), "rule"] == "missing_audits"
    assert (report.rule != "unexplained").all(), report.to_string()
    assert row.loc[("159", "first_reply_time", "business"), "rule"] == "agree"
    assert isinstance(report, pd.DataFrame)


def test_reconcile_names_the_true_cause_of_each_known_misattribution(
    records: Any, make_ws: Any
) -> None:
    ((name, calendar),) = records.calendars.items()
    ws = make_ws(records.tables, {"default_calendar": name, "calendars": {name: calendar}})
    row = reconcile(ws, source="zendesk").set_index(["ticket_id", "metric", "clock"])
    # 160 was reopened: our full resolution is the solve before the reopen we did not import
    assert row.loc[("160", "full_resolution_time", "calendar"), "rule"] == "missing_reopen"
    # 161 is unsolved: our on-hold total comes at the solve, not "not imported"
    assert row.loc[("161", "on_hold_time", "calendar"), "rule"] == "unsolved_running_total"
    # reported empty (Zendesk's null: not final) is not the same as absent
    assert row.loc[("159", "full_resolution_time", "calendar"), "rule"] != "vendor_absent"


def test_a_metric_the_vendor_record_lacks_is_absent_not_unfinished(
    records: Any, make_ws: Any
) -> None:
    tables = dict(records.tables)
    tables["vendor_metrics"] = [
        m for m in tables["vendor_metrics"] if (m["ticket_id"], m["metric"]) != ("159", "replies")
    ]
    row = reconcile(make_ws(tables), source="zendesk").set_index(["ticket_id", "metric", "clock"])
    assert row.loc[("159", "agent_replies", "count"), "rule"] == "vendor_absent"


def test_reconcile_takes_every_vendor_that_reports_metrics(records: Any, make_ws: Any) -> None:
    ws = make_ws(records.tables)
    assert set(reconcile(ws, profile="freshdesk").metric) <= {
        "first_reply_time",
        "full_resolution_time",
    }
    with pytest.raises(Exception, match="knows no vendor 'helpdesk'"):
        reconcile(ws, profile="helpdesk")
