"""The engine's contract beyond the target rules: inputs in any order, any block size, defaults
of the event log, the evaluation instant, and the shape of the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supportops.config import parse_config
from supportops.errors import ConfigError, MetricError
from supportops.sla import COLUMNS, engine, evaluate, summary
from supportops.sla.events import encode_events

from .cases import GOLDEN, actual_rows, load_case

NEXT_REPLY = next(path for path in GOLDEN if path.stem == "next_reply")
RESOLUTION = next(path for path in GOLDEN if path.stem == "resolution")
FIRST_REPLY = parse_config(
    {
        "sla_policies": [
            {
                "name": "p",
                "when": {"source": "csv", "created_by": "customer"},
                "targets": {"first_reply": "1h"},
            }
        ]
    }
)


def _evaluate(path: Path) -> list[dict[str, object]]:
    case = load_case(path)
    return actual_rows(evaluate(case["tickets"], case["events"], case["config"], case["as_of"]))


@pytest.mark.parametrize("path", [NEXT_REPLY, RESOLUTION], ids=lambda p: p.stem)
def test_the_order_of_events_does_not_matter(path: Path) -> None:
    case = load_case(path)
    shuffled = case["events"].sample(frac=1.0, random_state=7).reset_index(drop=True)
    result = evaluate(case["tickets"], shuffled, case["config"], case["as_of"])
    assert actual_rows(result) == _evaluate(path)


def test_the_block_size_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _evaluate(NEXT_REPLY)
    monkeypatch.setattr(engine, "BLOCK_TICKETS", 1)
    assert _evaluate(NEXT_REPLY) == expected


def test_encoded_events_give_the_same_instances() -> None:
    case = load_case(NEXT_REPLY)
    encoded = encode_events(case["tickets"], case["events"])
    result = evaluate(case["tickets"], encoded, case["config"], case["as_of"])
    assert actual_rows(result) == _evaluate(NEXT_REPLY)


def _one_ticket(**fields: object) -> pd.DataFrame:
    return pd.DataFrame(
        [{"ticket_id": "t", "created_at": pd.Timestamp("2026-03-02T09:00Z"), **fields}]
    )


def _reply(at: str, public: object) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "ticket_id": "t",
                "at": pd.Timestamp(at),
                "kind": "message",
                "actor": "agent",
                "public": public,
            }
        ]
    )


def test_a_message_without_public_counts_as_public_and_defaults_apply() -> None:
    found = evaluate(
        _one_ticket(), _reply("2026-03-02T09:30Z", None), FIRST_REPLY, "2026-03-03T00:00Z"
    )
    row = found.iloc[0]
    assert (row.status, row.elapsed_seconds, row.source) == ("achieved", 1800, "csv")


def test_events_after_as_of_and_tickets_created_after_it_are_ignored() -> None:
    events = _reply("2026-03-02T09:30Z", True)
    early = evaluate(_one_ticket(), events, FIRST_REPLY, "2026-03-02T09:20Z")
    assert early.iloc[0].status == "active" and early.iloc[0].elapsed_seconds == 1200
    assert early.iloc[0].due_at == pd.Timestamp("2026-03-02T10:00Z")
    assert evaluate(_one_ticket(), events, FIRST_REPLY, "2026-03-02T08:00Z").empty


def test_an_event_before_creation_counts_at_creation() -> None:
    found = evaluate(
        _one_ticket(), _reply("2026-03-02T08:00Z", True), FIRST_REPLY, "2026-03-03T00:00Z"
    )
    assert (
        found.iloc[0].elapsed_seconds == 0 and found.iloc[0].stopped_at == found.iloc[0].started_at
    )


@pytest.mark.parametrize(
    ("tags", "matched"), [("vip;renewal", True), ("vip", False), (["renewal", "vip"], True)]
)
def test_tags_may_be_lists_or_semicolon_text(tags: object, matched: bool) -> None:
    config = parse_config(
        {
            "sla_policies": [
                {
                    "name": "p",
                    "when": {"tags_all": ["vip", "renewal"]},
                    "targets": {"resolution": "1d"},
                }
            ]
        }
    )
    found = evaluate(
        _one_ticket(tags=tags), _reply("2026-03-02T09:30Z", True), config, "2026-03-03T00:00Z"
    )
    assert len(found) == int(matched)


def test_the_result_has_the_spec_columns_first_and_compact_types() -> None:
    case = load_case(NEXT_REPLY)
    found = evaluate(case["tickets"], case["events"], case["config"], case["as_of"])
    assert list(found.columns) == [*COLUMNS, "source", "ticket_row"]
    assert str(found["started_at"].dtype) == "datetime64[s, UTC]"
    assert found["status"].dtype == "category" and found["target"].dtype == "category"
    assert found["ticket_row"].tolist() == [0, 0, 0, 0, 1]


def test_no_tickets_give_an_empty_table_with_the_same_columns() -> None:
    tickets = pd.DataFrame({"ticket_id": [], "created_at": pd.to_datetime([], utc=True)})
    events = pd.DataFrame(columns=["ticket_id", "at", "kind", "actor", "public", "value"])
    found = evaluate(tickets, events, FIRST_REPLY, "2026-03-03T00:00Z")
    assert found.empty and list(found.columns) == [*COLUMNS, "source", "ticket_row"]


def test_policies_can_be_given_and_an_unknown_calendar_is_a_config_error() -> None:
    case = load_case(NEXT_REPLY)
    other = parse_config({"sla_policies": [{"name": "x", "targets": {"first_reply": "1h"}}]})
    found = evaluate(
        case["tickets"], case["events"], case["config"], case["as_of"], policies=other.sla_policies
    )
    assert set(found["policy"]) == {"x"} and set(found["target"]) == {"first_reply"}
    broken = other.sla_policies[0].model_copy(update={"calendar": "nowhere"})
    with pytest.raises(ConfigError, match="nowhere"):
        evaluate(case["tickets"], case["events"], case["config"], case["as_of"], [broken])


def test_summary_by_period_and_unknown_dimensions() -> None:
    case = load_case(NEXT_REPLY)
    found = evaluate(case["tickets"], case["events"], case["config"], case["as_of"])
    by_day = summary(found, case["tickets"], ["day"])
    assert by_day["instances"].sum() == len(found) and by_day["day"].nunique() == 4
    assert summary(found, case["tickets"], ["week"])["week"].tolist() == ["2026-03-02/2026-03-08"]
    assert np.isclose(summary(found)["compliance"].iloc[0], 0.75)
    with pytest.raises(MetricError, match="unknown dimension"):
        summary(found, case["tickets"], ["colour"])
