"""The executive report as a page: one HTML document (Jinja2, inline CSS and SVG charts, nothing
fetched), and that document as a PDF through WeasyPrint. The charts are the pages' Vega-Lite
specs, drawn offline (:mod:`supportops.reports.charts`).

>>> report = build_report(ws, "2026-10")                  # doctest: +SKIP
>>> write_report(report, Path("report.pdf"), "pdf")       # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from supportops import charts as spec
from supportops import numbers
from supportops.errors import InputError
from supportops.reports import charts
from supportops.reports.executive import ExecutiveReport
from supportops.reports.savings import FORMULA

__all__ = ["FORMATS", "render_html", "render_pdf", "specs", "write_report"]

FORMATS = ("html", "pdf")
_ENV = Environment(
    loader=PackageLoader("supportops.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _days(daily: pd.DataFrame) -> list[dict[str, Any]]:
    """The daily frame as chart rows: ``period`` an ISO day, missing values as None."""
    frame = daily.dropna(subset=["period"]) if len(daily) else daily
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [
        {**{str(k): v for k, v in row.items()}, "period": str(row["period"])[:10]} for row in rows
    ]


def specs(report: ExecutiveReport) -> dict[str, dict[str, Any]]:
    """The report's charts as the pages' Vega-Lite specs (:mod:`supportops.charts`), by name."""
    days = _days(report.daily)
    series = {"tickets_created": "created", "tickets_solved": "solved"}
    out = {
        "volume": spec.flow(
            days, series, title="Tickets created and solved per day", file="volume"
        ),
        "backlog": spec.line(
            days, "backlog", unit="count", title="Backlog at the end of each day", file="backlog"
        ),
        "bands": spec.compare(
            report.bands, "band", unit="count", title="Backlog by age at period end",
            before="before", file="backlog-age",
        ),
    }  # fmt: skip
    if report.sla:
        out["sla"] = spec.compare(
            report.sla, "target", unit="rate", title="SLA achieved by target",
            before="before", target=report.targets.sla, file="sla",
        )  # fmt: skip
    weekly = _days(report.weekly)
    for metric, name, target in (
        ("sla_achieved_rate", "sla_weekly", report.targets.sla),
        ("csat", "csat_weekly", report.targets.csat),
    ):
        if any(row.get(metric) is not None for row in weekly):
            out[name] = spec.line(weekly, metric, unit="rate", title=None, target=target, file=name)
    if report.csat:
        out["csat"] = spec.compare(
            report.csat, "channel", unit="rate", title="CSAT by channel", now="csat",
            target=report.targets.csat, file="csat",
        )  # fmt: skip
    return out


def _charts(report: ExecutiveReport) -> dict[str, str]:
    """The report's charts drawn as inline SVG, by name."""
    lines = ("volume", "backlog", "sla_weekly", "csat_weekly")
    return {
        name: charts.svg(chart, height=charts.HEIGHT if name in lines else None)
        for name, chart in specs(report).items()
    }


def render_html(report: ExecutiveReport) -> str:
    """The report as one self-contained HTML document."""
    template = _ENV.get_template("executive.html")
    currency = report.currency

    def fmt(value: Any, unit: str) -> str:
        return numbers.fmt(value, unit, currency)

    return template.render(
        report=report,
        charts=_charts(report),
        fmt=fmt,
        duration=numbers.duration,
        local=numbers.local,
        formula=FORMULA,
    )


def render_pdf(html: str, path: Path) -> None:
    """Write ``html`` as a PDF at ``path`` (WeasyPrint; nothing is fetched)."""
    from weasyprint import HTML

    HTML(string=html, base_url=str(path.parent)).write_pdf(str(path))


def write_report(report: ExecutiveReport, path: Path, fmt: str) -> Path:
    """Write the report to ``path`` as ``html`` or ``pdf``."""
    if fmt not in FORMATS:
        raise InputError(f"unknown --format {fmt!r} (expected html or pdf)", key="format")
    html = render_html(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        path.write_text(html, encoding="utf-8")
    else:
        render_pdf(html, path)
    return path
