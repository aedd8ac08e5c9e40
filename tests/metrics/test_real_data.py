"""Real data (../shared/data): NYC 311 and the Twitter customer-support sample, each metric
compared with a value computed independently here, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from supportops.model.importer import import_files

REPO = Path(__file__).resolve().parents[2]
NYC_MAPPING = REPO / "src" / "supportops" / "mappings" / "nyc311.yaml"
CHANNELS = {"ONLINE": "web", "MOBILE": "api", "PHONE": "phone", "UNKNOWN": "other"}


@pytest.fixture
def nyc(shared_data: Path, make_ws: Any) -> tuple[Any, pd.DataFrame]:
    path = shared_data / "tickets" / "nyc311" / "nyc311_2022-05_sample.csv"
    ws = make_ws(config={"report_timezone": "America/New_York"})
    import_files(ws.store, [path], mapping=NYC_MAPPING)
    raw = pd.read_csv(path, dtype=str)
    for col in ("Created Date", "Closed Date"):
        local = pd.to_datetime(raw[col], format="%m/%d/%Y %I:%M:%S %p")
        raw[col] = local.dt.tz_localize("America/New_York", ambiguous="NaT")
    return ws, raw


def test_nyc311_volume_by_channel(nyc: tuple[Any, pd.DataFrame]) -> None:
    ws, raw = nyc
    got = ws.metrics(["tickets_created"], by=["channel"]).set_index("channel")["tickets_created"]
    want = raw["Open Data Channel Type"].map(CHANNELS).value_counts()
    assert got.to_dict() == want.to_dict()


def test_nyc311_resolution_time(nyc: tuple[Any, pd.DataFrame]) -> None:
    ws, raw = nyc
    closed = raw[(raw["Status"] == "Closed") & raw["Closed Date"].notna()]
    spans = (closed["Closed Date"] - closed["Created Date"]).dt.total_seconds()
    spans = spans[spans >= 0]
    got = ws.metrics(
        ["full_resolution_time", "full_resolution_time:mean", "full_resolution_time:count"]
    ).iloc[0]
    assert got["full_resolution_time:count"] == len(spans)
    assert got["full_resolution_time"] == pytest.approx(spans.median())
    assert got["full_resolution_time:mean"] == pytest.approx(spans.mean())


def test_nyc311_backlog_as_of(nyc: tuple[Any, pd.DataFrame]) -> None:
    ws, raw = nyc
    moment = pd.Timestamp("2022-05-01 02:00", tz="America/New_York")
    open_then = (raw["Created Date"] <= moment) & (
        raw["Closed Date"].isna() | (raw["Closed Date"] > moment) | (raw["Status"] != "Closed")
    )
    got = ws.metrics(["backlog"], by=["channel"], as_of="2022-05-01T02:00:00")
    want = raw[open_then]["Open Data Channel Type"].map(CHANNELS).value_counts()
    assert got.set_index("channel")["backlog"].to_dict() == want.to_dict()
    assert int(got["backlog"].sum()) == int(open_then.sum()) > 0


def _threads(tweets: pd.DataFrame) -> pd.Series:
    """Each tweet's thread: the root reached by following in_response_to_tweet_id."""
    parent = dict(zip(tweets.tweet_id, tweets.in_response_to_tweet_id, strict=True))

    def root(tweet: str) -> str:
        seen = {tweet}
        while parent.get(tweet) in parent and parent[tweet] not in seen:
            tweet = parent[tweet]
            seen.add(tweet)
        return tweet

    return tweets.tweet_id.map(root)


def _twitter_log(tweets: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    tickets, events = [], []
    for thread, part in tweets.groupby("thread"):
        first = part.sort_values("when").iloc[0]
        tickets.append(
            {
                "ticket_id": thread,
                "created_at": first["when"],
                "status": "open",
                "channel": "social",
                "created_by": "customer" if first.inbound else "agent",
            }
        )
        events += [
            {
                "ticket_id": thread,
                "at": row.when,
                "kind": "message",
                "public": True,
                "actor": "customer" if row.inbound else "agent",
                "event_id": row.tweet_id,
            }
            for row in part.itertuples()
        ]
    return {"tickets": tickets, "events": events}


def _first_reply(part: pd.DataFrame) -> float | None:
    """Independent first reply time of one thread (seconds), per the spec's definition."""
    part = part.sort_values("when")
    first = part.iloc[0]
    start = first["when"] if first.inbound else part[part.inbound]["when"].min()
    replies = part[(~part.inbound) & (part["when"] >= start)]["when"]
    return None if pd.isna(start) or replies.empty else (replies.min() - start).total_seconds()


def test_twitter_first_reply_time(shared_data: Path, make_ws: Any) -> None:
    path = shared_data / "tickets" / "twcs_sample" / "twcs_kaggle_sample.csv"
    tweets = pd.read_csv(path, dtype=str)
    tweets["inbound"] = tweets.inbound == "True"
    tweets["when"] = pd.to_datetime(tweets.created_at, format="%a %b %d %H:%M:%S %z %Y", utc=True)
    parents = tweets.set_index("tweet_id")["when"]
    answered = tweets[~tweets.inbound & tweets.in_response_to_tweet_id.isin(parents.index)]
    lags = answered["when"].values - parents[answered.in_response_to_tweet_id].values
    assert len(answered) == 42  # the provenance: 42 company replies with their customer tweet
    assert pd.Series(lags).median().total_seconds() / 60 == pytest.approx(50.9, abs=0.05)
    tweets["thread"] = _threads(tweets)
    ws = make_ws(_twitter_log(tweets))
    expected = pd.Series([_first_reply(p) for _, p in tweets.groupby("thread")]).dropna()
    got = ws.metrics(["first_reply_time", "first_reply_time:count", "first_reply_time:max"])
    row = got.iloc[0]
    assert row["first_reply_time:count"] == len(expected) > 20
    assert row["first_reply_time"] == pytest.approx(expected.median())
    assert row["first_reply_time:max"] == pytest.approx(expected.max())
    assert datetime(2017, 1, 1, tzinfo=UTC) < tweets["when"].min().to_pydatetime()
