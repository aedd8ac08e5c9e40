"""The live hook and the action ledger: every action recorded once, dry by default; a set with
lint errors cannot go live."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supportops.errors import RuleError
from supportops.rules.ledger import read_ledger
from supportops.rules.live import evaluate_applied
from supportops.workspace import Workspace


def _with_rules(folder: Path, section: str) -> None:
    config = folder / "supportops.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + section, encoding="utf-8")


RULES = """\
rules:
  mode: {mode}
  include: [rules/*.yaml]
"""


def _events(ws: Workspace, n: int = 40) -> pd.DataFrame:
    return ws.store.query(
        "SELECT * FROM events WHERE kind = 'created' ORDER BY ticket_id LIMIT ?", [n]
    )


def test_applied_events_go_to_the_ledger_once(demo_copy: Path, routing_file: Path) -> None:
    (demo_copy / "rules").mkdir()
    (demo_copy / "rules" / "routing.yaml").write_text(routing_file.read_text(), encoding="utf-8")
    _with_rules(demo_copy, RULES.format(mode="dry_run"))
    with Workspace.open(demo_copy) as ws:
        events = _events(ws, 400)
        recorded = evaluate_applied(ws, events)
        assert len(recorded) > 0
        assert set(recorded["result"]) == {"dry_run"}
        assert len(evaluate_applied(ws, events)) == 0  # the same events again: nothing new
        ledger = read_ledger(ws.store, limit=10_000)
    assert len(ledger) == len(recorded)
    assert set(ledger["rule"]) <= {"urgent-to-tier2", "chat-high"}
    assert ledger["before"].notna().any() and ledger["after"].notna().all()


def test_a_set_with_lint_errors_cannot_run_live(demo_copy: Path) -> None:
    _with_rules(
        demo_copy,
        "rules:\n  mode: live\n  rules:\n"
        "    - {name: a, on: [create], when: {channel: chat},"
        " actions: [{set: {group: billing}}]}\n"
        "    - {name: b, on: [create], when: {tags: [vip]},"
        " actions: [{set: {group: technical}}]}\n",
    )
    with Workspace.open(demo_copy) as ws, pytest.raises(RuleError, match="cannot run live"):
        evaluate_applied(ws, _events(ws))
