"""The executive report: its numbers are the metric query's, and it renders to a 1–4 page PDF.

The PDF is rasterised with ``pdftoppm`` (poppler); with ``SUPPORTOPS_SCREENSHOTS=1`` its first
page is kept as ``docs/screenshots/report-page1.png``.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from supportops.cli import app
from supportops.numbers import fmt
from supportops.reports import build_report, render_html, write_report
from supportops.reports.executive import HEADLINE_IDS, ExecutiveReport
from supportops.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
PERIOD = "2026-W46"  # a full week of the demo, and the full week before it


@pytest.fixture(scope="module")
def report(demo_workspace: Path) -> ExecutiveReport:
    with Workspace.open(demo_workspace, read_only=True) as ws:
        return build_report(ws, PERIOD)


def _same(a: float | None, b: object) -> bool:
    if a is None:
        return b is None or (isinstance(b, float) and math.isnan(b))
    return math.isclose(a, float(b), rel_tol=1e-9)  # type: ignore[arg-type]


def test_headline_numbers_are_the_metric_query_of_each_period(
    report: ExecutiveReport, demo_workspace: Path
) -> None:
    with Workspace.open(demo_workspace, read_only=True) as ws:
        now = ws.metrics(HEADLINE_IDS, start=report.period.start, end=report.period.end)
        before = ws.metrics(HEADLINE_IDS, start=report.baseline.start, end=report.baseline.end)
    assert report.period.label == PERIOD and report.baseline.label == "2026-W45"
    for h in report.headlines:
        assert _same(h.value, now[h.metric].iloc[0]), h
        assert _same(h.previous, before[h.metric].iloc[0]), h
    assert report.headline("tickets_created").value > 0


def test_the_rendered_report_shows_each_headline_as_formatted(report: ExecutiveReport) -> None:
    html = render_html(report)
    for h in report.headlines:
        assert f'data-metric="{h.metric}"' in html
        assert fmt(h.value, h.unit, report.currency) in html, h.metric
    assert "bot-resolved sessions × average handle time of a human-solved ticket" in html


def test_targets_are_held_against_the_config(report: ExecutiveReport) -> None:
    sla, csat, fcr = (report.headline(m) for m in ("sla_achieved_rate", "csat", "fcr_rate"))
    assert (sla.target, csat.target, fcr.target) == ("≥ 90%", "≥ 85%", "70–75%")
    assert sla.status == ("met" if sla.value >= 0.9 else "missed")
    assert fcr.status in ("below", "met", "above")


def test_what_moved_adds_up_to_the_change_in_volume(report: ExecutiveReport) -> None:
    volume = report.headline("tickets_created")
    assert report.volume and report.reply
    change = volume.value - volume.previous
    for driver in report.volume:
        assert driver.share is None or driver.share == pytest.approx(driver.change / change)
    assert report.summary and any("tickets were created" in s for s in report.summary)


def test_automation_savings_multiply_their_parts(report: ExecutiveReport) -> None:
    saved = report.savings
    assert saved.sessions > 0 and saved.handle_seconds and saved.hourly_cost
    assert saved.hours == pytest.approx(saved.sessions * saved.handle_seconds / 3600)
    assert saved.money == pytest.approx(saved.hours * saved.hourly_cost)


def _pages(pdf: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) is missing")
def test_the_pdf_renders_on_one_to_four_pages(report: ExecutiveReport, tmp_path: Path) -> None:
    # three pages of operations, and "What our changes and automations saved" with the
    # articles we are missing
    pdf = write_report(report, tmp_path / "report.pdf", "pdf")
    pages = _pages(pdf, tmp_path)
    assert 1 <= len(pages) <= 4
    assert all(p.stat().st_size > 20_000 for p in pages)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        for metric in ("tickets_created", "sla_achieved_rate", "csat", "cost_per_ticket"):
            h = report.headline(metric)
            assert fmt(h.value, h.unit, report.currency) in text, metric
    if os.environ.get("SUPPORTOPS_SCREENSHOTS"):
        target = REPO / "docs" / "screenshots" / "report-page1.png"
        subprocess.run(
            ["pdftoppm", "-r", "110", "-png", "-f", "1", "-singlefile", str(pdf), str(target)[:-4]],
            check=True,
        )


def test_the_command_writes_html_and_compares_with_a_year_ago(
    demo_workspace: Path, tmp_path: Path
) -> None:
    out = tmp_path / "october.html"
    args = ["report", "--period", "2026-10", "--compare", "year", "--format", "html"]
    result = CliRunner().invoke(app, [*args, "--output", str(out), "-w", str(demo_workspace)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Support operations report · 2026-10" in html and "2025-10" in html
    assert "Caution: tickets were created on" in html  # no data a year earlier


def test_a_bad_period_or_format_is_a_clear_error(demo_workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["report", "--period", "Oct", "-w", str(demo_workspace)])
    assert bad.exit_code != 0 and "not a period" in str(bad.exception)
    with Workspace.open(demo_workspace, read_only=True) as ws:
        built = build_report(ws, "2026-11")
    with pytest.raises(Exception, match="--format"):
        write_report(built, tmp_path / "x.docx", "docx")


def test_the_report_prints_what_automations_saved_with_the_formula(
    report: ExecutiveReport,
) -> None:
    from supportops.roi.savings import FORMULA

    assert report.ledger is not None
    bot = report.ledger.rows[0]
    assert bot.automation == "bot" and bot.verification is not None
    assert bot.verification.verified <= bot.verification.reported
    html = render_html(report)
    assert "What our changes and automations saved" in html and FORMULA in html
    assert f"{bot.verification.verified:,} verified" in html


def test_the_report_shows_its_times_in_the_report_zone_and_groups_by_name(
    report: ExecutiveReport, demo_workspace: Path
) -> None:
    from supportops.metrics.names import Names
    from supportops.reports.executive import _named

    html = render_html(report)
    with Workspace.open(demo_workspace, read_only=True) as ws:
        zone = ws.config.report_timezone
        group = next(d.segment for d in report.volume if d.dimension == "group")
        named = _named(report.volume, Names(ws.store, {group: f"The {group} team"}))
    assert report.timezone == zone and f"({zone})" in html and " UTC" not in html
    assert f"Generated {report.generated_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}" in html
    assert f"The {group} team" in [d.segment for d in named if d.dimension == "group"]
    assert [d.segment for d in named if d.dimension != "group"] == [
        d.segment for d in report.volume if d.dimension != "group"
    ]


def test_the_report_lists_the_costliest_knowledge_gaps(
    report: ExecutiveReport, demo_workspace: Path
) -> None:
    """The period's first gaps, as the Knowledge page finds them for the same days."""
    from supportops.knowledge.report import workspace_gaps

    with Workspace.open(demo_workspace, read_only=True) as ws:
        found = workspace_gaps(ws, report.period.start, report.period.end)
    assert report.knowledge
    assert [g["title"] for g in report.knowledge] == found.gaps["title"].head(5).tolist()
    html = render_html(report)
    assert 'id="knowledge-gaps"' in html and "Articles we are missing" in html
