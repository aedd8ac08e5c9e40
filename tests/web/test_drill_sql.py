"""The list behind any number is selected, counted and paged in the store.

For every kind of drill, the SQL count is the number of tickets the drill's definition selects —
computed here independently, with pandas over the per-ticket facts (``Workspace.tickets()``),
the raw tables and the SLA engine's instances — pages are disjoint, newest first and cover the
count, and the CSV has every row. On the facts computed inline, on the materialised facts (with
the stored SLA snapshot), and on PostgreSQL when ``SUPPORTOPS_TEST_PG_URL`` is set.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from supportops.metrics import drilldown
from supportops.metrics.materialize import refresh_facts
from supportops.metrics.quality import RULES, quality_report
from supportops.model.importer import import_files
from supportops.model.schema import TABLES
from supportops.web import data, drill
from supportops.web.drill import Drill
from supportops.web.filters import Filters, lenient
from supportops.workspace import Workspace
from tests.postgres import pg_schema
from tests.web.conftest import bearer, session
from tests.web.workspace_data import write_event_log

ZONE = "America/New_York"  # the template's report_timezone
RANGE = lenient({"start": "2024-01-15", "end": "2024-02-20"})
CHAT = RANGE.with_(channel="chat")
EVERYTHING = lenient({"start": "2000-01-01", "end": "2100-12-31"})
AS_OF = datetime(2024, 2, 29, 12, tzinfo=UTC)
Key = tuple[str, str]
ODD = [  # tickets the import accepts, spoilt afterwards (see _spoil)
    {"ticket_id": "X1", "created_at": "2024-02-10T10:00:00Z", "channel": "fax", "priority": "p9"},
    {"ticket_id": "X2", "created_at": "2024-02-11T10:00:00Z", "channel": "email"},
    {"ticket_id": "X3", "created_at": "2024-02-12T10:00:00Z", "channel": "email"},
]
RECENT = {"ticket_id": "X4", "channel": "email", "priority": "urgent"}  # its targets still run


def _spoil(ws: Workspace) -> None:
    """What the import would quarantine, written straight into the store: a reply before its
    ticket was created (X2), a ``solved_at`` without a solve that is also before creation (X3)."""
    ws.store.execute(
        'INSERT INTO events (ticket_id, source, "at", kind, actor, public) '
        "VALUES ('X2', 'csv', ?, 'message', 'agent', TRUE)",
        [datetime(2024, 2, 11, 9, tzinfo=UTC)],
    )
    ws.store.execute(
        "UPDATE tickets SET solved_at = ? WHERE ticket_id = 'X3'",
        [datetime(2024, 2, 12, 9, tzinfo=UTC)],
    )


@pytest.fixture(scope="module", params=["inline", "stored", "postgresql"])
def ws(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The web tests' event log plus tickets failing validity rules and one created ten minutes
    ago; ``stored``: with the materialised facts and the SLA snapshot."""
    from supportops.cli.workspace import write_config

    folder = tmp_path_factory.mktemp("drill-ws")
    write_config(folder, "supportops.yaml", "supportops.templates", force=False)
    with ExitStack() as stack:
        if request.param == "postgresql":
            store = stack.enter_context(pg_schema())
            config = folder / "supportops.yaml"
            config.write_text(config.read_text().replace("store: duckdb", f"store: '{store}'", 1))
        files = write_event_log(tmp_path_factory.mktemp("drill-files"))
        frame = pd.read_csv(files / "tickets.csv", dtype=str, keep_default_na=False)
        recent = {**RECENT, "created_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat()}
        odd = pd.DataFrame([*ODD, recent]).assign(status="open")
        pd.concat([frame, odd]).to_csv(files / "tickets.csv", index=False)
        workspace = stack.enter_context(Workspace.open(folder))
        import_files(workspace.store, [files])
        _spoil(workspace)
        if request.param == "stored":
            refresh_facts(workspace)
        assert drilldown.stored_facts(workspace) == (request.param == "stored")
        yield workspace


@pytest.fixture(scope="module")
def facts(ws: Workspace) -> pd.DataFrame:
    """Every ticket's facts, computed inline, as pandas."""
    frame: pd.DataFrame = ws.tickets()
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def _keys(frame: pd.DataFrame) -> set[Key]:
    return set(zip(frame["source"].astype(str), frame["ticket_id"].astype(str), strict=True))


def _dims(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    for dim, value in filters.dims().items():
        frame = frame[frame[dim].astype(str) == value]
    return frame


def _in_range(frame: pd.DataFrame, column: str, filters: Filters) -> pd.DataFrame:
    """The rows whose ``column`` falls in the range's days (local midnights, end included)."""
    low = pd.Timestamp(str(filters.start), tz=ZONE)
    high = pd.Timestamp(str(filters.end), tz=ZONE) + pd.Timedelta(days=1)
    return frame[(frame[column] >= low) & (frame[column] < high)]


def _created(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    return _dims(_in_range(frame, "created_at", filters), filters)


def _among(frame: pd.DataFrame, keys: set[Key]) -> pd.DataFrame:
    return frame[[k in keys for k in zip(frame["source"], frame["ticket_id"], strict=True)]]


def _table(ws: Workspace, name: str) -> pd.DataFrame:
    frame: pd.DataFrame = ws.store.query(f"SELECT * FROM {name}")
    for column in ("at", "started_at"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _sla_keys(ws: Workspace, statuses: tuple[str, ...], **narrow: Any) -> set[Key]:
    rows = data.sla_instances(ws, AS_OF)
    rows = rows[rows["status"].isin(statuses)]
    for name, value in narrow.items():
        rows = rows[rows[name].astype(str) == value]
    return _keys(rows)


def _count(ws: Workspace, filters: Filters, **fields: Any) -> int:
    return drill.count(ws, filters, Drill(**fields))


FACT_RULES: dict[str, Callable[[pd.DataFrame], Any]] = {
    "tickets_solved": lambda f: f["solved_at"].notna(),
    "first_reply_time": lambda f: f["first_reply_time"].notna(),
    "first_resolution_time": lambda f: f["first_resolution_time"].notna(),
    "full_resolution_time": lambda f: f["full_resolution_time"].notna(),
    "tickets_reopened": lambda f: f["reopens"] > 0,
    "automation_rate": lambda f: f["first_resolution_time"].notna() & (f["agent_replies"] == 0),
}


@pytest.mark.parametrize("filters", [RANGE, CHAT], ids=["range", "chat"])
def test_created_drills_count_the_tickets_created_in_the_range(
    ws: Workspace, facts: pd.DataFrame, filters: Filters
) -> None:
    created = _created(facts, filters)
    assert 0 < _count(ws, filters) == len(created)
    for metric, rule in FACT_RULES.items():
        assert _count(ws, filters, metric=metric) == int(rule(created).sum()), metric
    source = str(created["source"].iloc[0])
    assert _count(ws, filters, source=source) == int((created["source"] == source).sum())
    assert _count(ws, filters, source="nowhere") == 0


def test_completeness_counts_the_empty_values_of_a_column(
    ws: Workspace, facts: pd.DataFrame
) -> None:
    created = _created(facts, RANGE)
    for column in TABLES["tickets"].names:
        values = created[column]
        empty = values.isna()
        if TABLES["tickets"].column(column).type in ("string", "enum", "json"):
            empty |= values.astype(str) == ""
        assert _count(ws, RANGE, metric="completeness", column=column) == int(empty.sum()), column
    assert _count(ws, RANGE, metric="completeness", column="no_such_column") == 0


def test_validity_counts_the_tickets_failing_each_rule(ws: Workspace) -> None:
    found = quality_report(ws)["validity"].set_index("rule")["tickets"]
    assert found.sum() > 0, "the log has invalid tickets"
    for rule in RULES:
        expected = int(found.get(rule, 0))
        assert _count(ws, EVERYTHING, metric="validity", rule=rule) == expected, rule
    assert _count(ws, RANGE, metric="validity", rule="reply_before_creation") == 1
    assert _count(ws, RANGE, metric="validity", rule="no_such_rule") == 0


def test_the_backlog_is_the_metric_backlog(ws: Workspace) -> None:
    for filters in (RANGE, CHAT):
        value = data.metrics(ws, ["backlog"], filters)["backlog"].iloc[0]
        assert _count(ws, filters, metric="backlog") == value > 0
    aging = data.metrics(ws, ["backlog_age"], RANGE, grain="week", buckets=True)
    aging = aging.dropna(subset=["period"])
    assert len(aging) > 3
    for row in aging.to_dict("records"):
        fields = {"period_start": pd.Timestamp(row["period"]).date(), "grain": "week"}
        listed = _count(ws, RANGE, metric="backlog_age", bucket=row["age_bucket"], **fields)
        assert listed == row["backlog_age"], row


@pytest.mark.parametrize("filters", [RANGE, CHAT], ids=["range", "chat"])
def test_sla_drills_read_the_instances_at_the_instant(
    ws: Workspace, facts: pd.DataFrame, filters: Filters
) -> None:
    created = _created(facts, filters)
    done = ("achieved", "breached")
    cases = [
        ({"metric": "sla_achieved_rate"}, _among(created, _sla_keys(ws, done))),
        ({"metric": "sla_breaches"}, _among(created, _sla_keys(ws, ("breached",)))),
    ]
    instances = data.sla_instances(ws, AS_OF)
    for target in sorted(instances["target"].astype(str).unique()):
        keys = _sla_keys(ws, done, target=target)
        cases.append(({"metric": "sla_achieved_rate", "target": target}, _among(created, keys)))
    for policy in sorted(instances["policy"].astype(str).unique()):
        keys = _sla_keys(ws, ("breached",), policy=policy)
        cases.append(({"metric": "sla_breaches", "policy": policy}, _among(created, keys)))
    for within in (3600, 86_400):
        risky = _keys(data.at_risk(ws, AS_OF, within))
        cases.append(
            ({"metric": "sla_active", "within": within}, _among(_dims(facts, filters), risky))
        )
    assert any(len(expected) for _, expected in cases)
    for fields, expected in cases:
        assert _count(ws, filters, as_of=AS_OF, **fields) == len(expected), fields


@pytest.mark.parametrize("days", [None, 2], ids=["now", "later"])
def test_sla_drills_advance_the_stored_snapshot(
    ws: Workspace, facts: pd.DataFrame, days: int | None
) -> None:
    """Now, or after the snapshot (``stored``: read from it, active targets past due become
    breached), the lists are the engine's at that instant."""
    moment = None if days is None else datetime.now(UTC) + timedelta(days=days)
    rows = data.sla_instances(ws, moment)
    created = _created(facts, EVERYTHING)
    for metric, statuses in (("sla_breaches", ("breached",)), ("sla_active", ("active",))):
        keys = _keys(rows[rows["status"].isin(statuses)])
        every = created if metric == "sla_breaches" else facts
        fields = {"within": data.MAX_WITHIN} if metric == "sla_active" else {}
        listed = _count(ws, EVERYTHING, metric=metric, as_of=moment, **fields)
        assert listed == len(_among(every, keys)), metric


@pytest.mark.parametrize("filters", [RANGE, CHAT], ids=["range", "chat"])
def test_activity_drills_count_the_tickets_behind_sessions_and_answers(
    ws: Workspace, facts: pd.DataFrame, filters: Filters
) -> None:
    every = _dims(facts, filters)
    answers = _in_range(_table(ws, "surveys"), "at", filters)
    csat = _keys(answers[answers["survey"] == "csat"])
    assert _count(ws, filters, metric="csat") == len(_among(every, csat)) > 0
    sessions = _in_range(_table(ws, "bot_sessions"), "started_at", filters)
    sessions = sessions[sessions["ticket_id"].notna() & (sessions["ticket_id"] != "")]
    if filters.channel:
        sessions = sessions[sessions["channel"] == filters.channel]
    for outcome in ("handed_off", "resolved", "abandoned"):
        keys = _keys(sessions[sessions["outcome"] == outcome])
        expected = len(_among(every, keys))
        assert _count(ws, filters, metric="bot_sessions", outcome=outcome) == expected, outcome
    handed = len(_among(every, _keys(sessions[sessions["outcome"] == "handed_off"])))
    assert _count(ws, filters, metric="bot_containment_rate") == handed > 0
    resolved = sessions[sessions["outcome"] == "resolved"].merge(
        facts[["source", "ticket_id", "created_at"]], on=["source", "ticket_id"]
    )
    lag = (resolved["created_at"] - resolved["started_at"]).dt.total_seconds()
    false = _keys(resolved[(lag >= 0) & (lag <= 72 * 3600)])
    assert _count(ws, filters, metric="bot_false_resolution_rate") == len(_among(every, false))


@pytest.mark.parametrize(
    "fields",
    [{}, {"metric": "tickets_solved"}, {"metric": "backlog"}, {"metric": "csat"}],
    ids=["created", "solved", "backlog", "csat"],
)
def test_pages_are_disjoint_newest_first_and_cover_the_count(
    ws: Workspace, fields: dict[str, Any]
) -> None:
    ask = Drill(**fields)
    total = drill.count(ws, RANGE, ask)
    pages = [drill.listing(ws, RANGE, ask, 7, offset)[1] for offset in range(0, total + 7, 7)]
    assert [len(p) for p in pages[:-1]] == [7] * (len(pages) - 2) + [total - 7 * (len(pages) - 2)]
    assert pages[-1].empty
    listed = pd.concat(pages, ignore_index=True)
    keys = list(zip(listed["source"], listed["ticket_id"], strict=True))
    assert len(keys) == len(set(keys)) == total > 7
    newest = listed.sort_values(
        ["created_at", "source", "ticket_id"], ascending=[False, True, True], kind="stable"
    )
    assert listed.index.equals(newest.index)


def test_chunks_hold_every_row_once_in_the_order_of_the_pages(ws: Workspace) -> None:
    where = drill.where(ws, RANGE, Drill())
    whole = drilldown.select(ws, where)
    parts = list(drilldown.iter_select(ws, where, chunk=30))
    assert len(parts) == -(-whole.num_rows // 30) > 1
    assert all(p.num_rows == 30 for p in parts[:-1])
    joined = pd.concat([p.to_pandas() for p in parts], ignore_index=True)
    assert joined["ticket_id"].tolist() == whole.column("ticket_id").to_pylist()
    nothing = list(drilldown.iter_select(ws, where.and_("FALSE"), chunk=30))
    assert [p.num_rows for p in nothing] == [0]


def test_counts_by_condition_are_the_counts_of_each(ws: Workspace) -> None:
    cases = {"all": "TRUE", "solved": "r.solved_at IS NOT NULL", "chat": "r.channel = 'chat'"}
    found = drill.count_by(ws, RANGE, cases)
    assert found["all"] == drill.count(ws, RANGE)
    assert found["solved"] == drill.count(ws, RANGE, Drill(metric="tickets_solved"))
    assert found["chat"] == drill.count(ws, CHAT)


def test_values_are_bound_never_written_into_the_sql(ws: Workspace, facts: pd.DataFrame) -> None:
    hostile = "x' OR '1'='1"
    assert _count(ws, RANGE, source=hostile) == 0
    assert _count(ws, RANGE, metric="sla_achieved_rate", as_of=AS_OF, target=hostile) == 0
    with pytest.raises(ValueError, match="taken"):
        drilldown.count(ws, drilldown.Where().and_("r.source = $as_of", as_of="csv"))


def test_the_csv_has_every_row_with_the_columns_of_the_facts(
    client: TestClient, tokens: dict[str, str], app: Any
) -> None:
    read = bearer(tokens["read"])
    params = {"start": "2024-01-15", "end": "2024-02-20", "metric": "tickets_solved"}
    page = client.get("/api/tickets", params={**params, "limit": 1}, headers=read).json()
    answer = client.get("/api/tickets.csv", params=params, headers=read)
    rows = pd.read_csv(io.StringIO(answer.text))
    with app.state.web.workspace() as view:
        columns = list(view.tickets().columns)
    assert len(rows) == page["total"] > 0
    assert list(rows.columns) == columns
    assert rows["ticket_id"].is_unique
    client.cookies.update(session(client.app, tokens["read"]))
    html = client.get("/tickets.csv", params=params)
    assert len(pd.read_csv(io.StringIO(html.text))) == page["total"]
    empty = client.get("/api/tickets.csv", params={**params, "source": "nowhere"}, headers=read)
    header = pd.read_csv(io.StringIO(empty.text))
    assert list(header.columns) == columns and header.empty


def test_an_offset_past_the_end_is_an_empty_page(
    client: TestClient, tokens: dict[str, str]
) -> None:
    read = bearer(tokens["read"])
    page = client.get("/api/tickets", params={"offset": 10_000}, headers=read).json()
    assert page["total"] > 0 and page["items"] == []


def test_a_listing_is_the_count_and_its_page(ws: Workspace) -> None:
    for fields in ({}, {"metric": "sla_breaches", "as_of": AS_OF}, {"metric": "backlog"}):
        ask = Drill(**fields)
        total, frame = drill.listing(ws, RANGE, ask, 7, 14)
        assert total == drill.count(ws, RANGE, ask) > 14, fields
        found = drill.where(ws, RANGE, ask)
        rows = drilldown.select(ws, found, filters=RANGE.dims() or None, limit=7, offset=14)
        assert frame.equals(rows.to_pandas()), fields


def test_a_page_past_the_end_shows_the_last(client: TestClient, tokens: dict[str, str]) -> None:
    client.cookies.update(session(client.app, tokens["read"]))
    params = {"start": "2024-01-15", "end": "2024-02-20"}
    last = client.get("/tickets", params={**params, "page": 9999}).text
    found = re.search(r"page (\d+) of (\d+)", last)
    assert found and found.group(1) == found.group(2) != "1"
    assert last.count("<tr") > 1
