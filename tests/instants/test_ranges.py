"""Ranges and instants the API refuses with the one JSON error shape (never a 500), and what a
page does with the same values (ignores them)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from supportops.instants import local_midnight


def _error(answer: object) -> dict[str, object]:
    body = answer.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        # outside the declared language (the patterns of supportops.instant_patterns): 422
        ("/api/metrics", {"end": "9999-12-31"}, 422, "end: not accepted: '9999-12-31'"),
        ("/api/metrics", {"start": "0001-01-01"}, 422, "start: not accepted: '0001-01-01'"),
        ("/api/metrics", {"start": "0001-01-02", "grain": "day"}, 422, "not accepted"),
        ("/api/metrics", {"start": "0"}, 422, "start: not accepted: '0' (accepted: 2026-11-23"),
        ("/api/metrics", {"period": "2024-13"}, 422, "period: not accepted: '2024-13'"),
        ("/api/metrics", {"as_of": "0.5"}, 422, "as_of: not accepted: '0.5'"),
        ("/api/metrics", {"as_of": "9999-12-31T23:59:59Z"}, 422, "not accepted"),
        ("/api/metrics", {"grain": "fortnight"}, 422, "unknown value 'fortnight'"),
        ("/api/metrics", {"metric": "first_reply_tme"}, 422, "did you mean 'first_reply_time'?"),
        ("/api/sla/at-risk", {"as_of": "0"}, 422, "as_of: not accepted"),
        ("/api/sla/at-risk", {"within": "²"}, 422, "within"),
        ("/api/sla/instances", {"as_of": "year 10000"}, 422, "accepted: "),
        ("/api/tickets", {"end": "9999-12-31"}, 422, "not accepted"),
        ("/api/tickets", {"metric": "sla_active", "as_of": "0.5"}, 422, "not accepted"),
        # each valid, together not: 400 conflicting_parameters
        ("/api/metrics", {"start": "2024-02-10", "end": "2024-02-01"}, 400, "is after end"),
        ("/api/metrics", {"period": "2024-02", "start": "2024-02-01"}, 400, "not both"),
        ("/api/tickets.csv", {"start": "2024-03-01", "end": "2024-01-01"}, 400, "is after end"),
    ],
)
def test_unreadable_or_impossible_ranges_are_4xx_in_the_error_shape(
    api: TestClient, path: str, params: dict[str, str], status: int, words: str
) -> None:
    query = {"metric": "tickets_created", **params} if path == "/api/metrics" else params
    answer = api.get(path, params=query)
    assert answer.status_code == status, answer.text
    error = _error(answer)
    assert words in str(error["message"])
    assert error["code"] == ("conflicting_parameters" if status == 400 else "invalid_request")


def test_a_range_wider_than_the_data_is_clamped_to_it(api: TestClient) -> None:
    wide = {"metric": "backlog", "grain": "day", "start": "1901-01-01", "end": "2026-11-23"}
    rows = api.get("/api/metrics", params=wide)
    assert rows.status_code == 200, rows.text
    periods = [row["period"][:10] for row in rows.json()]
    # the data begins on 31 December 2023 in New York; the frozen clock says 1 March 2024
    assert periods[0] >= "2023-12-31" and periods[-1] <= "2024-03-01"
    assert len(periods) == len(set(periods)) <= 62


def test_a_period_and_the_same_days_answer_the_same(api: TestClient) -> None:
    ask = {"metric": "tickets_created", "by": "channel"}
    by_period = api.get("/api/metrics", params={**ask, "period": "2024-02"}).json()
    by_days = api.get("/api/metrics", params={**ask, "start": "2024-02-01", "end": "2024-02-29"})
    assert by_period == by_days.json() and by_period


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "0.5"},
        {"within": "²"},
        {"start": "0", "end": "9999-12-31"},
        {"start": "2024-02-10", "end": "2024-02-01"},
        {"period": "nonsense"},
    ],
)
@pytest.mark.parametrize("path", ["/sla", "/", "/backlog", "/tickets"])
def test_pages_ignore_what_they_cannot_read(
    api: TestClient, path: str, params: dict[str, str]
) -> None:
    assert api.get(path, params=params).status_code == 200


@pytest.mark.parametrize(
    ("end", "after"),
    [
        (date(2026, 3, 29), datetime(2026, 3, 29, 22, tzinfo=UTC)),  # a 23-hour day in Berlin
        (date(2026, 10, 25), datetime(2026, 10, 25, 23, tzinfo=UTC)),  # a 25-hour day
    ],
)
def test_a_page_range_ends_at_the_local_midnight_after_its_last_day(
    end: date, after: datetime
) -> None:
    from supportops.web import data
    from supportops.web.filters import Filters

    low, high = data.bounds(Filters(start=end, end=end), "Europe/Berlin")
    assert (low, high) == (pd.Timestamp(local_midnight(end, "Europe/Berlin")), pd.Timestamp(after))
