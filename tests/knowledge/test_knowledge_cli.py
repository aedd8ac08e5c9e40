"""``supportops knowledge gaps`` on the demo workspace, whose articles cover about half of its
topics: the uncovered topics rank as gaps, the covered ones do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supportops.cli import app
from supportops.cli.demo import build_demo
from supportops.demo.content import TOPICS

runner = CliRunner()
COVERED = {"refund", "invoice", "plan-change", "login", "how-to", "access", "cancel"}


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("knowledge-demo")
    build_demo(folder, tickets=2_000, seed=6, progress=False)
    return folder


def test_gaps_rank_the_topics_no_article_covers(demo_ws: Path) -> None:
    done = runner.invoke(
        app,
        [
            "knowledge",
            "gaps",
            "--space",
            "tfidf",
            "--top",
            "100",
            "--format",
            "json",
            "-w",
            str(demo_ws),
        ],
    )
    assert done.exit_code == 0, done.output
    found = json.loads(done.output)
    assert found["articles"] == 8 and found["tickets"] > 1_500
    subject_topic = {s: t.tag for t in TOPICS for s in t.subjects}
    uncovered = {True: [], False: []}  # type: ignore[var-annotated]
    for gap in found["gaps"]:
        assert len(gap["samples"]) <= 3 and gap["nearest_articles"]
        topic = subject_topic.get(gap["title"])
        if topic is not None:
            uncovered[topic in COVERED].append(gap["uncovered"])
    assert uncovered[True] and uncovered[False]
    assert max(uncovered[True]) < min(uncovered[False])
    covering = {row["article"]: row["tickets"] for row in found["deflection"]}
    assert covering["refunds.md"] > 0 and covering["password-reset.md"] > 0


def test_the_table_shows_titles_outlines_and_deflection(demo_ws: Path) -> None:
    done = runner.invoke(app, ["knowledge", "gaps", "--space", "tfidf", "-w", str(demo_ws)])
    assert done.exit_code == 0, done.output
    assert "Knowledge gaps, most agent hours first" in done.output
    assert "sample tickets:" in done.output
    assert "Deflection opportunity per article" in done.output


def test_an_articles_folder_asked_for_that_is_not_there_is_an_error(
    demo_ws: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-articles"
    done = runner.invoke(app, ["knowledge", "gaps", "--articles", str(missing), "-w", str(demo_ws)])
    from supportops.errors import InputError

    assert done.exit_code != 0 and isinstance(done.exception, InputError)
    assert str(done.exception) == f"--articles {missing}: no such folder of articles"
