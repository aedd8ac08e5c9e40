"""The server runs the alert rules in the background while it serves, and only when asked."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from supportops.cli import app as cli
from supportops.tokens import TokenFile
from supportops.web import create_app
from tests.alerts.conftest import every_kind, make_workspace
from tests.alerts.receivers import Webhook


def _wait(until: float, done: object) -> None:
    while time.monotonic() < until and not done():  # type: ignore[operator]
        time.sleep(0.05)


def test_the_server_delivers_alerts_while_it_runs(
    tmp_path: Path, golden_files: Path, webhook: Webhook
) -> None:
    # at the real clock the golden backlog is 12, as it was an hour ago, but a year ago it was 0
    rules = [{**every_kind(webhook.url)[3], "window": "365d"}]
    folder = make_workspace(tmp_path, golden_files, rules)
    app = create_app(folder, alert_interval=0.2)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        _wait(time.monotonic() + 20, lambda: webhook.received)
        time.sleep(0.5)  # more runs: nothing new to send
    app.state.web.close()
    assert len(webhook.received) == 1
    assert "backlog" in webhook.received[0]["text"]
    assert (folder / "alerts_ledger.json").exists()


def test_without_an_interval_the_server_sends_nothing(
    tmp_path: Path, golden_files: Path, webhook: Webhook
) -> None:
    folder = make_workspace(tmp_path, golden_files, every_kind(webhook.url))
    app = create_app(folder)
    with TestClient(app) as client:
        client.get("/healthz")
        time.sleep(0.3)
    app.state.web.close()
    assert webhook.received == [] and not (folder / "alerts_ledger.json").exists()


def test_the_command_runs_the_rules_as_of_an_instant(
    tmp_path: Path, golden_files: Path, webhook: Webhook
) -> None:
    folder = make_workspace(tmp_path, golden_files, every_kind(webhook.url))
    runner = CliRunner()
    args = ["alerts", "run", "--as-of", "2026-03-10T14:20:00Z", "-w", str(folder)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "first-reply-risk" in first.output and "sent" in first.output
    second = runner.invoke(cli, args)
    assert second.exit_code == 0 and "nothing new" in second.output
    assert len(webhook.received) == 4
    listed = runner.invoke(cli, ["alerts", "list", "-w", str(folder)])
    assert all(name in listed.output for name in ("chat-spike", "csat-falls", "backlog-grows"))


def test_the_config_api_hides_the_webhook_secret(tmp_path: Path, golden_files: Path) -> None:
    folder = make_workspace(
        tmp_path, golden_files, every_kind("https://hooks.example.com/T/B/s3")[:1]
    )
    token = TokenFile.of_workspace(folder).create("admin", "admin")[1]
    app = create_app(folder)
    answer = TestClient(app).get("/api/config", headers={"Authorization": f"Bearer {token}"})
    app.state.web.close()
    (rule,) = answer.json()["alerts"]
    assert rule["deliver"]["slack_webhook"] == "https://hooks.example.com/…"
    assert "s3" not in answer.text
