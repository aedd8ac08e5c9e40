"""The action ledger on every engine: a live action is recorded ``pending``, found pending by a
later run, and its result written over ``pending`` once; nothing else of the row changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from supportops.rules.ledger import pending, read_ledger, record, resolve
from supportops.store.base import Store
from tests.model.conftest import any_store, engine_name, new_store

__all__ = ["any_store", "engine_name", "new_store"]

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _actions(*tickets: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule": "route",
            "source": "zendesk-main",
            "ticket_id": list(tickets),
            "action": "set",
            "field": "priority",
            "before": "low",
            "after": "high",
            "at": AT,
            "result": "pending",
        }
    )


def test_a_pending_result_is_written_once(any_store: Store) -> None:
    rows = record(any_store, _actions("1", "2"), "live", AT)
    first, second = rows["action_id"].tolist()
    assert pending(any_store, ["zendesk-main"], [first])["action_id"].tolist() == [second]
    resolve(any_store, {first: "written", second: "pending"})
    resolve(any_store, {first: "failed: HTTP 400 later"})  # a result is never replaced
    ledger = read_ledger(any_store).set_index("action_id")
    assert ledger.at[first, "result"] == "written" and ledger.at[second, "result"] == "pending"
    assert pending(any_store, ["zendesk-main"], [])["action_id"].tolist() == [second]
    assert pending(any_store, ["freshdesk-main"], []).empty
