"""``Store.rows``: a query's few rows as Python values, without Arrow where the engine can,
equal on every engine to what its Arrow table gives."""

from __future__ import annotations

from datetime import UTC, datetime

from supportops.store import Store
from supportops.store.base import Rows, py_values

QUERY = (
    "SELECT ticket_id, created_at, tags, first_reply, breached, n FROM ("
    "SELECT 't1' AS ticket_id, TIMESTAMPTZ '2026-03-02 09:00:00.123456+00' AS created_at,"
    " ARRAY['vip', 'billing'] AS tags, CAST(3600.5 AS DOUBLE PRECISION) AS first_reply,"
    " TRUE AS breached, CAST(7 AS BIGINT) AS n"
    " UNION ALL SELECT 't2', NULL, NULL, NULL, NULL, NULL) q ORDER BY ticket_id"
)


def test_rows_are_the_values_of_the_arrow_table(store: Store) -> None:
    rows = store.rows(QUERY)
    table = store.arrow(QUERY)
    assert rows.columns == table.column_names
    assert rows.values == list(zip(*(py_values(c) for c in table.columns), strict=True))
    first = dict(zip(rows.columns, rows.values[0], strict=True))
    assert first["created_at"] == datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
    assert first["tags"] == ["vip", "billing"]  # a list comes out as a list
    assert rows.kinds == ["O", "M", "O", "f", "b", "i"]  # read from the first value not null


def test_rows_as_dicts_and_a_scalar(store: Store) -> None:
    assert store.rows(QUERY).dicts()[1] == {
        "ticket_id": "t2",
        "created_at": None,
        "tags": None,
        "first_reply": None,
        "breached": None,
        "n": None,
    }
    assert store.scalar("SELECT count(*) FROM (" + QUERY + ") q") == 2
    assert store.scalar("SELECT 1 WHERE 1 = 0") is None


def test_a_column_of_nulls_is_text() -> None:
    assert Rows.of(["a", "b"], [(None, 1), (None, 2)]).kinds == ["O", "i"]
