"""Golden cases of the condition language, one file per operator (``golden/<op>.yaml``).

Each file holds a small ticket table and conditions with the ticket ids they select. Every case
runs through the mask evaluator (on the tickets as plain pandas and as the SLA engine reads them:
categoricals and Arrow columns) and through the SQL compiler on DuckDB and on PostgreSQL, with
bound parameters and with inlined literals; all must give the expected ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from supportops.conditions import Columns, mask, parse_condition, to_sql
from supportops.metrics.compiler import run_sql
from supportops.sla.store import ticket_frame
from supportops.store import Store, open_store
from tests.metrics.eventlog import arrow_rows, instant, load
from tests.postgres import pg_schema

GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(GOLDEN.glob("*.yaml"))


def _case_file(path: Path) -> Any:
    return YAML(typ="rt").load(path.read_text(encoding="utf-8"))


def _cases(path: Path) -> Iterator[tuple[int, Any, list[str]]]:
    for index, case in enumerate(_case_file(path)["cases"]):
        yield index, parse_condition(case["condition"]), [str(i) for i in case["expected"]]


def _created(rows: list[dict[str, Any]]) -> dict[str, datetime]:
    return {str(r["ticket_id"]): instant(r["created_at"]) for r in rows}  # type: ignore[misc]


@pytest.fixture(params=["duckdb", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store on each engine (a fresh PostgreSQL schema)."""
    if request.param == "duckdb":
        with open_store("duckdb", tmp_path) as opened:
            opened.ensure_schema()
            yield opened
        return
    with pg_schema() as url, open_store(url, tmp_path) as opened:
        opened.ensure_schema()
        yield opened


def test_there_is_a_golden_file_per_operator() -> None:
    names = {p.stem for p in FILES}
    wanted = {"eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "between", "null"}
    wanted |= {"tags_any_of", "tags_all_of", "tags_none_of", "all", "any", "not", "custom"}
    assert wanted <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_mask(path: Path) -> None:
    rows = [dict(r) for r in _case_file(path)["tickets"]]
    table = arrow_rows("tickets", rows, _created(rows))
    ids = [str(r["ticket_id"]) for r in rows]
    for frame in (table.to_pandas(), ticket_frame(table)):
        for index, condition, expected in _cases(path):
            selected = mask(condition, frame)
            got = [i for i, keep in zip(ids, selected, strict=True) if keep]
            assert got == expected, f"{path.name} case {index} ({type(frame.iloc[:, 0].dtype)})"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_sql(path: Path, store: Store) -> None:
    rows = [dict(r) for r in _case_file(path)["tickets"]]
    load(store, {"tickets": rows})
    for index, condition, expected in _cases(path):
        params: dict[str, Any] = {}
        where = to_sql(condition, Columns(alias="t"), params)
        sql = f"SELECT t.ticket_id FROM tickets t WHERE {where} ORDER BY t.ticket_id"
        got = run_sql(store, sql, params)["ticket_id"].tolist()
        assert got == expected, f"{path.name} case {index} on {store.capabilities.name}: {where}"
        inline = to_sql(condition, Columns(alias="t"), None)  # values as escaped literals
        sql = f"SELECT t.ticket_id FROM tickets t WHERE {inline} ORDER BY t.ticket_id"
        got = run_sql(store, sql)["ticket_id"].tolist()
        assert got == expected, f"{path.name} case {index} inline: {inline}"
