"""Freshdesk automation rules, in the API's shape (GET /api/v2/automations/1/rules): the
shared data holds no recorded rules, so these records follow the API reference."""

from __future__ import annotations

from typing import Any

from supportops.rules.freshdesk import export_freshdesk, import_freshdesk
from supportops.rules.history import replay_history

RULES: list[dict[str, Any]] = [
    {
        "id": 11,
        "name": "Urgent billing",
        "position": 1,
        "active": True,
        "operator": "condition_set_1",
        "conditions": [
            {
                "name": "condition_set_1",
                "match_type": "all",
                "properties": [
                    {
                        "resource_type": "ticket",
                        "field_name": "priority",
                        "operator": "in",
                        "value": [3, 4],
                    },
                    {
                        "resource_type": "ticket",
                        "field_name": "subject",
                        "operator": "contains",
                        "value": "invoice",
                    },
                    {
                        "resource_type": "contact",
                        "field_name": "language",
                        "operator": "is",
                        "value": "fr",
                    },
                ],
            }
        ],
        "actions": [
            {"resource_type": "ticket", "field_name": "group_id", "value": 5},
            {"field_name": "add_tag", "value": ["billing"]},
            {"field_name": "send_email_to_requester", "email_subject": "Hi", "email_body": "x"},
        ],
    },
    {
        "id": 12,
        "name": "Any urgent",
        "position": 2,
        "active": True,
        "operator": "condition_set_1",
        "conditions": [
            {
                "name": "condition_set_1",
                "match_type": "any",
                "properties": [
                    {
                        "resource_type": "ticket",
                        "field_name": "priority",
                        "operator": "is",
                        "value": 4,
                    },
                    {
                        "resource_type": "ticket",
                        "field_name": "tag_names",
                        "operator": "in",
                        "value": ["vip"],
                    },
                ],
            }
        ],
        "actions": [{"resource_type": "ticket", "field_name": "status", "value": 2}],
    },
]


def test_ticket_creation_rules_import_with_first_match_and_round_trip() -> None:
    ruleset = import_freshdesk({"rules": RULES})
    assert ruleset.semantics == "freshdesk"
    first, second = ruleset.rules
    assert first.on == ["create"] and first.actions[0].data() == {"set": {"group": "5"}}
    assert [u.original["field_name"] for u in first.unsupported] == ["language"]
    assert second.actions[0].data() == {"set": {"status": "open"}}
    for rule, original in zip(ruleset.rules, RULES, strict=True):
        back = export_freshdesk(rule)
        assert back["conditions"] == original["conditions"]
        assert back["actions"][0]["field_name"] == original["actions"][0]["field_name"]
        assert back["actions"][-1] == original["actions"][-1]


def test_only_the_first_matching_rule_runs() -> None:
    import pandas as pd

    rule = {**RULES[1], "conditions": [{**RULES[1]["conditions"][0]}], "id": 13}
    ruleset = import_freshdesk(
        [
            {
                **rule,
                "name": "A",
                "position": 1,
                "actions": [{"resource_type": "ticket", "field_name": "priority", "value": 1}],
            },
            {**rule, "name": "B", "position": 2},
        ]
    )
    tickets = pd.DataFrame(
        [
            {
                "source": "fd",
                "ticket_id": "1",
                "created_at": pd.Timestamp("2026-11-02T09:00Z"),
                "status": "new",
                "priority": "urgent",
                "tags": [],
            }
        ]
    )
    events = pd.DataFrame(
        [
            {
                "source": "fd",
                "ticket_id": "1",
                "at": pd.Timestamp("2026-11-02T09:00Z"),
                "kind": "created",
                "actor": "customer",
                "value": None,
                "previous": None,
                "event_id": "e1",
            }
        ]
    )
    actions = replay_history(ruleset, tickets, events).actions
    assert list(actions["rule"]) == ["A"]
