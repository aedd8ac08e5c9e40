"""Rules in the ROI ledger, golden: each rule of the action ledger is a row; a rule's written
actions save the handle-time difference between the tickets it wrote to and the tickets no rule
wrote to on the same channels (observational, Welch interval, computed here apart); actions in
dry run are counted and never saved."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from supportops.model.importer import import_files
from supportops.roi.ledger import ledger
from supportops.rules.ledger import record
from supportops.workspace import Workspace

LOW, HIGH = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC)
SECONDS = {"1": 600, "2": 900, "3": 1200, "4": 2400, "5": 3000, "6": 1800, "7": 500}


def _files(folder: Path) -> None:
    tickets = ["ticket_id,created_at,channel,status"] + [
        f"{t},2026-11-0{2 + int(t) % 4}T10:00:00Z,{'chat' if t == '7' else 'email'},solved"
        for t in SECONDS
    ]
    work = ["agent_id,ticket_id,started_at,seconds"] + [
        f"ann,{t},2026-11-06T11:00:00Z,{s}" for t, s in SECONDS.items()
    ]
    (folder / "tickets.csv").write_text("\n".join(tickets) + "\n", encoding="utf-8")
    (folder / "work.csv").write_text("\n".join(work) + "\n", encoding="utf-8")
    (folder / "agents.csv").write_text("agent_id,hourly_cost\nann,36\n", encoding="utf-8")


def _actions(rule: str, tickets: list[str], result: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": rule,
            "source": "csv",
            "ticket_id": tickets,
            "action": "set",
            "field": "group",
            "before": "general",
            "after": "billing",
            "at": pd.Timestamp("2026-11-03T10:00:00Z"),
            "result": result,
        }
    )


def test_each_rule_is_a_row_and_only_written_actions_save(tmp_path: Path, engine: str) -> None:
    folder, files = tmp_path / "ws", tmp_path / "files"
    folder.mkdir()
    files.mkdir()
    _files(files)
    (folder / "supportops.yaml").write_text(json.dumps({"store": engine}), encoding="utf-8")
    with Workspace(folder) as ws:
        import_files(ws.store, [files])
        now = datetime(2026, 11, 9, tzinfo=UTC)
        record(ws.store, _actions("route-billing", ["1", "2", "3"], "written"), "live", now)
        record(ws.store, _actions("tag-vip", ["4", "5"], "dry_run"), "dry_run", now)
        rows = {r.automation: r for r in ledger(ws, LOW, HIGH).rows}
    routed, tagged = rows["rule: route-billing"], rows["rule: tag-vip"]
    assert routed.did == "3 actions written on 3 tickets; 0 in dry run"
    assert tagged.did == "0 actions written on 0 tickets; 2 in dry run"
    assert (tagged.saving.basis, tagged.saving.hours) == ("dry run", 0.0)
    # tickets 1–3 (600, 900, 1200 s) against the email tickets no rule wrote to (4, 5, 6)
    auto = np.array([600.0, 900.0, 1200.0])
    manual = np.array([2400.0, 3000.0, 1800.0])
    diff = manual.mean() - auto.mean()
    se = np.sqrt(manual.var(ddof=1) / 3 + auto.var(ddof=1) / 3)
    dof = se**4 / ((manual.var(ddof=1) / 3) ** 2 / 2 + (auto.var(ddof=1) / 3) ** 2 / 2)
    half = stats.t.ppf(0.975, dof) * se
    saving = routed.saving
    assert saving.basis == "observational"
    assert saving.hours == pytest.approx(diff * 3 / 3600)
    assert (saving.hours_low, saving.hours_high) == pytest.approx(
        ((diff - half) * 3 / 3600, (diff + half) * 3 / 3600)
    )
    assert saving.money_saved[0] == pytest.approx(saving.hours * 36)
