"""Names instead of ids (:mod:`supportops.metrics.names`), on both engines: agents from the
agents table, organizations from the accounts table (none while the store has no such table),
groups from the config; the id where no name is known."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from supportops.metrics.names import names
from supportops.metrics.ticket_files import csv_bytes
from supportops.model.schema import TABLES

LOG = {
    "tickets": [
        {
            "ticket_id": "t1",
            "created_at": "2026-03-02T09:00:00Z",
            "status": "open",
            "group": "17",
            "assignee_id": "a1",
            "organization_id": "o1",
        },
        {
            "ticket_id": "t2",
            "created_at": "2026-03-02T10:00:00Z",
            "status": "open",
            "group": "Billing",
            "assignee_id": "a9",
            "organization_id": "o2",
        },
    ],
    "agents": [{"agent_id": "a1", "name": "Ada Lovelace"}, {"agent_id": "a2", "name": ""}],
}
CONFIG = {"groups": {"17": {"name": "Enterprise support"}}}


def _accounts(ws: Any, rows: list[tuple[str, str | None]]) -> None:
    """Rows of the event log's accounts table (its key and name columns)."""
    for org, name in rows:
        ws.store.execute(
            'INSERT INTO accounts (organization_id, "name") VALUES (?, ?)', [org, name]
        )


def test_agents_are_named_from_the_agents_table_and_unknown_ids_stay_ids(make_ws: Any) -> None:
    ws = make_ws(LOG, CONFIG)
    found = names(ws)
    assert found.of("assignee_id", ["a1", "a2", "a9", None]) == {"a1": "Ada Lovelace"}
    assert found.label("assignee_id", "a1") == "Ada Lovelace"
    assert found.label("assignee_id", "a9") == "a9"  # not in the agents table
    assert found.label("assignee_id", "a2") == "a2"  # an empty name is no name
    assert found.label("assignee_id", None) is None


def test_groups_are_named_by_the_config(make_ws: Any) -> None:
    found = names(make_ws(LOG, CONFIG))
    shown = found.labels("group", ["17", "Billing"])
    assert shown == {"17": "Enterprise support", "Billing": "Billing"}


def test_organizations_have_no_names_without_accounts_rows(make_ws: Any) -> None:
    ws = make_ws(LOG, CONFIG)
    assert names(ws).of("organization_id", ["o1", "o2"]) == {}
    assert names(ws).label("organization_id", "o1") == "o1"


def test_organizations_are_named_from_the_accounts_table(make_ws: Any) -> None:
    ws = make_ws(LOG, CONFIG)
    _accounts(ws, [("o1", "Acme Corp"), ("o3", "Globex")])
    assert names(ws).of("organization_id", ["o1", "o2"]) == {"o1": "Acme Corp"}


def test_the_ticket_list_gains_a_name_column_beside_each_id(make_ws: Any) -> None:
    ws = make_ws(LOG, CONFIG)
    _accounts(ws, [("o2", "Initech")])
    frame = ws.tickets()
    columns = list(frame.columns)
    for id_column, name_column in (
        ("assignee_id", "assignee_name"),
        ("group", "group_name"),
        ("organization_id", "organization_name"),
    ):
        assert columns.index(name_column) == columns.index(id_column) + 1
    rows = {r["ticket_id"]: r for r in frame.to_dict("records")}
    assert rows["t1"]["assignee_id"] == "a1" and rows["t1"]["assignee_name"] == "Ada Lovelace"
    assert rows["t2"]["assignee_name"] is None  # the id is kept; the name is empty
    assert rows["t1"]["group_name"] == "Enterprise support" and rows["t2"]["group_name"] is None
    assert rows["t1"]["organization_name"] is None and rows["t2"]["organization_name"] == "Initech"


def test_an_arrow_table_is_named_in_one_pass_and_csv_keeps_the_ids(make_ws: Any) -> None:
    ws = make_ws(LOG, CONFIG)
    table = pa.table(
        {
            "ticket_id": ["t1", "t2", "t3"],
            "assignee_id": ["a1", None, "a1"],
            "organization_id": ["o1", "o1", "o2"],
        }
    )
    named = names(ws).attach(table)
    assert named.column_names == [
        "ticket_id",
        "assignee_id",
        "assignee_name",
        "organization_id",
        "organization_name",
    ]
    assert named["assignee_name"].to_pylist() == ["Ada Lovelace", None, "Ada Lovelace"]
    assert named["organization_name"].null_count == 3
    text = csv_bytes(named, header=True).decode().splitlines()
    assert text[0].split(",")[:3] == ['"ticket_id"', '"assignee_id"', '"assignee_name"']
    assert text[1].startswith('"t1","a1","Ada Lovelace"')


def test_every_named_column_is_a_ticket_column() -> None:
    from supportops.metrics.names import NAMED

    assert {n.column for n in NAMED} <= set(TABLES["tickets"].names)


def test_the_ticket_story_names_its_agent_group_and_organization(make_ws: Any) -> None:
    from supportops.metrics.ticket_story import story
    from supportops.web.ticket_page import shown

    ws = make_ws(LOG, CONFIG)
    _accounts(ws, [("o1", "Acme Corp")])
    told = story(ws, "t1")
    assert told.fields["assignee_id"] == "a1" and told.fields["assignee_name"] == "Ada Lovelace"
    assert told.fields["organization_name"] == "Acme Corp"
    assert told.group_names == {"17": "Enterprise support"}
    fields = shown(told)["fields"]
    assert (fields["assignee_id"], fields["group"]) == ("Ada Lovelace", "Enterprise support")
    assert fields["organization_id"] == "Acme Corp" and "assignee_name" not in fields
    other = shown(story(ws, "t2"))["fields"]
    assert (other["assignee_id"], other["group"], other["organization_id"]) == (
        "a9",
        "Billing",
        "o2",
    )
