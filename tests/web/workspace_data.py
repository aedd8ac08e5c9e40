"""A small, deterministic event log for the web tests: tickets, their messages, CSAT answers,
bot sessions (some handed off to a ticket, some marked resolved before a ticket), agents and
their work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["AGENT_NAMES", "CHANNELS", "ORGANIZATION_NAMES", "name_organizations", "write_event_log"]

CHANNELS = ("email", "chat", "web", "phone")
GROUPS = ("Support", "Billing", "Tier 2")
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending", "solved", "closed")
END = datetime(2024, 3, 1, tzinfo=UTC)
AGENT_NAMES = {
    f"agent{i}": name
    for i, name in enumerate(
        ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov"), 1
    )
}  # agent6 has no name: the pages show its id
ORGANIZATION_NAMES = {"org1": "Acme Corp", "org2": "Globex", "org3": "Initech"}


def write_event_log(folder: Path, tickets: int = 400, days: int = 60, seed: int = 7) -> Path:
    """Write ``tickets.csv``, ``events.csv``, ``surveys.csv``, ``bot_sessions.csv``,
    ``agents.csv`` and ``work.csv`` into ``folder``."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    created = [
        END - timedelta(seconds=int(s)) for s in np.sort(rng.uniform(0, days * 86_400, tickets))
    ]
    status = rng.choice(STATUSES, tickets, p=[0.05, 0.1, 0.05, 0.5, 0.3])
    reply = rng.exponential(4 * 3600, tickets)
    solve = reply + rng.exponential(20 * 3600, tickets)
    ids = [f"T{i:05d}" for i in range(tickets)]
    solved = np.isin(status, ["solved", "closed"])
    frame = pd.DataFrame(
        {
            "ticket_id": ids,
            "created_at": [c.isoformat() for c in created],
            "channel": rng.choice(CHANNELS, tickets, p=[0.4, 0.3, 0.2, 0.1]),
            "status": status,
            "priority": rng.choice(PRIORITIES, tickets),
            "group": rng.choice(GROUPS, tickets),
            "assignee_id": [f"agent{int(i)}" for i in rng.integers(1, 7, tickets)],
            "requester_id": [f"cust{int(i)}" for i in rng.integers(1, 120, tickets)],
            "organization_id": [f"org{int(i)}" for i in rng.integers(1, 15, tickets)],
            "subject": [f"Question {i}" for i in range(tickets)],
            "solved_at": [
                (c + timedelta(seconds=float(s))).isoformat() if ok else ""
                for c, s, ok in zip(created, solve, solved, strict=True)
            ],
        }
    )
    frame.to_csv(folder / "tickets.csv", index=False)
    replied = rng.random(tickets) < 0.9
    events = pd.DataFrame(
        {
            "ticket_id": [t for t, r in zip(ids, replied, strict=True) if r],
            "at": [
                (c + timedelta(seconds=float(s))).isoformat()
                for c, s, r in zip(created, reply, replied, strict=True)
                if r
            ],
            "kind": "message",
            "actor": "agent",
            "public": True,
        }
    )
    events.to_csv(folder / "events.csv", index=False)
    surveyed = solved & (rng.random(tickets) < 0.4)
    surveys = pd.DataFrame(
        {
            "ticket_id": np.array(ids)[surveyed],
            "at": [
                (c + timedelta(seconds=float(s) + 3600)).isoformat()
                for c, s, k in zip(created, solve, surveyed, strict=True)
                if k
            ],
            "survey": "csat",
            "score": rng.choice(
                [1, 2, 3, 4, 5], int(surveyed.sum()), p=[0.05, 0.05, 0.1, 0.3, 0.5]
            ),
        }
    )
    surveys.to_csv(folder / "surveys.csv", index=False)
    _bots_and_work(folder, frame, created, solved, rng)
    return folder


def _bots_and_work(
    folder: Path, tickets: pd.DataFrame, created: list[datetime], solved: np.ndarray, rng: Any
) -> None:
    """Bot sessions before some chat and web tickets, agents with a cost, work on each ticket."""
    live = tickets["channel"].isin(["chat", "web"]).to_numpy()
    count = int(live.sum())
    outcome = rng.choice(["handed_off", "resolved"], count, p=[0.7, 0.3])
    before = rng.uniform(300, 7200, len(created))
    starts = [
        c - timedelta(seconds=float(b)) for c, b, k in zip(created, before, live, strict=True) if k
    ][:count]
    linked = pd.DataFrame(
        {
            "session_id": [f"B{i:05d}" for i in range(count)],
            "started_at": [s.isoformat() for s in starts],
            "channel": tickets.loc[live, "channel"].to_numpy(),
            "outcome": outcome,
            "ticket_id": tickets.loc[live, "ticket_id"].to_numpy(),
        }
    )
    alone = 120
    contained = pd.DataFrame(
        {
            "session_id": [f"C{i:05d}" for i in range(alone)],
            "started_at": [
                (END - timedelta(seconds=float(s))).isoformat()
                for s in rng.uniform(0, 55 * 86_400, alone)
            ],
            "channel": rng.choice(["chat", "web"], alone),
            "outcome": rng.choice(["resolved", "abandoned"], alone, p=[0.75, 0.25]),
            "ticket_id": "",
        }
    )
    pd.concat([linked, contained]).to_csv(folder / "bot_sessions.csv", index=False)
    agents = [f"agent{i}" for i in range(1, 7)]
    pd.DataFrame(
        {
            "agent_id": agents,
            "name": [AGENT_NAMES.get(a, "") for a in agents],
            "hourly_cost": [30.0 + 2 * i for i in range(6)],
        }
    ).to_csv(folder / "agents.csv", index=False)
    worked = tickets[solved]
    pd.DataFrame(
        {
            "agent_id": worked["assignee_id"].to_numpy(),
            "ticket_id": worked["ticket_id"].to_numpy(),
            "started_at": [
                (pd.Timestamp(c) + pd.Timedelta(minutes=30)).isoformat()
                for c in worked["created_at"]
            ],
            "seconds": rng.integers(120, 1800, len(worked)),
        }
    ).to_csv(folder / "work.csv", index=False)


def name_organizations(store: Any) -> None:
    """Give some organizations a name in the ``accounts`` table (made here when the schema has
    none yet)."""
    store.execute('CREATE TABLE IF NOT EXISTS accounts (organization_id VARCHAR, "name" VARCHAR)')
    for org, name in ORGANIZATION_NAMES.items():
        store.execute('INSERT INTO accounts (organization_id, "name") VALUES (?, ?)', [org, name])
