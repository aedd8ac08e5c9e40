"""The condition language's text comparisons, `contains` (any case) and `regex`: the mask and
the SQL predicate give the same rows, and a wrong one is refused where it is written."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from supportops.conditions import Columns, mask, parse_condition, to_sql
from supportops.errors import ConditionError

FRAME = pd.DataFrame(
    {"subject": ["Invoice wrong", "invoice copy", "Login fails", None, "Refund please"]}
)


@pytest.mark.parametrize(
    ("raw", "rows"),
    [
        ({"subject": {"contains": "INVOICE"}}, [0, 1]),
        ({"subject": {"regex": "^[Ii]nvoice"}}, [0, 1]),
        ({"subject": {"regex": "(?i)refund|login"}}, [2, 4]),
        ({"not": {"subject": {"contains": "invoice"}}}, [2, 3, 4]),
    ],
)
def test_mask_and_sql_agree(raw: dict[str, object], rows: list[int]) -> None:
    cond = parse_condition(raw)
    assert list(FRAME.index[mask(cond, FRAME)]) == rows
    params: dict[str, object] = {}
    sql = to_sql(cond, Columns(alias="t", defaults={}), params)
    with duckdb.connect() as con:
        con.register("t", FRAME.reset_index())
        found = con.sql(f'SELECT "index" FROM t WHERE {sql} ORDER BY 1', params=params)
        assert [r[0] for r in found.fetchall()] == rows


def test_a_wrong_regex_or_a_number_field_is_refused() -> None:
    with pytest.raises(ConditionError, match="not a regular expression"):
        parse_condition({"subject": {"regex": "(unclosed"}}, key="when")
    with pytest.raises(ConditionError, match="contains takes one text"):
        parse_condition({"created_at": {"contains": "2026"}}, key="when")
