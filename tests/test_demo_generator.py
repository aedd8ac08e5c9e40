"""The demo generator, as a specification: what a realistic support operation's log looks like.

Each test names a property of the data that a metric depends on (a share, a shape, an ordering
or a consistency rule) and checks it on a small generated workspace.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from ruamel.yaml import YAML

from supportops.config import parse_config
from supportops.demo import DEMO_CONFIG, Scenario, generate, write_files
from supportops.demo.bots import FALSE_SHARE
from supportops.demo.columns import arrow_schema
from supportops.model.schema import TABLES

NY = "America/New_York"
UNSOLVED = {"new", "open", "pending", "on_hold"}


def frames(tickets: int, seed: int, **options: Any) -> dict[str, pd.DataFrame]:
    """All chunks of a generation, concatenated per table."""
    chunks = list(generate(tickets, seed=seed, **options))
    return {
        name: pd.concat([c[name].to_pandas() for c in chunks], ignore_index=True) for name in TABLES
    }


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return frames(6_000, seed=7)


@pytest.fixture(scope="module")
def tickets(demo: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return demo["tickets"].set_index("ticket_id")


@pytest.fixture(scope="module")
def events(demo: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return demo["events"]


def agent_replies(events: pd.DataFrame) -> pd.DataFrame:
    return events[(events.kind == "message") & (events.actor == "agent") & events.public.eq(True)]


# --- determinism and shape ---------------------------------------------------------------


def test_the_same_arguments_give_the_same_data() -> None:
    first = list(generate(2_000, seed=3, chunk_size=700))
    again = list(generate(2_000, seed=3, chunk_size=700))
    assert len(first) == len(again) == 3
    for one, two in zip(first, again, strict=True):
        for name in TABLES:
            assert one[name].equals(two[name]), name


def test_a_different_seed_gives_different_data() -> None:
    one, two = next(generate(2_000, seed=1)), next(generate(2_000, seed=2))
    assert not one["tickets"].equals(two["tickets"])
    assert not one["events"].equals(two["events"])


def test_every_chunk_has_every_table_with_exactly_the_schema_columns_and_types() -> None:
    for chunk in generate(2_000, seed=5, chunk_size=1_500):
        assert list(chunk) == list(TABLES)
        for name, table in chunk.items():
            assert table.column_names == TABLES[name].names
            assert table.schema.equals(arrow_schema(name)), name
    assert arrow_schema("events").field("at").type == pa.timestamp("us", tz="UTC")
    assert arrow_schema("tickets").field("tags").type == pa.list_(pa.string())


def test_agents_and_shifts_come_once_with_the_first_chunk() -> None:
    chunks = list(generate(2_000, seed=5, chunk_size=1_000))
    assert chunks[0]["agents"].num_rows > 0 and chunks[0]["shifts"].num_rows > 0
    assert chunks[1]["agents"].num_rows == chunks[1]["shifts"].num_rows == 0
    assert [c["tickets"].num_rows for c in chunks] == [1_000, 1_000]


def test_enumerations_hold_only_schema_values(demo: dict[str, pd.DataFrame]) -> None:
    for name, frame in demo.items():
        for column in TABLES[name].columns:
            if column.type == "enum":
                values = set(frame[column.name].dropna())
                assert values <= set(column.values), (name, column.name, values)
        if "source" in frame and not frame.empty:  # none in the demo: vendor_metrics, arms
            assert set(frame.source) == {"demo"}


def test_ids_are_unique(demo: dict[str, pd.DataFrame]) -> None:
    assert demo["tickets"].ticket_id.is_unique
    assert demo["events"].event_id.is_unique
    assert demo["contacts"].contact_id.is_unique
    assert demo["bot_sessions"].session_id.is_unique
    assert demo["agents"].agent_id.is_unique


def test_sizing_keeps_eight_weeks_and_a_bounded_team() -> None:
    default = Scenario.size(20_000, 0, date(2026, 9, 28), None)
    assert (default.weeks, default.agents) == (8, 40)
    huge = Scenario.size(10_000_000, 0, date(2026, 9, 28), None)
    assert huge.agents == 5_000 and huge.weeks == 32


# --- consistency of tickets with their events ----------------------------------------------


def test_no_event_precedes_its_ticket(events: pd.DataFrame, tickets: pd.DataFrame) -> None:
    created = tickets.created_at.reindex(events.ticket_id).to_numpy()
    assert (events["at"].to_numpy() >= created).all()


def test_ticket_status_is_its_last_status_event(
    events: pd.DataFrame, tickets: pd.DataFrame
) -> None:
    last = events[events.kind == "status"].groupby("ticket_id").value.last()
    expected = last.reindex(tickets.index).fillna("new")
    assert (tickets.status == expected).all()


def test_solved_at_is_the_last_solve(events: pd.DataFrame, tickets: pd.DataFrame) -> None:
    solves = events[(events.kind == "status") & (events.value == "solved")]
    last = solves.groupby("ticket_id")["at"].max().reindex(tickets.index)
    assert tickets.solved_at.isna().equals(last.isna())
    assert (tickets.solved_at.dropna() == last.dropna()).all()


def test_assignee_and_group_are_their_last_values(
    events: pd.DataFrame, tickets: pd.DataFrame
) -> None:
    for field, column in (("assignee", "assignee_id"), ("group", "group")):
        last = events[events.kind == field].groupby("ticket_id").value.last()
        assert (tickets[column].dropna() == last.reindex(tickets[column].dropna().index)).all()
        assert tickets[column].isna().sum() == len(tickets) - len(last)


def test_status_changes_chain_and_use_only_known_statuses(events: pd.DataFrame) -> None:
    status = events[events.kind == "status"]
    assert set(status.value) <= {"new", "open", "pending", "on_hold", "solved", "closed"}
    previous = status.groupby("ticket_id").value.shift().fillna("new")
    assert (status.previous == previous).all()


def test_event_ids_number_each_ticket_in_order(events: pd.DataFrame) -> None:
    seq = events.event_id.str.split("-").str[1].astype(int)
    assert (seq == events.groupby("ticket_id").cumcount() + 1).all()
    assert events.groupby("ticket_id")["at"].is_monotonic_increasing.all()


def test_about_eight_event_rows_per_ticket(events: pd.DataFrame, tickets: pd.DataFrame) -> None:
    assert 6 <= len(events) / len(tickets) <= 10


def test_recent_tickets_form_a_backlog(tickets: pd.DataFrame) -> None:
    end = pd.Timestamp("2026-11-23", tz=NY)
    recent = tickets[tickets.created_at >= end - pd.Timedelta(days=1)]
    older = tickets[tickets.created_at < end - pd.Timedelta(days=14)]
    assert recent.status.isin(UNSOLVED).mean() > 0.3
    assert older.status.isin(UNSOLVED).mean() < 0.02
    assert (older.status == "closed").mean() > 0.85


# --- arrivals ---------------------------------------------------------------------------


def test_channel_shares(tickets: pd.DataFrame) -> None:
    shares = tickets.channel.value_counts(normalize=True)
    expected = {"email": 0.35, "web": 0.25, "chat": 0.20, "phone": 0.12, "messaging": 0.08}
    for channel, share in expected.items():
        assert shares[channel] == pytest.approx(share, abs=0.03)


def test_phones_ring_only_in_business_hours_while_email_arrives_at_night(
    tickets: pd.DataFrame,
) -> None:
    hour = tickets.created_at.dt.tz_convert(NY).dt.hour
    phone = hour[tickets.channel == "phone"]
    assert phone.between(8, 17).all()
    email = hour[tickets.channel == "email"]
    assert 0.01 < email.isin([0, 1, 2, 3, 4, 5]).mean() < 0.1
    assert (phone.isin([10, 11]).mean()) > 2 * (phone.isin([8, 17]).mean())


def test_weekends_and_public_holidays_are_quieter(tickets: pd.DataFrame) -> None:
    days = tickets.created_at.dt.tz_convert(NY).dt.date.value_counts()
    mondays = [days[date(2026, 10, d)] for d in (5, 19)]
    assert days[date(2026, 10, 12)] < 0.5 * min(mondays)  # Columbus Day
    wednesdays = [days[date(2026, 11, d)] for d in (4, 18)]
    assert days[date(2026, 11, 11)] < 0.5 * min(wednesdays)  # Veterans Day
    assert days[date(2026, 10, 4)] < 0.4 * days[date(2026, 10, 6)]  # a Sunday vs a Tuesday


def test_agents_reply_in_business_hours_unless_urgent(
    events: pd.DataFrame, tickets: pd.DataFrame
) -> None:
    replies = agent_replies(events)
    calm = replies[tickets.priority.reindex(replies.ticket_id).to_numpy() != "urgent"]
    local = calm["at"].dt.tz_convert(NY)
    weekday = (local.dt.dayofweek < 5) & local.dt.hour.between(8, 17)
    saturday = (local.dt.dayofweek == 5) & local.dt.hour.between(10, 13)
    assert (weekday | saturday).mean() > 0.98


# --- conversation ----------------------------------------------------------------------


def test_reopens_merges_and_escalations_happen_at_realistic_rates(
    events: pd.DataFrame, tickets: pd.DataFrame
) -> None:
    status = events[events.kind == "status"]
    reopened = status[status.previous.isin(["solved", "closed"]) & status.value.isin(UNSOLVED)]
    solved = status[status.value == "solved"].ticket_id.nunique()
    assert 0.05 <= reopened.ticket_id.nunique() / solved <= 0.09
    assert 0.005 <= tickets.merged_into.notna().mean() <= 0.015
    escalated = events[(events.kind == "group") & (events.value == "tier2-escalations")]
    assert 0.05 <= escalated.ticket_id.nunique() / len(tickets) <= 0.14


def test_a_merged_ticket_is_closed_into_an_existing_ticket(
    events: pd.DataFrame, tickets: pd.DataFrame
) -> None:
    merged = tickets[tickets.merged_into.notna()]
    assert merged.merged_into.isin(tickets.index).all()
    assert (merged.status == "closed").all()
    merges = events[events.kind == "merged"].set_index("ticket_id").value
    assert (merges.reindex(merged.index) == merged.merged_into).all()


def test_outbound_tickets_start_with_the_agents_message(
    events: pd.DataFrame, tickets: pd.DataFrame
) -> None:
    outbound = tickets.index[tickets.created_by == "agent"]
    assert 0.03 <= len(outbound) / len(tickets) <= 0.07
    messages = events[(events.kind == "message") & events.ticket_id.isin(outbound)]
    first = messages.groupby("ticket_id").first()
    assert (first.actor == "agent").all() and first.public.all()


def test_notes_are_private_and_bots_reply_in_public(events: pd.DataFrame) -> None:
    messages = events[events.kind == "message"]
    assert set(messages[messages.actor == "bot"].public) == {True}
    notes = messages[messages.public.eq(False)]
    assert len(notes) > 0 and set(notes.actor) == {"agent"}


# --- live contacts, bots, surveys, people ------------------------------------------------


def test_some_live_contacts_are_abandoned(demo: dict[str, pd.DataFrame]) -> None:
    contacts = demo["contacts"]
    assert set(contacts.queue) == {"phone-support", "chat-support"}
    assert 0.05 <= contacts.abandoned.mean() <= 0.10
    gone = contacts[contacts.abandoned]
    assert gone.answered_at.isna().all() and gone.ticket_id.isna().all()
    answered = contacts.dropna(subset=["answered_at"])
    assert (answered.answered_at >= answered.offered_at).all()
    assert (
        answered.ended_at.dropna() >= answered.answered_at.reindex(answered.ended_at.dropna().index)
    ).all()


def test_bot_sessions_resolve_hand_off_or_are_abandoned(
    demo: dict[str, pd.DataFrame], tickets: pd.DataFrame
) -> None:
    sessions = demo["bot_sessions"]
    shares = sessions.outcome.value_counts(normalize=True)
    assert shares["resolved"] == pytest.approx(0.45, abs=0.06)
    assert shares["handed_off"] == pytest.approx(0.35, abs=0.06)
    assert shares["abandoned"] == pytest.approx(0.20, abs=0.06)
    handed = sessions[sessions.outcome == "handed_off"]
    assert handed.ticket_id.isin(tickets.index).all()
    assert sessions[sessions.outcome == "abandoned"].ticket_id.isna().all()
    resolved = sessions[sessions.outcome == "resolved"]
    helped = resolved[resolved.ticket_id.isna()]
    assert helped.resolution_confirmed.mean() == pytest.approx(0.6, abs=0.1)


def test_some_resolved_sessions_are_followed_by_a_ticket(
    demo: dict[str, pd.DataFrame], tickets: pd.DataFrame
) -> None:
    sessions = demo["bot_sessions"]
    resolved = sessions[sessions.outcome == "resolved"]
    wrong = resolved[resolved.ticket_id.notna()]
    assert len(wrong) / len(resolved) == pytest.approx(FALSE_SHARE, abs=0.03)
    assert not wrong.resolution_confirmed.any()
    later = tickets.loc[wrong.ticket_id]
    after = (later.created_at.to_numpy() - wrong.started_at.to_numpy()) / pd.Timedelta(hours=1)
    assert ((after > 0) & (after <= 48)).all()
    assert (later.channel.to_numpy() == wrong.channel.to_numpy()).all()


def test_csat_falls_with_waiting(demo: dict[str, pd.DataFrame], tickets: pd.DataFrame) -> None:
    csat = demo["surveys"][demo["surveys"].survey == "csat"]
    assert csat.score.between(1, 5).all()
    assert 0.15 <= len(csat) / tickets.solved_at.notna().sum() <= 0.3
    solved = tickets.solved_at.reindex(csat.ticket_id).to_numpy()
    created = tickets.created_at.reindex(csat.ticket_id).to_numpy()
    hours = (solved - created) / pd.Timedelta(hours=1)
    quick, slow = csat[hours < 8].score, csat[hours > 48].score
    assert quick.mean() > slow.mean() + 0.3
    nps = demo["surveys"][demo["surveys"].survey == "nps"]
    assert nps.score.between(0, 10).all() and 0 < len(nps) < len(csat)


def test_agents_work_in_teams_with_costs_and_shifts(demo: dict[str, pd.DataFrame]) -> None:
    agents, shifts, work = demo["agents"], demo["shifts"], demo["work"]
    assert agents.team.nunique() == 5 and "Tier 2" in set(agents.team)
    assert agents.hourly_cost.between(28, 55).all()
    assert all(len(skills) for skills in agents.skills)
    assert set(shifts.activity) == {"work", "break"}
    starts, ends = shifts.starts_at.dt.tz_convert(NY), shifts.ends_at.dt.tz_convert(NY)
    assert (starts.dt.hour >= 8).all() and (ends.dt.hour * 60 + ends.dt.minute <= 18 * 60).all()
    assert (ends > starts).all() and (starts.dt.date == ends.dt.date).all()
    handle = work[work.kind == "handle"].seconds / 60
    assert 4 <= handle.median() <= 12
    assert {"talk", "wrap"} <= set(work.kind)


# --- configuration and files ---------------------------------------------------------------


def test_the_demo_configuration_validates() -> None:
    config = parse_config(YAML(typ="rt").load(DEMO_CONFIG.read_text()), file=str(DEMO_CONFIG))
    assert config.default_calendar == "us-support"
    assert {"us-support", "always"} <= set(config.calendars)
    assert len(config.sla_policies) >= 3
    assert config.groups["tier2-escalations"].tier == 2


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_write_files_streams_every_table(tmp_path: Path, fmt: str) -> None:
    seen: list[int] = []
    counts = write_files(tmp_path, 1_500, seed=4, fmt=fmt, progress=seen.append, chunk_size=600)
    assert seen == [600, 600, 300]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.{fmt}" for n in TABLES)
    chunks = list(generate(1_500, seed=4, chunk_size=600))
    assert counts == {n: sum(c[n].num_rows for c in chunks) for n in TABLES}
    assert counts["events"] > 6 * 1_500


def test_csv_lists_are_joined_and_timestamps_are_iso_utc(tmp_path: Path) -> None:
    write_files(tmp_path, 300, seed=4, fmt="csv")
    agents = pcsv.read_csv(tmp_path / "agents.csv").to_pandas()
    assert agents.skills.str.contains(";").all()
    raw = (tmp_path / "tickets.csv").read_text().splitlines()
    assert raw[0].split(",")[0] == '"ticket_id"'
    assert pd.Series(raw[1:]).str.contains(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()


def test_jsonl_rows_are_objects_with_arrays_and_iso_times(tmp_path: Path) -> None:
    write_files(tmp_path, 300, seed=4, fmt="jsonl")
    row = json.loads((tmp_path / "tickets.jsonl").read_text().splitlines()[0])
    assert isinstance(row["tags"], list) and isinstance(row["custom"], dict)
    assert row["created_at"].endswith("Z")


def test_parquet_files_keep_the_arrow_schema(tmp_path: Path) -> None:
    write_files(tmp_path, 300, seed=4)
    for name in TABLES:
        assert pq.read_schema(tmp_path / f"{name}.parquet").equals(arrow_schema(name)), name


def test_reviews_disagree_where_the_demo_says_and_score_on_the_demo_scorecard(
    demo: dict[str, pd.DataFrame],
) -> None:
    from supportops.qa.agreement import alpha
    from supportops.qa.scoring import rated, review_scores

    reviews = demo["reviews"]
    assert not reviews.duplicated(["review_id", "category"]).any()
    assert set(reviews.ticket_id) <= set(demo["tickets"].ticket_id)
    cards = parse_config(YAML(typ="rt").load(DEMO_CONFIG.read_text())).qa.scorecards
    rows = rated(reviews, cards)
    scores = review_scores(rows)["score"]
    assert 60 < scores.mean() < 95 and (scores == 0).any()  # critical fails happen
    calibration = rows[rows.calibration_session.notna()]
    assert calibration.groupby("ticket_id").reviewer_id.nunique().min() == 4
    found = {
        category: alpha(part.pivot_table("pct", "reviewer_id", "ticket_id").to_numpy(), "ordinal")
        for category, part in calibration.groupby("category")
    }
    assert found["solution"] >= 0.667 > found["tone"]  # tone is judged loosely


def test_new_hires_join_during_the_window_and_learn_on_the_job(
    demo: dict[str, pd.DataFrame],
) -> None:
    from supportops.demo.population import HIRE_DAYS

    events, work = demo["events"], demo["work"]
    replies = agent_replies(events)
    first = replies.groupby("actor_id")["at"].min()
    begin = events["at"].min()
    joined = ((first - begin) / pd.Timedelta(days=1)).sort_values()
    late = joined[joined > 7]  # the others answer from the window's first days
    assert 1 <= len(late) < len(joined) / 2
    assert all(any(d <= day < d + 3 for d in HIRE_DAYS) for day in late)
    handle = work[work.agent_id.isin(late.index) & (work.kind == "handle")]
    tenure = (handle.started_at - handle.agent_id.map(first)) / pd.Timedelta(days=7)
    early, settled = handle[tenure < 1].seconds.median(), handle[tenure >= 3].seconds.median()
    assert early > 1.3 * settled  # first-week handle time is longer, and shrinks
