"""Property: on any small event log, the vectorised engine equals the slow reference."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportops.config import parse_config
from supportops.sla import evaluate

from .reference import reference

START = pd.Timestamp("2026-06-29T00:00:00Z")  # a Monday; 2026-07-03 is a US holiday
TARGETS = {
    "first_reply": "3h",
    "next_reply": "2h",
    "periodic_update": "1d",
    "pausable_update": {"target": "5h", "calendar": "always"},
    "requester_wait": "10h",
    "agent_work": "6h",
    "resolution": {"target": "2d", "calendar": "night"},
}
CONFIG = parse_config(
    {
        "default_calendar": "office",
        "calendars": {
            "office": {
                "timezone": "America/New_York",
                "hours": {"mon-fri": ["08:00-12:00", "13:00-18:00"], "sat": ["10:00-14:00"]},
                "holidays": {"country": "US", "dates": ["2026-07-07"]},
            },
            "night": {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["22:00-06:00"]}},
            "always": {"always_open": True},
        },
        "sla_policies": [
            {
                "name": "vip",
                "when": {"tags": ["vip"]},
                "calendar": "always",
                "targets": {"first_reply": "30m", "next_reply": "1h", "resolution": "8h"},
            },
            {"name": "standard", "targets": TARGETS},
        ],
    }
)
MESSAGES = [
    ("message", "customer", True, None),
    ("message", "customer", False, None),
    ("message", "agent", True, None),
    ("message", "agent", False, None),
    ("message", "bot", True, None),
]
STATUS = [
    ("status", "agent", None, "open"),
    ("status", "agent", None, "pending"),
    ("status", "agent", None, "on_hold"),
    ("status", "agent", None, "solved"),
    ("status", "system", None, "closed"),
    ("merged", "agent", None, "x"),
]
KINDS = [MESSAGES[0]] * 4 + [MESSAGES[2]] * 4 + MESSAGES + STATUS[:3] * 2 + STATUS
minutes = st.integers(min_value=0, max_value=60 * 24 * 12)


@st.composite
def logs(draw: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    tickets, events = [], []
    for number in range(draw(st.integers(1, 3))):
        ticket_id = f"t{number}"
        created = START + pd.Timedelta(minutes=draw(minutes))
        tickets.append(
            {
                "ticket_id": ticket_id,
                "created_at": created,
                "created_by": draw(st.sampled_from(["customer", "agent"])),
                "tags": draw(st.sampled_from([[], ["vip"], ["x"]])),
            }
        )
        at = created - pd.Timedelta(minutes=30)
        for _ in range(draw(st.integers(0, 16))):
            kind, actor, public, value = draw(st.sampled_from(KINDS))
            at += pd.Timedelta(minutes=30 * draw(st.integers(0, 2 * 24)))
            events.append(
                {
                    "ticket_id": ticket_id,
                    "at": at,
                    "kind": kind,
                    "actor": actor,
                    "public": public,
                    "value": value,
                }
            )
    as_of = START + pd.Timedelta(minutes=draw(st.integers(0, 60 * 24 * 16)))
    frame = pd.DataFrame(events, columns=["ticket_id", "at", "kind", "actor", "public", "value"])
    return pd.DataFrame(tickets), frame, as_of


COMPARED = [
    "ticket_id",
    "policy",
    "target",
    "instance",
    "started_at",
    "stopped_at",
    "target_seconds",
    "elapsed_seconds",
    "status",
    "breached_at",
    "due_at",
]


def _normal(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    if frame.empty:
        return []
    out = frame[COMPARED].astype(object).where(frame[COMPARED].notna(), None)
    for name in ("started_at", "stopped_at", "breached_at", "due_at"):
        out[name] = [None if v is None else pd.Timestamp(v).isoformat() for v in out[name]]
    for name in ("ticket_id", "policy", "target", "status"):
        out[name] = out[name].astype(str)
    for name in ("instance", "target_seconds", "elapsed_seconds"):
        out[name] = out[name].astype(int)
    return sorted(out.itertuples(index=False, name=None))


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_engine_equals_the_reference(log: tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]) -> None:
    tickets, events, as_of = log
    assert _normal(evaluate(tickets, events, CONFIG, as_of)) == _normal(
        reference(tickets, events, CONFIG, as_of)
    )
