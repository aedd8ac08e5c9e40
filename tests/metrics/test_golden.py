"""Golden cases: one hand-built event log per metric, the expected values beside it.

Each ``golden/*.yaml`` holds a ``log`` (tables of rows; times may be ``+30m`` after the ticket's
creation), an optional ``config`` (supportops.yaml keys) and ``cases``: a query (``ask``: the
keyword arguments of ``Workspace.metrics``) and the rows it must return (``expect``; ``null``
is no data). Every case runs on DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from supportops.metrics.query import metrics

GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(GOLDEN.glob("*.yaml"))


def read(path: Path) -> dict[str, Any]:
    """A golden file as plain Python data."""
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def plain(value: Any) -> Any:
    """A DataFrame cell as JSON would show it: NaN → None, dates → ISO text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if hasattr(value, "item"):
        return value.item()
    return value


def same(got: Any, want: Any) -> bool:
    """Equal, numbers within 1e-6 relative."""
    if isinstance(want, int | float) and isinstance(got, int | float):
        return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)
    return bool(got == want)


def check_rows(rows: list[dict[str, Any]], expect: list[dict[str, Any]], label: str) -> None:
    """Every expected row is returned, in order, with the expected values."""
    assert len(rows) == len(expect), f"{label}: {len(rows)} rows {rows}, expected {expect}"
    for got, want in zip(rows, expect, strict=True):
        for key, value in want.items():
            assert key in got, f"{label}: no column {key!r} in {sorted(got)}"
            assert same(got[key], value), f"{label}: {key} = {got[key]!r}, expected {value!r}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden(path: Path, make_ws: Any, engine: str) -> None:
    spec = read(path)
    ws = make_ws(spec.get("log"), spec.get("config"))
    for i, case in enumerate(spec["cases"]):
        ask = dict(case["ask"])
        frame = metrics(ws, ask.pop("metrics"), **ask)
        rows = [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        check_rows(rows, case["expect"], f"{path.stem} case {i + 1} ({case.get('why', '')})")


def test_every_listed_metric_has_a_golden_case() -> None:
    from supportops.metrics.catalog import catalog

    asked = set()
    for path in FILES:
        for case in read(path)["cases"]:
            asked |= {m.split(":")[0] for m in case["ask"]["metrics"]}
    missing = [m for m, metric in catalog().items() if not metric.hidden and m not in asked]
    assert not missing, f"metrics without a golden case: {missing}"
