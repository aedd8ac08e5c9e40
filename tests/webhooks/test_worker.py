"""Applying deliveries through the connector (a fake Zendesk over real HTTP), failure and
retry, and the scheduled sync as the backstop."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

from supportops.config import SourceConfig
from supportops.connectors.runner import SourceReport
from supportops.instants import FrozenClock, SystemClock
from supportops.webhooks.inbox import Inbox
from supportops.webhooks.payloads import Delivery
from supportops.webhooks.worker import LiveSync, apply_pending, due, last_syncs
from supportops.workspace import Workspace
from tests.connectors.fakes.server import FakeServer
from tests.webhooks.conftest import add_sources

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def hint(source: str, number: int, at: datetime) -> Delivery:
    return Delivery(source, f"d{number}", "146", "comment", at, AT, b"{}")


def zendesk_only(folder: Path, url: str) -> dict[str, SourceConfig]:
    add_sources(folder, url)
    with Workspace.open(folder) as ws:
        return {"zendesk-main": ws.config.sources["zendesk-main"]}


def test_applying_syncs_the_source_through_its_connector(
    workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    sources = zendesk_only(workspace_dir, zendesk_fake.url)
    inbox = Inbox.of_workspace(workspace_dir)
    inbox.append(hint("zendesk-main", 1, AT))
    inbox.append(hint("zendesk-main", 2, AT - timedelta(minutes=1)))
    with Workspace.open(workspace_dir) as ws:
        assert ws.store.scalar("SELECT count(*) FROM tickets") == 0
        reports = apply_pending(inbox, ws.store, sources, SystemClock())
        tickets = ws.store.scalar("SELECT count(*) FROM tickets WHERE source = 'zendesk-main'")
    assert reports["zendesk-main"].error is None
    assert tickets > 0
    assert {(r.delivery_id, r.state) for r in inbox.recent()} == {
        ("d1", "applied"),
        ("d2", "applied"),
    }
    assert inbox.pending() == {}


def test_pending_deliveries_come_in_order_of_their_instants(workspace_dir: Path) -> None:
    inbox = Inbox.of_workspace(workspace_dir)
    for number, minutes in ((1, 5), (2, 1), (3, 3)):
        inbox.append(hint("zendesk-main", number, AT + timedelta(minutes=minutes)))
    assert inbox.pending() == {"zendesk-main": ["d2", "d3", "d1"]}


def test_a_failed_sync_marks_the_deliveries_failed_with_its_error_and_retry_applies_them(
    workspace_dir: Path, secrets_env: dict[str, str]
) -> None:
    seen: list[str] = []

    def sync(store: object, name: str, source: SourceConfig, **kw: object) -> SourceReport:
        seen.append(name)
        report = SourceReport(name, source.vendor)
        report.error = None if len(seen) > 1 else f"{name}: the credentials were refused"
        return report

    sources = zendesk_only(workspace_dir, "http://127.0.0.1:9")
    inbox = Inbox.of_workspace(workspace_dir)
    inbox.append(hint("zendesk-main", 1, AT))
    with Workspace.open(workspace_dir) as ws:
        apply_pending(inbox, ws.store, sources, SystemClock(), sync=sync)
        (row,) = inbox.recent()
        assert (row.state, row.error) == ("failed", "zendesk-main: the credentials were refused")
        assert inbox.pending() == {}
        assert inbox.retry("zendesk-main") == 1
        apply_pending(inbox, ws.store, sources, SystemClock(), sync=sync)
    (row,) = inbox.recent()
    assert (row.state, row.error, row.attempts) == ("applied", None, 2)


def test_a_delivery_for_a_source_no_longer_configured_fails_with_that_reason(
    workspace_dir: Path,
) -> None:
    inbox = Inbox.of_workspace(workspace_dir)
    inbox.append(hint("gone", 1, AT))
    with Workspace.open(workspace_dir) as ws:
        assert apply_pending(inbox, ws.store, {}, SystemClock()) == {}
    assert inbox.recent()[0].error == "no source 'gone' in supportops.yaml"


def test_a_source_is_due_when_its_schedule_has_elapsed() -> None:
    every5 = SourceConfig.model_validate({"vendor": "zendesk", "url": "x", "schedule": "5m"})
    never = SourceConfig.model_validate({"vendor": "zendesk", "url": "x"})
    sources = {"a": every5, "b": every5, "c": every5, "manual": never}
    last = {"a": AT - timedelta(minutes=5), "b": AT - timedelta(minutes=4, seconds=59)}
    assert every5.schedule == 300
    assert due(sources, last, AT) == ["a", "c"]


def test_the_live_thread_syncs_on_schedule_without_any_webhook(
    workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    add_sources(workspace_dir, zendesk_fake.url)
    with Workspace.open(workspace_dir) as ws:
        source = ws.config.sources["zendesk-main"].model_copy(update={"schedule": 300})
        clock = FrozenClock(AT)
        changes: list[int] = []
        live = LiveSync(
            Inbox.of_workspace(workspace_dir),
            {"zendesk-main": source},
            lambda: _same(ws.store),
            clock,
            changed=lambda: changes.append(1),
        )
        live.last.update(last_syncs(ws.store, ["zendesk-main"]))
        assert live.last == {"zendesk-main": None}
        assert live.step() is True  # never synced: due now
        requests = len(zendesk_fake.seen)
        assert live.step() is False and len(zendesk_fake.seen) == requests  # not due again
        assert changes == [1]
        assert ws.store.scalar("SELECT count(*) FROM tickets") > 0
        assert last_syncs(ws.store, ["zendesk-main"])["zendesk-main"] is not None


class _Moving:
    """A clock the test moves on."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def test_a_source_is_synced_for_deliveries_at_most_once_per_its_vendors_gap(
    workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    sources = zendesk_only(workspace_dir, zendesk_fake.url)
    inbox = Inbox.of_workspace(workspace_dir)
    clock = _Moving(AT)
    with Workspace.open(workspace_dir) as ws:
        live = LiveSync(inbox, sources, lambda: _same(ws.store), clock)
        inbox.append(hint("zendesk-main", 1, AT))
        live.step()
        synced = len(zendesk_fake.seen)
        assert synced > 0 and inbox.pending() == {}
        clock.at = AT + timedelta(seconds=10)  # Zendesk's gap is 18 s (10 exports a minute)
        inbox.append(hint("zendesk-main", 2, clock.at))
        live.step()
        assert len(zendesk_fake.seen) == synced  # no request: the delivery waits, received
        assert inbox.pending() == {"zendesk-main": ["d2"]}
        clock.at = AT + timedelta(seconds=18)
        live.step()
        assert len(zendesk_fake.seen) > synced and inbox.pending() == {}
    assert {(r.delivery_id, r.state) for r in inbox.recent()} == {
        ("d1", "applied"),
        ("d2", "applied"),
    }


def test_a_sources_own_sync_gap_replaces_its_vendors(
    workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    """An account with a higher rate limit (Zendesk's High Volume add-on: 30 incremental
    exports a minute) sets a shorter gap; a cautious one, a longer gap."""
    sources = zendesk_only(workspace_dir, zendesk_fake.url)
    quick = {n: s.model_copy(update={"sync_gap": 6}) for n, s in sources.items()}
    slow = {n: s.model_copy(update={"sync_gap": 60}) for n, s in sources.items()}
    clock = _Moving(AT)
    for chosen, waits, goes in ((quick, 5, 6), (slow, 30, 60)):
        live = LiveSync(Inbox.of_workspace(workspace_dir), chosen, lambda: nullcontext(), clock)
        live.pulled["zendesk-main"] = AT
        assert not live.ready("zendesk-main", AT + timedelta(seconds=waits))
        assert live.ready("zendesk-main", AT + timedelta(seconds=goes))
    config = SourceConfig.model_validate({**_plain(sources["zendesk-main"]), "sync_gap": "6s"})
    assert config.sync_gap == 6


def _plain(source: SourceConfig) -> dict[str, object]:
    return source.model_dump(mode="json", exclude_none=True)


class _same:
    """The store itself as a session (a test has no other writer)."""

    def __init__(self, store: object) -> None:
        self.store = store

    def __enter__(self) -> object:
        return self.store

    def __exit__(self, *exc: object) -> None:
        return None
