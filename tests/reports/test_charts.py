"""The report's charts are the pages' Vega-Lite specs (:mod:`supportops.charts`), drawn offline by
``vl-convert`` with the report's look: the SLA and CSAT charts hold the ``report.targets`` as a
dashed line (none when a target is set to null), and every chart is a Vega SVG in the HTML.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from supportops import charts
from supportops.config import ReportTargets
from supportops.errors import ChartError
from supportops.reports import build_report, render_html
from supportops.reports import charts as drawn
from supportops.reports.executive import ExecutiveReport
from supportops.reports.render import specs
from supportops.workspace import Workspace


@pytest.fixture(scope="module")
def report(demo_workspace: Path) -> ExecutiveReport:
    with Workspace.open(demo_workspace, read_only=True) as ws:
        return build_report(ws, "2026-W46")


def _target(spec: dict[str, Any]) -> float | None:
    layer = next((x for x in spec["layer"] if x.get("name") == "target"), None)
    return None if layer is None else float(layer["data"]["values"][0]["target"])


def test_the_report_charts_are_the_pages_specs(report: ExecutiveReport) -> None:
    found = specs(report)
    assert set(found) == {"volume", "backlog", "bands", "sla", "csat", "sla_weekly", "csat_weekly"}
    days = [str(p)[:10] for p in report.daily["period"]]
    series = {"tickets_created": "created", "tickets_solved": "solved"}
    expected = charts.flow(
        [{**r, "period": d} for r, d in zip(report.daily.to_dict("records"), days, strict=True)],
        series,
        title="Tickets created and solved per day",
        file="volume",
    )
    assert found["volume"] == expected
    sla = {r["target"]: pytest.approx(r["now"], abs=1e-6) for r in report.sla}
    bars = {r["target"]: r["now"] for r in found["sla"]["data"]["values"]}
    assert bars == sla


def test_sla_and_csat_hold_the_configured_targets(report: ExecutiveReport) -> None:
    found = specs(report)
    assert _target(found["sla"]) == _target(found["sla_weekly"]) == report.targets.sla == 0.9
    assert _target(found["csat"]) == _target(found["csat_weekly"]) == report.targets.csat == 0.85
    assert _target(found["bands"]) is None and _target(found["backlog"]) is None
    without = dataclasses.replace(report, targets=ReportTargets(sla=None, csat=None))
    assert [_target(spec) for spec in specs(without).values()] == [None] * len(found)


def test_the_weekly_trends_are_the_metrics_query_by_week_to_the_period_end(
    report: ExecutiveReport, demo_workspace: Path
) -> None:
    start, end = charts.weeks(report.period.start, report.period.end)
    assert (start.weekday(), end, (end - start).days // 7 + 1) == (0, report.period.end, 13)
    with Workspace.open(demo_workspace, read_only=True) as ws:
        expected = ws.metrics(["sla_achieved_rate", "csat"], start=start, end=end, grain="week")
    found = specs(report)
    for metric, name in (("sla_achieved_rate", "sla_weekly"), ("csat", "csat_weekly")):
        points = found[name]["data"]["values"]
        assert [r["period"] for r in points] == [str(p)[:10] for p in expected["period"]]
        assert [r[metric] for r in points] == pytest.approx(list(expected[metric]), abs=1e-6)


def test_each_chart_is_drawn_by_vega_with_the_report_look(report: ExecutiveReport) -> None:
    html = render_html(report)
    assert html.count('class="marks"') == len(specs(report))  # Vega's SVG, one per chart
    assert "target 90%" in html and "target 85%" in html
    svg = drawn.svg(specs(report)["sla"])
    assert 'width="330"' in svg and drawn.FONT in svg
    assert drawn.look(specs(report)["sla"])["config"] == drawn.REPORT


def test_a_spec_that_cannot_be_drawn_is_a_chart_error() -> None:
    bad = {"usermeta": {"file": "broken"}, "data": {"values": []}, "mark": "nonsense"}
    with pytest.raises(ChartError, match="broken") as caught:
        drawn.svg(bad)
    assert caught.value.chart == "broken"  # type: ignore[attr-defined]
