"""The executive report as a page: one HTML document (Jinja2, inline CSS and SVG charts, nothing
fetched), and that document as a PDF through WeasyPrint.

>>> report = build_report(ws, "2026-10")                  # doctest: +SKIP
>>> write_report(report, Path("report.pdf"), "pdf")       # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from supportops import numbers
from supportops.errors import InputError
from supportops.reports import charts
from supportops.reports.executive import ExecutiveReport
from supportops.reports.savings import FORMULA

__all__ = ["FORMATS", "render_html", "render_pdf", "write_report"]

FORMATS = ("html", "pdf")
_ENV = Environment(
    loader=PackageLoader("supportops.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _charts(report: ExecutiveReport) -> dict[str, str]:
    """The report's SVG charts, by name."""
    daily = report.daily.dropna(subset=["period"]) if len(report.daily) else report.daily
    days = [str(p)[5:10] for p in daily.get("period", [])]
    targets = report.headlines
    sla_target = next((h for h in targets if h.metric == "sla_achieved_rate"), None)
    rate = lambda v: f"{v * 100:.0f}%"  # noqa: E731
    out = {
        "volume": charts.columns(
            days, [float(v or 0) for v in daily.get("tickets_created", [])],
            title="Tickets created per day",
        ),
        "backlog": charts.line(
            days, {"backlog": [None if v != v else float(v) for v in daily.get("backlog", [])]},
            title="Backlog at the end of each day",
        ),
        "bands": charts.hbars(
            [charts.Bar(b["band"], b["now"], b["before"]) for b in report.bands],
            title="Backlog by age at period end",
        ),
    }  # fmt: skip
    if report.sla:
        goal = _goal(sla_target.target if sla_target else None)
        bars = [charts.Bar(r["target"], r["now"] or 0.0, r["before"]) for r in report.sla]
        out["sla"] = charts.hbars(bars, title="SLA achieved by target", fmt=rate, target=goal)
    if report.csat:
        csat = next(h for h in targets if h.metric == "csat")
        bars = [charts.Bar(r["channel"], r["csat"]) for r in report.csat]
        out["csat"] = charts.hbars(
            bars, title="CSAT by channel", fmt=rate, target=_goal(csat.target)
        )
    return out


def _goal(text: str | None) -> float | None:
    """The number of a target's text (``≥ 90%`` → 0.9)."""
    if not text:
        return None
    digits = text.replace("≥", "").replace("%", "").split("–")[0].strip()
    return float(digits) / 100


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
