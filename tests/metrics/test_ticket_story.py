"""Golden stories: hand-built tickets and what their story must tell, on DuckDB and PostgreSQL.

Each ``story/*.yaml`` holds a ``log``, a ``config``, the ``ticket`` and ``as_of``, and what the
story must hold: the timeline's order (event ids; ``created`` is the creation), who did what,
each SLA instance with its calendar and bar spans, facts with the events they came from, and the
data-quality findings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from supportops.cli import app
from supportops.errors import AmbiguousTicket, TicketNotFound
from supportops.metrics.quality import RULES
from supportops.metrics.ticket_story import FINDINGS, story, story_data

from .eventlog import instant

runner = CliRunner()
STORIES = sorted((Path(__file__).parent / "story").glob("*.yaml"))


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", STORIES, ids=[p.stem for p in STORIES])
def test_story(path: Path, make_ws: Any) -> None:
    case = _read(path)
    ws = make_ws(case["log"], case.get("config"))
    told = story_data(story(ws, case["ticket"], as_of=instant(case["as_of"])))
    want = case["expect"]
    assert [e["ref"] for e in told["events"]] == want["timeline"]
    by_ref = {e["ref"]: e for e in told["events"]}
    for ref, actor in want["actors"].items():
        assert by_ref[ref]["actor_name"] == actor, ref
    got = [i for i in told["sla"] if i["target"] in {w["target"] for w in want["instances"]}]
    assert len(got) == len(want["instances"]), [i["target"] for i in told["sla"]]
    for instance, expected in zip(got, want["instances"], strict=True):
        for key, value in expected.items():
            assert instance[key] == value, f"{expected['target']}.{key}: {instance[key]!r}"
    facts = {f["name"]: f for f in told["facts"]}
    for name, (value, refs) in want["facts"].items():
        assert facts[name]["value"] == value, f"{name}: {facts[name]['value']!r}"
        assert facts[name]["events"] == refs, f"{name}: {facts[name]['events']!r}"
        for ref in refs:
            assert name in by_ref[ref]["facts"], f"{ref} does not name {name}"
    assert [f["rule"] for f in told["findings"]] == want["findings"]


def test_running_spans_add_up_to_the_elapsed_time(make_ws: Any) -> None:
    case = _read(STORIES[[p.stem for p in STORIES].index("office_hours")])
    ws = make_ws(case["log"], case["config"])
    for instance in story(ws, "t1", as_of=instant(case["as_of"])).instances:
        running = sum(s.end - s.start for s in instance.spans if s.state == "running")
        assert running == instance.elapsed_seconds, instance.target


def test_an_unknown_ticket_names_its_id_and_source(make_ws: Any) -> None:
    ws = make_ws({"tickets": [{"ticket_id": "t1", "created_at": "2026-03-02T09:00:00Z"}]})
    with pytest.raises(TicketNotFound, match="'t2' in any source") as caught:
        story(ws, "t2")
    assert caught.value.ticket_id == "t2"
    with pytest.raises(TicketNotFound, match="no ticket 't1' in source 'zendesk'"):
        story(ws, "t1", source="zendesk")


def test_an_id_in_several_sources_needs_a_source(make_ws: Any) -> None:
    tickets = [
        {"ticket_id": "7", "source": source, "created_at": "2026-03-02T09:00:00Z"}
        for source in ("zendesk", "freshdesk")
    ]
    ws = make_ws({"tickets": tickets})
    with pytest.raises(AmbiguousTicket, match="freshdesk, zendesk") as caught:
        story(ws, "7")
    assert caught.value.sources == ["freshdesk", "zendesk"]
    assert story(ws, "7", source="zendesk").source == "zendesk"


def test_every_validity_rule_has_a_finding_text() -> None:
    assert set(FINDINGS) == set(RULES)


def test_the_command_tells_the_story_and_prints_it_as_json(make_ws: Any) -> None:
    case = _read(STORIES[[p.stem for p in STORIES].index("office_hours")])
    ws = make_ws(case["log"], case["config"])
    where = ["--workspace", str(ws.path), "--as-of", case["as_of"]]
    ws.close()
    shown = runner.invoke(app, ["ticket", "t1", *where], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for text in ("Ticket t1 (csv) — Printer on fire", "times in Europe/Paris", "Ada Lovelace"):
        assert text in shown.output
    assert "agent_work #1" in shown.output and "breached 2026-03-09 10:30:00" in shown.output
    raw = runner.invoke(app, ["ticket", "t1", "--format", "json", *where])
    data = json.loads(raw.output)
    assert data["timezone"] == "Europe/Paris" and data["as_of"] == case["as_of"]
    assert [e["ref"] for e in data["events"]] == case["expect"]["timeline"]


def test_the_command_names_a_missing_id_and_its_source(make_ws: Any) -> None:
    ws = make_ws({"tickets": [{"ticket_id": "t1", "created_at": "2026-03-02T09:00:00Z"}]})
    ws.close()
    missing = runner.invoke(app, ["ticket", "t2", "--source", "csv", "-w", str(ws.path)])
    assert isinstance(missing.exception, TicketNotFound)
    assert str(missing.exception) == "no ticket 't2' in source 'csv'"
