"""Cost to serve, golden: the accounts table is imported by the one importer from
``accounts.csv``, each ticket costs its agent time at the agent's hourly cost plus the overhead,
and an account whose yearly support cost passes the share of its ARR is listed first."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from supportops.metrics.roi_sources import ticket_costs
from supportops.model.importer import import_files
from supportops.roi.cost import by_dimension, costly_accounts, with_cost
from supportops.roi.ledger import hourly_cost
from supportops.workspace import Workspace

FILES = {
    "accounts.csv": "organization_id,name,plan,segment,arr,renewal_at\n"
    "acme,Acme,enterprise,enterprise,100000,2027-03-01T00:00:00Z\n"
    "tiny,Tiny,starter,smb,1000,2027-01-01T00:00:00Z\n",
    "tickets.csv": "ticket_id,created_at,channel,status,organization_id,tags\n"
    "1,2026-11-02T10:00:00Z,email,solved,acme,refund\n"
    "2,2026-11-03T10:00:00Z,chat,solved,tiny,refund;login\n"
    "3,2026-11-04T10:00:00Z,email,open,,\n",
    "agents.csv": "agent_id,hourly_cost\nann,60\nbob,30\n",
    "work.csv": "agent_id,ticket_id,started_at,seconds\n"
    "ann,1,2026-11-02T11:00:00Z,1800\n"
    "bob,2,2026-11-03T11:00:00Z,3600\n"
    "ann,2,2026-11-03T12:00:00Z,600\n",
}


def test_cost_to_serve_by_segment_and_account(tmp_path: Path, engine: str) -> None:
    folder, files = tmp_path / "ws", tmp_path / "files"
    folder.mkdir()
    files.mkdir()
    for name, text in FILES.items():
        (files / name).write_text(text, encoding="utf-8")
    config = {"store": engine, "cost": {"overhead_per_ticket": 2.0}}
    (folder / "supportops.yaml").write_text(json.dumps(config), encoding="utf-8")
    with Workspace(folder) as ws:
        import_files(ws.store, [files])
        assert ws.store.count("accounts") == 2
        costs = ticket_costs(
            ws, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC)
        )
    # ticket 1: 30 min × $60 = $30; ticket 2: 1 h × $30 + 10 min × $60 = $40; ticket 3: none
    costed = with_cost(costs, 2.0, hourly_cost(costs, None))
    segments = by_dimension(costed, "segment").set_index("segment")
    assert segments.loc["enterprise", "cost"] == pytest.approx(32.0)
    assert segments.loc["smb", "cost"] == pytest.approx(42.0)
    assert segments.loc["(none)", "cost"] == pytest.approx(2.0)
    tags = by_dimension(costed, "tag").set_index("tag")
    assert tags.loc["refund", "contacts"] == 2 and tags.loc["login", "cost"] == pytest.approx(42.0)
    accounts = costly_accounts(costed, days=7, share=0.1)
    first = accounts.iloc[0]
    # tiny: $42 a week is $2,190 a year, 219% of its $1,000 ARR; acme's $1,669 is 1.7%
    assert first["organization_id"] == "tiny" and bool(first["over"])
    assert first["yearly_cost"] == pytest.approx(42 * 365 / 7)
    assert not bool(accounts.iloc[1]["over"])
