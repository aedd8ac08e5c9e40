"""The executive report holds IQS against its target, with its interval."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportops.qa.workspace import iqs_table
from supportops.reports import build_report, parse_period, write_report
from supportops.reports.executive import _bounds
from supportops.workspace import Workspace


def test_the_report_shows_iqs_against_target_with_its_interval(
    qa_demo: Path, tmp_path: Path
) -> None:
    with Workspace.open(qa_demo, read_only=True) as ws:
        period = parse_period("2026-10", ws.config.report_timezone, ws.clock)
        report = build_report(ws, period)
        want = iqs_table(ws, [], *_bounds(period, ws.config.report_timezone)).iloc[0]
    assert report.qa is not None
    assert report.qa["iqs"] == pytest.approx(want["score"])
    assert report.qa["low"] < report.qa["iqs"] < report.qa["high"]
    assert report.qa["target"] == 85 and report.qa["reviews"] == want["n"]
    out = tmp_path / "report.html"
    write_report(report, out, "html")
    html = out.read_text()
    assert f'IQS <span class="big">{report.qa["iqs"]:.1f}%' in html and "target 85%" in html
