"""Zendesk triggers and automations: imported into rules with the zendesk semantics, and
exported back to the same conditions and actions; what we cannot express is kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from supportops.rules.lint import lint
from supportops.rules.zendesk import export_zendesk, import_zendesk


def _recorded(shared_data: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    path = shared_data / "api" / "zendesk" / "expected_records_subset.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("stream") in ("triggers", "automations"):
            out.setdefault(record["stream"], []).append(record["data"])
    return out


def test_the_real_triggers_and_automations_round_trip(shared_data: Path) -> None:
    data = _recorded(shared_data)
    originals = [*data["triggers"], *data["automations"]]
    ruleset = import_zendesk(data)
    assert ruleset.semantics == "zendesk"
    assert [r.name for r in ruleset.rules] == [o["title"] for o in originals]
    for rule, original in zip(ruleset.rules, originals, strict=True):
        back = export_zendesk(rule)
        assert back["conditions"] == original["conditions"]
        assert back["actions"] == original["actions"]
        assert back["id"] == original["id"] and back["position"] == original["position"]


def test_what_the_real_records_say_in_our_terms(shared_data: Path) -> None:
    trigger, automation = import_zendesk(_recorded(shared_data)).rules
    assert automation.timed and automation.every == 60
    assert automation.actions[0].data() == {"set": {"status": "closed"}}
    # "status changed to solved" is a change of status and its new value
    assert "changed" in repr(trigger.when) and "solved" in repr(trigger.when)
    # via_id (the channel's number) is kept as written; its `any` has nothing else, so the
    # trigger cannot fire here: lint says so
    assert {u.original["field"] for u in trigger.unsupported} == {"via_id"}
    kinds = {f.kind for f in lint(import_zendesk(_recorded(shared_data)))}
    assert "unsupported" in kinds


CONDITIONS = [
    {"field": "update_type", "operator": "is", "value": "Create"},
    {"field": "status", "operator": "is_not", "value": "hold"},
    {"field": "priority", "operator": "value_previous", "value": "low"},
    {"field": "group_id", "operator": "changed", "value": None},
    {"field": "assignee_id", "operator": "not_changed", "value": None},
    {"field": "current_tags", "operator": "includes", "value": "vip gold"},
    {"field": "current_tags", "operator": "not_includes", "value": "spam"},
    {"field": "comment_includes_word", "operator": "includes", "value": "refund"},
    {"field": "subject_includes_word", "operator": "not_includes", "value": "test"},
    {"field": "role", "operator": "is", "value": "end_user"},
    {"field": "custom_fields_360001", "operator": "is", "value": "enterprise"},
    {"field": "OPEN", "operator": "greater_than", "value": "24"},
]
ACTIONS = [
    {"field": "group_id", "value": "360000123"},
    {"field": "priority", "value": "urgent"},
    {"field": "status", "value": "hold"},
    {"field": "current_tags", "value": "routed vip"},
    {"field": "remove_tags", "value": "new"},
    {"field": "comment_value", "value": "Routed by rule"},
    {"field": "notification_user", "value": ["requester_id", "We got it", "Thanks {{ticket.id}}"]},
    {"field": "notification_webhook", "value": ["01H", '{"id": 1}']},
    {"field": "custom_fields_360001", "value": "gold"},
    {"field": "satisfaction_score", "value": "offered"},
]


@pytest.mark.parametrize(
    "condition", CONDITIONS, ids=[c["field"] + ":" + c["operator"] for c in CONDITIONS]
)
def test_each_mapped_condition_round_trips(condition: dict[str, Any]) -> None:
    record = {"title": "t", "conditions": {"all": [condition], "any": []}, "actions": ACTIONS[:1]}
    rule = import_zendesk({"triggers": [record]}).rules[0]
    assert not rule.unsupported
    assert export_zendesk(rule)["conditions"] == record["conditions"]


def test_actions_round_trip_and_the_unknown_one_is_kept() -> None:
    record = {"title": "t", "conditions": {"all": [], "any": []}, "actions": ACTIONS}
    rule = import_zendesk([record]).rules[0]
    assert [a.kind for a in rule.actions][-1] == "unsupported"
    assert export_zendesk(rule)["actions"] == ACTIONS


def test_an_unsupported_condition_keeps_its_place() -> None:
    conditions = {
        "all": [
            {"field": "status", "operator": "is", "value": "new"},
            {"field": "brand_id", "operator": "is", "value": "77"},
            {"field": "priority", "operator": "is", "value": "high"},
        ],
        "any": [],
    }
    rule = import_zendesk([{"title": "t", "conditions": conditions, "actions": ACTIONS[:1]}]).rules[
        0
    ]
    assert not rule.runnable  # an `all` part we cannot test: the rule is not run
    assert export_zendesk(rule)["conditions"] == conditions
