"""The rules run on every applied event: a sync (from `supportops sync`, a webhook or the
schedule) hands each page's events to the workspace's rules inside the page's transaction, and
each action lands once in the action ledger — a second sync with nothing new adds none."""

from __future__ import annotations

from pathlib import Path

from supportops.connectors.runner import sync_source
from supportops.rules.live import on_events_of
from supportops.workspace import Workspace
from tests.connectors.fakes.server import FakeServer
from tests.webhooks.conftest import add_sources

RULES = """
rules:
  semantics: default
  mode: dry_run
  rules:
    - name: tag-touched
      on: [update]
      when: {}
      actions:
        - add_tags: [seen-by-rules]
"""


def test_a_sync_runs_the_rules_on_its_events_once(
    workspace_dir: Path, secrets_env: dict[str, str], zendesk_fake: FakeServer
) -> None:
    add_sources(workspace_dir, zendesk_fake.url)
    config = workspace_dir / "supportops.yaml"
    config.write_text(config.read_text(encoding="utf-8") + RULES, encoding="utf-8")
    with Workspace.open(workspace_dir) as ws:
        source = ws.config.sources["zendesk-main"]
        hook = on_events_of(ws)
        assert hook is not None
        sync_source(ws.store, "zendesk-main", source, clock=ws.clock, on_events=hook)
        synced = set(
            ws.store.arrow("SELECT ticket_id FROM tickets WHERE source = 'zendesk-main'")
            .column(0)
            .to_pylist()
        )
        first = ws.store.arrow('SELECT rule, ticket_id, result, mode FROM "rule_actions"')
        sync_source(ws.store, "zendesk-main", source, clock=ws.clock, on_events=hook)
        again = ws.store.count("rule_actions")
    rows = first.to_pylist()
    assert rows and {r["ticket_id"] for r in rows} <= synced
    assert {(r["rule"], r["result"], r["mode"]) for r in rows} == {
        ("tag-touched", "dry_run", "dry_run")
    }
    assert again == len(rows)  # nothing new upstream: no action again


def test_without_rules_the_sync_has_no_hook(workspace_dir: Path) -> None:
    with Workspace.open(workspace_dir) as ws:
        assert on_events_of(ws) is None
