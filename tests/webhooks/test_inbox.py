"""The inbox: one row per (source, delivery id), kept across reopening, group commits from
many threads each told whether its delivery was new."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supportops.webhooks.inbox import Inbox
from supportops.webhooks.payloads import Delivery

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def one(number: int, source: str = "zendesk-main") -> Delivery:
    return Delivery(source, f"d{number}", "146", "zen:x", AT, AT, b'{"n": %d}' % number)


def test_a_kept_delivery_is_there_after_reopening(tmp_path: Path) -> None:
    inbox = Inbox.of_workspace(tmp_path)
    assert inbox.append(one(1)) is True
    inbox.close()
    again = Inbox.of_workspace(tmp_path)
    assert again.append(one(1)) is False
    assert [(r.delivery_id, r.state) for r in again.recent()] == [("d1", "received")]


def test_the_same_id_of_another_source_is_another_delivery(tmp_path: Path) -> None:
    inbox = Inbox.of_workspace(tmp_path)
    assert inbox.append(one(1, "a")) and inbox.append(one(1, "b"))
    assert inbox.counts() == {"a": {"received": 1}, "b": {"received": 1}}


def test_many_threads_appending_at_once_keep_each_delivery_once(tmp_path: Path) -> None:
    inbox = Inbox.of_workspace(tmp_path)
    told: dict[int, list[bool]] = {}
    lock = threading.Lock()

    def send(worker: int) -> None:
        for number in range(100):  # every worker sends the same 100 deliveries
            new = inbox.append(one(number))
            with lock:
                told.setdefault(number, []).append(new)

    threads = [threading.Thread(target=send, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(sorted(answers) == [False] * 7 + [True] for answers in told.values())
    assert inbox.counts() == {"zendesk-main": {"received": 100}}
    assert len(inbox.pending()["zendesk-main"]) == 100


def test_only_the_newest_refusals_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("supportops.webhooks.inbox.REFUSALS_KEPT", 150)
    inbox = Inbox.of_workspace(tmp_path)
    for n in range(400):
        inbox.refuse("zendesk-main", f"wrong signature {n}", AT + timedelta(seconds=n))
    assert 150 <= inbox.counts()["zendesk-main"]["rejected"] < 400
    assert inbox.recent(1)[0].error == "wrong signature 399"
