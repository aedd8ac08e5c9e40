"""The Rules page over a demo workspace with a rule set and a dry-run ledger: the rules with
their fires over the range, lint's findings, the replay's comparison, the newest ledger rows —
in the app and in a real browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops.rules.ledger import read_ledger
from supportops.rules.live import evaluate_applied
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.rules.conftest import ROUTING
from tests.web.conftest import session, signed_in_tab

CONFLICT = """\
  - name: chat-billing
    on: [create]
    when: {channel: chat}
    actions: [{set: {group: billing}}]
  - name: chat-technical
    on: [create]
    when: {channel: chat}
    actions: [{set: {group: technical}}]
"""


@pytest.fixture(scope="module")
def rules_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str, int]]:
    """The app over a 2,000-ticket demo with the routing rules and two that conflict; the
    ledger holds the dry run of the first 300 tickets' events."""
    from supportops.cli.demo import build_demo

    folder = tmp_path_factory.mktemp("rules-page") / "demo"
    build_demo(folder, tickets=2000, progress=False)
    (folder / "rules").mkdir()
    (folder / "rules" / "routing.yaml").write_text(ROUTING + CONFLICT, encoding="utf-8")
    config = folder / "supportops.yaml"
    text = config.read_text(encoding="utf-8") + "\nrules:\n  include: [rules/*.yaml]\n"
    config.write_text(text, encoding="utf-8")
    with Workspace.open(folder) as ws:
        events = ws.store.query(
            "SELECT * FROM events WHERE kind = 'created' ORDER BY ticket_id LIMIT 300"
        )
        evaluate_applied(ws, events)
        recorded = len(read_ledger(ws.store, limit=10_000))
    token = TokenFile.of_workspace(folder).create("pages", "read")[1]
    application = create_app(folder)
    yield application, token, recorded
    application.state.web.close()


def test_the_page_shows_fires_lint_replay_and_the_ledger(
    rules_app: tuple[FastAPI, str, int],
) -> None:
    app, token, recorded = rules_app
    assert recorded > 0
    page = TestClient(app, cookies=session(app, token)).get("/rules")
    assert page.status_code == 200
    text = page.text
    for rule in ("urgent-to-tier2", "chat-high", "chat-billing", "chat-technical"):
        assert f'<th scope="row">{rule}</th>' in text
    assert "conflict" in text and "chat-billing, chat-technical" in text  # lint's finding
    assert 'id="rules-replay"' in text and "first-reply SLA met" in text and "Assumption:" in text
    assert "would have had another group" in text
    assert "dry_run" in text and "No action recorded yet" not in text  # the ledger rows
    assert "Replayed over the tickets created" in text and " s.</p>" in text  # how long


def test_the_page_sets_the_routing_strategies_side_by_side(
    rules_app: tuple[FastAPI, str, int],
) -> None:
    app, token, _ = rules_app
    client = TestClient(app, cookies=session(app, token))
    assert 'href="/rules/routing' in client.get("/rules").text
    page = client.get("/rules/routing")
    assert page.status_code == 200
    part = page.text[page.text.index('id="routing"') :]
    for strategy in ("round_robin", "least_loaded", "skills_first", "skills_overflow"):
        assert f'<th scope="row">{strategy}</th>' in part
    assert "on duty in their work shifts" in part and "taken within 1h 0m" in part
    assert part.count("100.0%") >= 1  # skills_first: every ticket needing a skill got one


def test_a_workspace_without_rules_says_how_to_add_them(
    app: FastAPI, tokens: dict[str, str]
) -> None:
    page = TestClient(app, cookies=session(app, tokens["read"])).get("/rules")
    assert page.status_code == 200 and "No rules yet" in page.text
    assert 'href="/rules/routing' in page.text  # routing needs no rule set


@pytest.mark.browser
def test_the_page_renders_its_four_parts_in_a_browser(
    rules_app: tuple[FastAPI, str, int],
) -> None:
    app, token, _ = rules_app
    with signed_in_tab(app, token) as (tab, problems):
        tab.click("nav >> text=Rules")
        tab.wait_for_url("**/rules*")
        assert tab.locator("h1").inner_text() == "Rules"
        rows = {p: tab.locator(f"#{p} tbody tr").count() for p in ("rules-fires", "rules-ledger")}
        findings = tab.inner_text("#rules-lint")
        assert tab.locator("#rules-replay").is_visible()
        assert "first-reply SLA met" in tab.inner_text("#rules-replay")
    assert rows == {"rules-fires": 4, "rules-ledger": 50}  # each rule; the newest 50 actions
    assert "conflict" in findings and problems == []
