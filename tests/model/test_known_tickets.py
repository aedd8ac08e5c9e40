"""Events checked against tickets stored by an earlier import: the importer asks the store only
for the tickets a batch names, with the same outcome as reading every stored ticket."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportops.model import importer
from supportops.model.importer import import_files
from supportops.store import Store
from tests.model.conftest import StoreFactory

TICKETS = """source,ticket_id,created_at,status,channel
mail,T1,2024-03-01T09:00:00Z,open,email
mail,T2,2024-03-02T09:00:00Z,open,email
chat,T2,2024-03-02T12:00:00Z,open,chat
"""
# T1's second event is before T1's creation; chat's T2 event is before chat T2's creation but
# after mail T2's (so the lookup must tell the two sources apart); T9 is in no import
EVENTS = """source,event_id,ticket_id,at,kind,actor_type
mail,e1,T1,2024-03-01T10:00:00Z,message,customer
mail,e2,T1,2024-02-28T10:00:00Z,message,agent
chat,e3,T2,2024-03-02T10:00:00Z,message,customer
mail,e4,T2,2024-03-02T10:00:00Z,message,customer
mail,e5,T9,2024-03-02T10:00:00Z,message,customer
"""


def _two_imports(store: Store, tmp_path: Path) -> list[tuple[str, str]]:
    (tmp_path / "first").mkdir(parents=True)
    (tmp_path / "second").mkdir(parents=True)
    (tmp_path / "first" / "tickets.csv").write_text(TICKETS)
    (tmp_path / "second" / "events.csv").write_text(EVENTS)
    import_files(store, [tmp_path / "first"])
    import_files(store, [tmp_path / "second"])
    rows = store.arrow(
        "SELECT CAST(row AS INTEGER) AS row, reason FROM quarantine ORDER BY row"
    ).to_pylist()
    return [(str(r["row"]), str(r["reason"])) for r in rows]


def test_an_event_before_its_stored_tickets_creation_is_quarantined(
    new_store: StoreFactory, tmp_path: Path
) -> None:
    store = new_store()
    quarantined = _two_imports(store, tmp_path)
    assert quarantined == [
        ("2", "event before the ticket's creation"),
        ("3", "event before the ticket's creation"),
    ]
    kept = store.arrow("SELECT event_id FROM events ORDER BY event_id").column(0).to_pylist()
    assert kept == ["e1", "e4", "e5"]


def test_reading_every_stored_ticket_gives_the_same_outcome(
    new_store: StoreFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_id = _two_imports(new_store(), tmp_path / "by-id")
    monkeypatch.setattr(importer, "KNOWN_BY_ID", 0)  # any batch names more: read them all
    every = _two_imports(new_store(), tmp_path / "every")
    assert by_id == every and len(every) == 2
