"""The chart specs are data: their fields, encodings, axes in the manager's units, and the target
line of a ``report:`` target — present when one is configured, absent when not. Then the
Overview's trend charts as served (their numbers are the metrics query's by week), the KPI cards'
definitions, and in a real browser: the trend charts render and can be downloaded.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from supportops import charts, numbers
from supportops.charts import category_axis
from supportops.config import ReportTargets
from supportops.metrics.catalog import catalog
from supportops.web import trends
from supportops.web.filters import Filters
from supportops.web.pages import KPIS
from tests.web.conftest import session
from tests.web.test_browser import browser, page, server  # noqa: F401 (the browser fixtures)

WEEKS = [
    {"period": "2024-01-01", "csat": 0.81, "url": "/tickets?start=2024-01-01"},
    {"period": "2024-01-08", "csat": 0.74, "url": "/tickets?start=2024-01-08"},
    {"period": "2024-01-15", "csat": None, "url": "/tickets?start=2024-01-15"},
]
TRENDS = ("first_reply", "resolution", "sla", "csat")


def _layer(spec: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((layer for layer in spec.get("layer", []) if layer.get("name") == name), None)


def _labels(axis: dict[str, Any]) -> list[str]:
    """The tick labels an axis' ``labelExpr`` holds, in tick order."""
    found: list[str] = json.loads(axis["labelExpr"].split("[round(")[0])
    return found


# --- the specs ---------------------------------------------------------------------------------


def test_a_trend_is_a_line_and_points_over_the_weeks_that_open_their_tickets() -> None:
    spec = charts.line(WEEKS, "csat", unit="rate", title="CSAT by week", file="csat-by-week")
    line, points = _layer(spec, "line"), _layer(spec, "points")
    assert line and points and line["mark"]["type"] == "line"
    encoding = points["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("period", "temporal")
    assert (encoding["y"]["field"], encoding["y"]["type"]) == ("csat", "quantitative")
    assert encoding["href"] == {"field": "url", "type": "nominal"}
    assert [r["csat_text"] for r in spec["data"]["values"]] == ["81.0%", "74.0%", "—"]
    assert spec["usermeta"] == {
        "file": "csat-by-week",
        "csv": [["period", "period"], ["csat", "csat"]],
    }


def test_a_chart_without_links_has_no_href() -> None:
    rows = [{k: v for k, v in row.items() if k != "url"} for row in WEEKS]
    spec = charts.line(rows, "csat", unit="rate", title=None)
    assert "href" not in _layer(spec, "points")["encoding"] and "title" not in spec  # type: ignore[index]


def test_a_configured_target_is_a_dashed_line_with_its_label() -> None:
    spec = charts.line(WEEKS, "csat", unit="rate", title="CSAT", target=0.85)
    rule, label = _layer(spec, "target"), _layer(spec, "target_label")
    assert rule and label
    assert rule["mark"]["type"] == "rule" and rule["mark"]["strokeDash"]
    assert rule["data"]["values"] == [{"target": 0.85, "label": "target 85%"}]
    assert rule["encoding"]["y"]["field"] == "target"
    domain = _layer(spec, "points")["encoding"]["y"]["scale"]["domain"]  # type: ignore[index]
    assert domain[0] <= 0.74 and domain[1] >= 0.85  # the target is on the chart


def test_without_a_target_there_is_no_target_layer() -> None:
    for spec in (
        charts.line(WEEKS, "csat", unit="rate", title="CSAT"),
        charts.bar(WEEKS, "period", "csat", title="CSAT", unit="rate"),
        charts.compare(WEEKS, "period", unit="rate", title="CSAT", now="csat"),
    ):
        names = [layer.get("name") for layer in spec["layer"]]
        assert "target" not in names and "target_label" not in names, spec["title"]


@pytest.mark.parametrize(
    ("values", "unit", "include", "ticks", "labels"),
    [
        ([7761, 16536, 6606], "seconds", [], [0, 3600, 7200, 10800, 14400, 18000],
         ["0s", "1h", "2h", "3h", "4h", "5h"]),
        ([700, 1500], "seconds", [], [0, 300, 600, 900, 1200, 1500],
         ["0s", "5m", "10m", "15m", "20m", "25m"]),
        ([0.2, 0.28], "rate", [0.9], [0.2, 0.4, 0.6, 0.8, 1.0],
         ["20%", "40%", "60%", "80%", "100%"]),
        ([0.54, 0.86], "rate", [0.85], [0.5, 0.6, 0.7, 0.8, 0.9],
         ["50%", "60%", "70%", "80%", "90%"]),
        ([1.0, 1.0], "rate", [], [0.99, 1.0], ["99%", "100%"]),  # all at 100%: still a range
        ([1, 48, 50], "count", [], [0, 10, 20, 30, 40, 50], ["0", "10", "20", "30", "40", "50"]),
        ([None, float("nan")], "count", [], [0, 1], ["0", "1"]),
        ([-5, 7], "count", [], [-5, 0, 5, 10], ["-5", "0", "5", "10"]),
        ([3, 12], "count", [], [0, 5, 10, 15], ["0", "5", "10", "15"]),
    ],
)  # fmt: skip
def test_axes_tick_at_round_values_written_in_the_managers_units(
    values: list[float], unit: str, include: list[float], ticks: list[float], labels: list[str]
) -> None:
    found = charts.axis(values, unit, include=include)
    assert found["axis"]["values"] == pytest.approx(ticks)
    assert _labels(found["axis"]) == labels == [numbers.short(t, unit) for t in ticks]
    assert found["scale"]["domain"] == pytest.approx([ticks[0], ticks[-1]])


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(0, "seconds", "0s"), (3600, "seconds", "1h"), (5400, "seconds", "1h 30m"),
     (90000, "seconds", "1d 1h"), (86400, "seconds", "1d"), (600, "seconds", "10m"),
     (0.9, "rate", "90%"), (0.875, "rate", "87.5%"), (1500, "count", "1,500")],
)  # fmt: skip
def test_a_tick_is_written_as_the_number_without_its_round_zeros(
    value: float, unit: str, text: str
) -> None:
    assert numbers.short(value, unit) == text
    assert numbers.fmt(value, unit).startswith(text.split(" ")[0].rstrip("%"))


def test_created_against_solved_is_a_line_per_series_whose_points_open_their_tickets() -> None:
    days = [
        {"period": "2024-01-01", "tickets_created": 6, "tickets_solved": 2,
         "tickets_created_url": "/tickets?a", "tickets_solved_url": "/tickets?b"},
    ]  # fmt: skip
    spec = charts.flow(days, {"tickets_created": "created", "tickets_solved": "solved"}, title="x")
    assert [(r["series"], r["value"], r["url"]) for r in spec["data"]["values"]] == [
        ("created", 6, "/tickets?a"),
        ("solved", 2, "/tickets?b"),
    ]
    color = _layer(spec, "line")["encoding"]["color"]  # type: ignore[index]
    assert color["field"] == "series" and color["scale"]["domain"] == ["created", "solved"]


def test_compared_bars_show_the_previous_value_only_when_there_is_one() -> None:
    rows = [{"target": "first_reply", "now": 0.9, "before": 0.8}]
    with_before = charts.compare(rows, "target", unit="rate", title="x", before="before")
    without = charts.compare(rows, "target", unit="rate", title="x", target=0.9)
    assert _layer(with_before, "before") and not _layer(without, "before")
    assert _layer(without, "target")["encoding"] == {  # type: ignore[index]
        "x": {"field": "target", "type": "quantitative"}
    }
    x = _layer(without, "now")["encoding"]["x"]  # type: ignore[index]
    assert x["scale"]["domain"][0] == 0  # bars start at zero


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def reader(client: TestClient, tokens: dict[str, str]) -> TestClient:
    client.cookies.update(session(client.app, tokens["read"]))
    return client


def _specs(html: str) -> dict[str, dict[str, Any]]:
    found = re.findall(r'<script type="application/json" id="spec-([\w-]+)">(.*?)</script>', html)
    return {name: json.loads(text) for name, text in found}


FILTERS = Filters(start=date(2024, 2, 1), end=date(2024, 2, 28))
OVERVIEW = "/?start=2024-02-01&end=2024-02-28"


def test_the_overview_draws_the_weekly_trends_with_the_configured_targets(
    reader: TestClient, app: FastAPI
) -> None:
    specs = _specs(reader.get(OVERVIEW).text)
    assert set(TRENDS) | {"flow", "channels"} <= set(specs)
    with app.state.web.workspace() as ws:
        targets = ws.config.report.targets
    assert _layer(specs["sla"], "target")["data"]["values"][0]["target"] == targets.sla  # type: ignore[index]
    assert _layer(specs["csat"], "target")["data"]["values"][0]["target"] == targets.csat  # type: ignore[index]
    assert not _layer(specs["first_reply"], "target") and not _layer(specs["resolution"], "target")


def test_the_weekly_trend_is_the_metrics_query_by_week(app: FastAPI) -> None:
    scope = trends.trend_filters(FILTERS)
    assert scope.start == date(2023, 12, 4) and scope.start.weekday() == 0  # 13 whole weeks
    with app.state.web.workspace() as ws:
        specs = trends.weekly(ws, FILTERS, ws.config.report.targets)
        ids = [t.metric for t in trends.TRENDS]
        expected = ws.metrics(ids, grain="week", start=scope.start, end=scope.end)
    for t in trends.TRENDS:
        shown = {r["period"]: r for r in specs[t.name]["data"]["values"]}
        for row in expected.to_dict("records"):
            point, value = shown[str(row["period"])[:10]], row[t.metric]
            assert point[f"{t.name}_text"] == numbers.fmt(value, t.unit)  # as the cards write it
            close = pytest.approx(value, abs=0.5 if t.unit == "seconds" else 1e-6)
            assert point[t.name] == (None if value != value else close)


def test_a_target_set_to_none_draws_no_line_and_another_moves_it(app: FastAPI) -> None:
    with app.state.web.workspace() as ws:
        none = trends.weekly(ws, FILTERS, ReportTargets(csat=None, sla=None))
        other = trends.weekly(ws, FILTERS, ReportTargets(csat=0.7, sla=0.95))
    assert not _layer(none["sla"], "target") and not _layer(none["csat"], "target")
    assert _layer(other["sla"], "target")["data"]["values"][0]["label"] == "target 95%"  # type: ignore[index]
    assert _layer(other["csat"], "target")["data"]["values"][0]["label"] == "target 70%"  # type: ignore[index]


def test_the_sla_page_holds_compliance_against_the_sla_target(reader: TestClient) -> None:
    specs = _specs(reader.get("/sla?as_of=2024-02-29T12:00").text)
    assert _layer(specs["targets"], "target")["data"]["values"][0]["target"] == 0.9  # type: ignore[index]
    assert _layer(specs["targets"], "bars")["encoding"]["y"]["field"] == "achieved_rate"  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "metrics"),
    [
        (OVERVIEW, [k.metric for k in KPIS]),
        ("/sla?as_of=2024-02-29T12:00", ["sla_achieved_rate", "sla_breaches", "sla_active"]),
    ],
)
def test_each_card_carries_its_definition_and_links_to_its_entry(
    reader: TestClient, path: str, metrics: list[str]
) -> None:
    html = reader.get(path).text
    definitions = reader.get("/definitions").text
    for metric in metrics:
        entry = catalog()[metric.split(":")[0]]
        card = re.search(rf'<a class="card" [^>]*data-metric="{re.escape(metric)}"', html)
        assert card and f'title="{entry.definition}"' in card.group(0).replace("&#39;", "'")
        assert re.search(rf'class="define" href="/definitions\?[^"]*#{entry.id}"', html), metric
        assert f'<dt id="{entry.id}">' in definitions


# --- in a browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_overview_trend_charts_render_and_offer_their_downloads(
    page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    page.goto(OVERVIEW)
    for name in (*TRENDS, "flow"):
        figure = page.locator(f"#chart-{name}")
        figure.locator("svg.marks").first.wait_for()
        assert figure.locator(".mark-line path").count() >= 1, name
        kinds = figure.locator(".chart-actions button").evaluate_all(
            "buttons => buttons.map(b => b.dataset.download)"
        )
        assert kinds == ["png", "svg", "csv"], name
    assert page.locator("#chart-sla .mark-rule.role-mark").count() == 1  # the SLA target
    assert page.locator("#chart-first_reply .mark-rule.role-mark").count() == 0
    y_axis = '#chart-first_reply g.role-axis[aria-label^="Y-axis"] .role-axis-label text'
    labels = page.locator(y_axis).evaluate_all("texts => texts.map(t => t.textContent)")
    assert labels and labels[0] == "0s"  # durations as a manager reads them: 0s, 2h, 4h, ...
    assert all(re.fullmatch(r"\d+[dhm]( \d+[hm])?", t) for t in labels[1:]), labels
    files = {}
    for kind in ("csv", "svg", "png"):
        with page.expect_download() as download:
            page.click(f"#chart-csat .chart-actions button[data-download={kind}]")
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        files[kind] = path
    assert files["csv"].name == "csat-by-week.csv"
    lines = files["csv"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == "period,csat" and len(lines) > 10
    assert files["svg"].read_text(encoding="utf-8").startswith("<svg")
    assert files["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.browser
def test_the_csv_of_a_chart_quotes_its_cells_and_disarms_formulas(page: Any) -> None:  # noqa: F811
    rows = [{"channel": "=HYPERLINK(1)", "n": -3, "note": 'say "hi", twice', "url": "/tickets"}]
    text = page.evaluate("rows => csv({data: {values: rows}})", rows)
    assert text == 'channel,n,note\r\n\'=HYPERLINK(1),-3,"say ""hi"", twice"\r\n'
    named = page.evaluate(
        "rows => csv({data: {values: rows}, usermeta: {csv: [['n', 'tickets']]}})", rows
    )
    assert named == "tickets\r\n-3\r\n"


def test_category_labels_stay_level_when_they_fit_and_slant_when_they_do_not() -> None:
    assert category_axis(["email", "chat", "web", "phone"])["labelAngle"] == 0
    names = [f"Agent with a long name {i}" for i in range(25)]
    slanted = category_axis(names)
    assert slanted["labelAngle"] == -35 and slanted["labelAlign"] == "right"
    days = category_axis(["2026-11-01", "2026-11-02"])
    assert days["labelAngle"] == 0 and "timeParse(datum.value, '%Y-%m-%d')" in days["labelExpr"]
    spec = charts.bar([{"t": "first_reply", "n": 1, "url": "/"}], "t", "n", title="x")
    assert spec["layer"][0]["encoding"]["x"]["axis"]["labelAngle"] == 0
