"""Fixtures of the alert tests: a golden event log where every kind of rule fires at ``NOW``,
a workspace whose ``alerts:`` deliver to the tests' local receivers, and the receivers.

The event log at NOW = Tuesday 2026-03-10 14:20 UTC (report time zone UTC):

- 12 chat tickets created since 14:00, none answered: their 1 h first-reply targets are due
  between 15:00 and 15:20 — at risk within 1 h; the backlog is 12, against 0 a day before;
- 2 chat tickets in the same hour (14:00–15:00) of each of the 4 Tuesdays before, all solved —
  so this hour's 12 are 6 × the usual 2;
- csat answers: 20 in the week before the last (all 5), 20 in the last week (10 of them 1) —
  CSAT fell from 100% to 50%.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from supportops.model.importer import import_files
from supportops.workspace import Workspace
from tests.alerts.receivers import SmtpSink, Webhook

NOW = datetime(2026, 3, 10, 14, 20, tzinfo=UTC)
HOUR = NOW.replace(minute=0)
CONFIG = """
report_timezone: UTC
calendars:
  always: {always_open: true}
sla_policies:
  - name: chat
    when: {channel: chat}
    calendar: always
    targets: {first_reply: 1h, resolution: 2d}
"""


def _tickets() -> pd.DataFrame:
    rows = [
        {"ticket_id": f"NEW{i:02d}", "created_at": HOUR + timedelta(minutes=i), "status": "open"}
        for i in range(12)
    ]
    for week in range(1, 5):
        for i in range(2):
            created = HOUR - timedelta(weeks=week) + timedelta(minutes=10 + 20 * i)
            rows.append(
                {
                    "ticket_id": f"W{week}-{i}",
                    "created_at": created,
                    "status": "solved",
                    "solved_at": created + timedelta(hours=1),
                }
            )
    frame = pd.DataFrame(rows)
    frame["channel"], frame["priority"] = "chat", "normal"
    return frame


def _surveys(tickets: pd.DataFrame) -> pd.DataFrame:
    solved = tickets[tickets["status"] == "solved"]["ticket_id"].tolist()
    rows = []
    for i in range(40):
        recent = i >= 20
        at = NOW - timedelta(days=(3 if recent else 10), minutes=i)
        score = 1 if recent and i % 2 else 5
        rows.append(
            {"ticket_id": solved[i % len(solved)], "at": at, "survey": "csat", "score": score}
        )
    return pd.DataFrame(rows)


def write_golden(folder: Path) -> Path:
    """The golden event log's CSV files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    tickets = _tickets()
    tickets.to_csv(folder / "tickets.csv", index=False)
    _surveys(tickets).to_csv(folder / "surveys.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def golden_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden event log, written once."""
    return write_golden(tmp_path_factory.mktemp("alert-log"))


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """A webhook receiver that takes everything."""
    hook = Webhook()
    yield hook
    hook.close()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """An SMTP server that keeps every message."""
    sink = SmtpSink()
    yield sink
    sink.close()


def rule_yaml(rules: list[dict[str, Any]]) -> str:
    """``alerts:`` as YAML (JSON is YAML)."""
    import json

    if not rules:
        return "alerts: []\n"
    return "alerts:\n" + "".join(f"  - {json.dumps(rule)}\n" for rule in rules)


def make_workspace(folder: Path, files: Path, rules: list[dict[str, Any]]) -> Path:
    """A workspace in ``folder`` holding the golden log, with ``rules`` as its alerts."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "supportops.yaml").write_text(CONFIG + rule_yaml(rules), encoding="utf-8")
    with Workspace.open(folder) as ws:
        import_files(ws.store, [files])
    return folder


def every_kind(url: str) -> list[dict[str, Any]]:
    """One rule of each kind, all delivered to ``url``."""
    deliver = {"slack_webhook": url}
    return [
        {"name": "first-reply-risk", "kind": "sla_at_risk", "within": "1h",
         "targets": ["first_reply"], "deliver": deliver},
        {"name": "chat-spike", "kind": "volume_spike", "weeks": 4, "ratio": 2.0,
         "filters": {"channel": "chat"}, "deliver": deliver},
        {"name": "csat-falls", "kind": "csat_drop", "window": "7d", "below": 0.8,
         "drop_points": 10, "min_responses": 10, "deliver": deliver},
        {"name": "backlog-grows", "kind": "backlog_growth", "window": "24h", "percent": 50,
         "min_backlog": 10, "deliver": deliver},
    ]  # fmt: skip
