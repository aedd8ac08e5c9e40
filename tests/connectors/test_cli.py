"""``supportops connect``, ``sync`` and ``sources`` as a user types them, against the fake."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from supportops.cli import app
from supportops.config import load_config
from tests.connectors.fakes.server import FakeServer
from tests.connectors.fakes.zendesk import EMAIL, TOKEN, ZendeskAccount

runner = CliRunner()


def run(*args: str, token: str = TOKEN) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"ZENDESK_TOKEN": token, "COLUMNS": "240"})
    if result.exception and not isinstance(result.exception, SystemExit):
        from supportops.errors import SupportOpsError

        assert isinstance(result.exception, SupportOpsError), result.exception
        return 2, str(result.exception)
    return result.exit_code, result.output


def connect(ws: Path, name: str, url: str, token: str = TOKEN) -> tuple[int, str]:
    return run(
        "connect",
        "zendesk",
        "--name",
        name,
        "--url",
        url,
        "--email",
        EMAIL,
        "--token-env",
        "ZENDESK_TOKEN",
        "-w",
        str(ws),
        token=token,
    )


def test_connect_checks_the_credentials_then_adds_the_source(
    workspace_dir: Path, zendesk_fake: FakeServer
) -> None:
    code, out = connect(workspace_dir, "zendesk", zendesk_fake.url)
    assert code == 0, out
    assert [s.path for s in zendesk_fake.seen] == ["/api/v2/users/me.json"]
    source = load_config(workspace_dir / "supportops.yaml").sources["zendesk"]
    assert (source.vendor, source.url, source.auth.token_env) == (
        "zendesk",
        zendesk_fake.url,
        "ZENDESK_TOKEN",
    )
    assert TOKEN not in (workspace_dir / "supportops.yaml").read_text()


def test_connect_with_a_wrong_token_adds_nothing(
    workspace_dir: Path, zendesk_fake: FakeServer
) -> None:
    code, out = connect(workspace_dir, "zendesk", zendesk_fake.url, token="wrong")
    assert code == 2 and "HTTP 401" in out
    assert load_config(workspace_dir / "supportops.yaml").sources == {}


def test_sync_prints_a_table_per_stream_and_sources_shows_the_last_sync(
    workspace_dir: Path, zendesk_fake: FakeServer, zendesk_account: ZendeskAccount
) -> None:
    connect(workspace_dir, "zendesk", zendesk_fake.url)
    code, out = run("sync", "-w", str(workspace_dir))
    assert code == 0, out
    for stream in ("users", "tickets", "ticket_events", "satisfaction_ratings"):
        assert stream in out
    assert "rows written" in out and "requests" in out
    code, out = run("sources", "-w", str(workspace_dir))
    assert code == 0, out
    assert "zendesk" in out and "never" not in out and "ticket events" in out
    published = sum(not a["draft"] for a in zendesk_account.articles)
    assert f"{published}: Guide articles" in out


def test_a_source_with_bad_credentials_fails_alone_with_one_line(
    workspace_dir: Path, zendesk_fake: FakeServer
) -> None:
    connect(workspace_dir, "zendesk", zendesk_fake.url)
    text = (workspace_dir / "supportops.yaml").read_text()
    broken = text.replace("token_env: ZENDESK_TOKEN", "token_env: OTHER_TOKEN")
    broken = broken.replace("  zendesk:\n", "  other:\n", 1)
    (workspace_dir / "supportops.yaml").write_text(text + broken[broken.index("  other:") :])
    code, out = run("sync", "-w", str(workspace_dir))
    assert code == 1
    assert "other: " in out and "OTHER_TOKEN" in out
    assert out.count("error:") == 1
    code, out = run("sources", "-w", str(workspace_dir))
    assert "OTHER_TOKEN" in out


def test_sync_names_an_unknown_source(workspace_dir: Path, zendesk_fake: FakeServer) -> None:
    connect(workspace_dir, "zendesk", zendesk_fake.url)
    code, out = run("sync", "zendsk", "-w", str(workspace_dir))
    assert code == 2 and "unknown source 'zendsk'; known: zendesk" in out


def test_import_config_proposes_calendars_policies_and_statuses_then_writes_them(
    workspace_dir: Path, zendesk_fake: FakeServer
) -> None:
    connect(workspace_dir, "zendesk", zendesk_fake.url)
    code, out = run(
        "connect",
        "zendesk",
        "--name",
        "zendesk",
        "--url",
        zendesk_fake.url,
        "--import-config",
        "-w",
        str(workspace_dir),
    )
    assert code == 0, out
    assert "timezone: Pacific/Noumea" in out  # Zendesk's "New Caledonia"
    assert "zendesk-test-schedule" not in load_config(workspace_dir / "supportops.yaml").calendars
    code, out = run(
        "connect",
        "zendesk",
        "--name",
        "zendesk",
        "--url",
        zendesk_fake.url,
        "--import-config",
        "--write",
        "-w",
        str(workspace_dir),
    )
    assert code == 0, out
    config = load_config(workspace_dir / "supportops.yaml")
    calendar = config.calendars["zendesk-test-schedule"]
    assert calendar.timezone == "Pacific/Noumea"
    assert calendar.hours["mon"] == ["09:00-17:00"] and calendar.hours["fri"] == ["10:30-18:30"]
    policy = {p.name: p for p in config.sla_policies}["test police (high)"]
    assert policy.targets.first_reply is not None and policy.targets.first_reply.target == 61 * 60
    assert config.sources["zendesk"].status_map["Solved"] == "solved"
