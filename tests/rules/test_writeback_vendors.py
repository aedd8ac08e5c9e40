"""Live rules write back to Help Scout, Salesforce and Intercom as each API documents it, over
real HTTP to their fakes: each action reaches the ticket once, a second sync sends nothing, the
next sync reads the new values back, and what the vendor refuses is recorded ``failed`` while
the other actions go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from supportops.connectors.runner import Network
from supportops.connectors.setup import add_source
from supportops.rules.ledger import read_ledger
from supportops.workspace import Workspace
from tests.connectors.fakes.helpscout import FakeHelpScout, generate
from tests.connectors.fakes.server import FakeServer
from tests.rules.test_writeback import _append, _results, _sync

ENV = {"HELPSCOUT_SECRET": "secret"}


def _workspace(folder: Path, name: str, settings: dict[str, Any], rules: str) -> None:
    add_source(folder / "supportops.yaml", name, settings)
    _append(folder, rules)


def _writes(server: FakeServer, prefix: str) -> list[tuple[str, str, Any]]:
    return [(s.method, s.path, s.body) for s in server.writes() if s.path.startswith(prefix)]


HELPSCOUT_RULES = """
rules:
  mode: live
  rules:
    - name: close-and-hand-over
      on: [customer_message]
      when: {ticket_id: ["1000"]}
      actions:
        - set: {status: solved}
        - set: {assignee_id: "12"}
        - add_tags: [handed-over]
        - note: Closed by the rules
"""


def test_help_scout_takes_status_assignee_tags_and_a_note_once(workspace_dir: Path) -> None:
    helpscout = FakeHelpScout()
    for conversation in generate(3):
        helpscout.put(conversation)
    helpscout.users = [
        {"id": n, "firstName": name, "lastName": "Agent", "type": "user", "email": f"{name}@x.io"}
        for n, name in ((11, "vernon"), (12, "ada"))
    ]
    folder = workspace_dir
    with helpscout.serve(max_requests=500) as server:
        settings = {
            "vendor": "helpscout",
            "url": server.url,
            "auth": {"client_id": "app", "client_secret_env": "HELPSCOUT_SECRET"},
        }
        _workspace(folder, "hs", settings, HELPSCOUT_RULES)
        network = Network(env=ENV)
        with Workspace.open(folder) as ws:
            _sync(ws, "hs", network)
            writes = _writes(server, "/v2/conversations/")
            results = _results(ws)
            _sync(ws, "hs", network)  # the writes come back as threads: nothing sent again
            again = _writes(server, "/v2/conversations/")
            stored = ws.store.query(
                "SELECT status, assignee_id, tags FROM tickets WHERE ticket_id = '1000'"
            )
            events = ws.store.query(
                "SELECT kind, value, public FROM events WHERE ticket_id = '1000' ORDER BY \"at\""
            )
    assert writes == [
        (
            "PATCH",
            "/v2/conversations/1000",
            {"op": "replace", "path": "/status", "value": "closed"},
        ),
        ("PATCH", "/v2/conversations/1000", {"op": "replace", "path": "/assignTo", "value": 12}),
        ("PUT", "/v2/conversations/1000/tags", {"tags": ["handed-over"]}),
        ("POST", "/v2/conversations/1000/notes", {"text": "Closed by the rules"}),
    ]
    assert set(results.values()) == {"written"} and len(results) == 4
    assert again == writes
    conversation = helpscout.conversations["1000"]
    assert conversation["status"] == "closed" and conversation["assignee"]["id"] == 12
    assert [t["tag"] for t in conversation["tags"]] == ["handed-over"]
    row = stored.iloc[0]
    assert (row["status"], row["assignee_id"], list(row["tags"])) == (
        "solved",
        "12",
        ["handed-over"],
    )
    notes = events[(events["kind"] == "message") & ~events["public"].astype(bool)]
    assert "solved" in set(events[events["kind"] == "status"]["value"]) and len(notes) >= 1


SALESFORCE_RULES = """
rules:
  mode: live
  rules:
    - name: escalate-case
      on: [customer_message]
      when: {ticket_id: ["5005g0000000001"]}
      actions:
        - set: {priority: urgent}
        - set: {type: Problem}
        - note: Escalated by the rules
        - add_tags: [escalated]
"""


def test_salesforce_takes_case_fields_and_a_private_comment_once(workspace_dir: Path) -> None:
    from tests.connectors.fakes.salesforce import VERSION, FakeSalesforce
    from tests.connectors.fakes.salesforce import generate as cases

    salesforce = FakeSalesforce()
    salesforce.objects = cases(3)
    folder = workspace_dir
    with salesforce.serve(max_requests=500) as server, salesforce.login.serve(max_requests=50):
        settings = {
            "vendor": "salesforce",
            "url": salesforce.login.base_url,
            "auth": {"client_id": "app", "client_secret_env": "SF_SECRET"},
        }
        _workspace(folder, "sf", settings, SALESFORCE_RULES)
        network = Network(env={"SF_SECRET": "secret"})
        with Workspace.open(folder) as ws:
            _sync(ws, "sf", network)
            writes = _writes(server, f"/services/data/{VERSION}/sobjects/")
            results = _results(ws)
            _sync(ws, "sf", network)
            again = _writes(server, f"/services/data/{VERSION}/sobjects/")
            stored = ws.store.query(
                "SELECT priority, type FROM tickets WHERE ticket_id = '5005g0000000001'"
            )
    case_path = f"/services/data/{VERSION}/sobjects/Case/5005g0000000001"
    assert writes == [
        ("PATCH", case_path, {"Priority": "Critical"}),
        ("PATCH", case_path, {"Type": "Problem"}),
        (
            "POST",
            f"/services/data/{VERSION}/sobjects/CaseComment",
            {
                "ParentId": "5005g0000000001",
                "CommentBody": "Escalated by the rules",
                "IsPublished": False,
            },
        ),
    ]
    assert results[("5005g0000000001", "add_tags", "tags")] == (
        "skipped: Salesforce Cases have no tags"
    )
    written = {k: v for k, v in results.items() if k[1] != "add_tags"}
    assert set(written.values()) == {"written"} and len(written) == 3
    assert again == writes
    case = next(c for c in salesforce.objects["Case"] if c["Id"] == "5005g0000000001")
    assert (case["Priority"], case["Type"]) == ("Critical", "Problem")
    comment = salesforce.objects["CaseComment"][-1]
    assert (comment["CommentBody"], comment["IsPublished"]) == ("Escalated by the rules", False)
    assert (stored.iloc[0]["priority"], stored.iloc[0]["type"]) == ("urgent", "Problem")


INTERCOM_RULES = """
rules:
  mode: live
  rules:
    - name: mark-plan
      on: [customer_message]
      when: {ticket_id: ["100000"]}
      actions:
        - set: {custom.plan: pro}
        - set: {priority: high}
"""


def test_intercom_takes_custom_attributes_and_says_what_needs_an_admin(
    workspace_dir: Path,
) -> None:
    from tests.connectors.fakes.intercom import FakeIntercom
    from tests.connectors.fakes.intercom import generate as conversations

    intercom = FakeIntercom()
    for conversation in conversations(2):
        intercom.put(conversation)
    folder = workspace_dir
    with intercom.serve(max_requests=500) as server:
        settings = {"vendor": "intercom", "url": server.url, "auth": {"token_env": "IC_TOKEN"}}
        _workspace(folder, "ic", settings, INTERCOM_RULES)
        network = Network(env={"IC_TOKEN": "secret"})
        with Workspace.open(folder) as ws:
            _sync(ws, "ic", network)
            writes = [w for w in _writes(server, "/conversations/") if w[0] == "PUT"]
            results = _results(ws)
            ledger = read_ledger(ws.store, limit=100)
            plan_results = list(ledger[ledger["field"] == "custom.plan"]["result"])
            _sync(ws, "ic", network)
            again = [w for w in _writes(server, "/conversations/") if w[0] == "PUT"]
    assert writes == [("PUT", "/conversations/100000", {"custom_attributes": {"plan": "pro"}})]
    # two customer messages fired the rule: the second, identical write is not sent again
    assert sorted(plan_results) == ["unchanged", "written"]
    assert results[("100000", "set", "priority")].startswith("skipped: ")
    assert results[("100000", "set", "custom.plan")] in ("written", "unchanged")
    assert again == writes
    assert intercom.conversations["100000"]["custom_attributes"]["plan"] == "pro"
