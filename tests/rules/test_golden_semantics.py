"""Golden cases per semantics: a small history, a rule set, the actions expected in order.

Each ``golden/semantics_*.yaml`` holds the rule set, the history (one event a line), the
tickets' fixed fields, and the expected actions: ticket, rule, kind, field, value after.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ruamel.yaml import YAML

from supportops.rules.history import replay_history
from supportops.rules.model import RuleSet
from supportops.rules.semantics import SEMANTICS

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("semantics_*.yaml"))


def _frames(case: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    events = pd.DataFrame(
        [
            {
                "source": "golden",
                "ticket_id": e["ticket"],
                "at": pd.Timestamp(e["at"]),
                "kind": e["kind"],
                "actor": e.get("actor"),
                "value": e.get("value"),
                "previous": e.get("previous"),
                "body": e.get("body"),
                "public": e.get("public", True),
                "event_id": f"{e['ticket']}-{i:03d}",
            }
            for i, e in enumerate(case["history"])
        ]
    )
    created = events[events["kind"] == "created"].set_index("ticket_id")["at"]
    tickets = pd.DataFrame(
        [
            {
                "source": "golden",
                "ticket_id": t["ticket"],
                "created_at": created[t["ticket"]],
                "channel": t.get("channel", "email"),
                "status": t.get("status", "new"),
                "priority": t.get("priority"),
                "group": t.get("group"),
                "assignee_id": t.get("assignee_id"),
                "type": t.get("type"),
                "tags": list(t.get("tags", [])),
                "subject": t.get("subject"),
            }
            for t in case["tickets"]
        ]
    )
    return tickets, events


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_semantics(path: Path) -> None:
    case = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    ruleset = RuleSet.model_validate({"semantics": case["semantics"], "rules": case["rules"]})
    tickets, events = _frames(case)
    actions = replay_history(ruleset, tickets, events).actions
    got = (
        [[str(r.ticket_id), r.rule, r.kind, r.field, r.after] for r in actions.itertuples()]
        if len(actions)
        else []
    )
    assert got == [[str(x) for x in row] for row in case["expected"]]


def test_every_semantics_has_a_golden_case() -> None:
    named = {YAML(typ="safe").load(p.read_text(encoding="utf-8"))["semantics"] for p in CASES}
    assert named == set(SEMANTICS)
