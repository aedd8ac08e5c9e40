"""``supportops sync`` over three vendors at once, as a user types it: a refused Intercom token
stops Intercom with one line and exit status 1, while Help Scout and Salesforce still sync;
``supportops sources`` then shows each one's history, where its accounts come from and its last
error."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from supportops.cli import app
from supportops.store import open_store
from tests.connectors.fakes.helpscout import FakeHelpScout
from tests.connectors.fakes.helpscout import generate as helpscout_conversations
from tests.connectors.fakes.intercom import FakeIntercom
from tests.connectors.fakes.intercom import generate as intercom_conversations
from tests.connectors.fakes.salesforce import FakeSalesforce
from tests.connectors.fakes.salesforce import generate as salesforce_objects

ENV = {"INTERCOM_TOKEN": "not-the-token", "HELPSCOUT_SECRET": "secret", "SF_SECRET": "secret"}


def sources_yaml(intercom: str, helpscout: str, salesforce: str) -> str:
    return f"""
sources:
  intercom:
    vendor: intercom
    url: {intercom}
    auth: {{token_env: INTERCOM_TOKEN}}
  helpscout:
    vendor: helpscout
    url: {helpscout}
    auth: {{client_id: app, client_secret_env: HELPSCOUT_SECRET}}
  salesforce:
    vendor: salesforce
    url: {salesforce}
    auth: {{client_id: app, client_secret_env: SF_SECRET}}
    status_map: {{Working: pending}}
"""


def test_a_refused_source_fails_alone_and_the_others_sync(workspace_dir: Path) -> None:
    intercom, helpscout, salesforce = FakeIntercom(), FakeHelpScout(), FakeSalesforce()
    for conversation in intercom_conversations(3):
        intercom.put(conversation)
    for one in helpscout_conversations(5):
        helpscout.put(one)
    salesforce.objects = salesforce_objects(4)
    runner = CliRunner()
    with intercom.serve(), helpscout.serve(), salesforce.serve(), salesforce.login.serve():
        config = workspace_dir / "supportops.yaml"
        urls = (intercom.base_url, helpscout.base_url, salesforce.login.base_url)
        config.write_text(config.read_text() + sources_yaml(*urls))
        done = runner.invoke(app, ["sync", "--workspace", str(workspace_dir)], env=ENV)
        wide = {**ENV, "COLUMNS": "400"}
        listed = runner.invoke(app, ["sources", "--workspace", str(workspace_dir)], env=wide)
    assert done.exit_code == 1, done.output
    errors = [line for line in done.output.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: intercom: the credentials were refused (HTTP 401): check the token and its "
        "environment variable"
    ]
    store = open_store("duckdb", workspace_dir, read_only=True)
    try:
        counts = store.arrow(
            "SELECT source, count(*) AS n FROM tickets GROUP BY source ORDER BY source"
        ).to_pylist()
    finally:
        store.close()
    assert counts == [{"source": "helpscout", "n": 5}, {"source": "salesforce", "n": 4}]
    assert listed.exit_code == 0, listed.output
    assert "CaseHistory" in listed.output and "credentials were refused" in listed.output
    assert "documents customers, no organizations" in listed.output  # Help Scout: no accounts
    assert "Account (Type as segment" in listed.output
