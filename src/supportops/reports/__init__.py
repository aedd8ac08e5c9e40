"""Reports that translate operations into an executive's terms.

How the modules fit together, one concept each::

    period      months, quarters and weeks, and the period each is compared with
    executive   build_report: the numbers (headlines, SLA, backlog, CSAT, cost)
    drivers     what moved and why: each segment's contribution to a change
    savings     what automation saved, by the formula the report prints
    summary     the report's first sentences, written from the numbers
    charts      small dependency-free inline SVG charts
    render      the HTML document and its PDF (WeasyPrint)

>>> from supportops.reports import build_report, write_report   # doctest: +SKIP
>>> write_report(build_report(ws, "2026-10"), Path("october.pdf"), "pdf")   # doctest: +SKIP
"""

from __future__ import annotations

from supportops.reports.executive import ExecutiveReport, build_report
from supportops.reports.period import Period, baseline, parse_period
from supportops.reports.render import render_html, render_pdf, write_report

__all__ = [
    "ExecutiveReport",
    "Period",
    "baseline",
    "build_report",
    "parse_period",
    "render_html",
    "render_pdf",
    "write_report",
]
