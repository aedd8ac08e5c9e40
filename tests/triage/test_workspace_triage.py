"""Triage on a workspace's own history: the demo's tickets, on both storage engines, through
the command line (train, show, predict)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from supportops.cli import app
from supportops.cli.demo import build_demo
from supportops.demo.content import ASKS
from supportops.demo.generator import generate
from supportops.model.importer import import_batches
from supportops.model.schema import TABLES
from supportops.store import open_store
from supportops.store.texts import ticket_texts
from tests.postgres import pg_schema

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("triage-demo")
    build_demo(folder, tickets=3_000, seed=4, progress=False)
    return folder


def _streams(chunks: list[dict]) -> Iterator[tuple]:  # type: ignore[type-arg]
    for chunk in chunks:
        for name in TABLES:
            if chunk[name].num_rows:
                yield name, "demo", iter(chunk[name].to_batches()), ()


def test_each_ticket_reads_as_its_subject_and_first_customer_message(demo_ws: Path) -> None:
    with open_store("duckdb", demo_ws, read_only=True) as store:
        texts = ticket_texts(store)
    assert len(texts) and texts["ticket_id"].is_unique
    spoke = texts[texts["first_message"].notna()]
    assert len(spoke) > 0.5 * len(texts)
    asks = [ask for topic in ASKS.values() for ask in topic]
    opens_with_ask = spoke["first_message"].map(lambda m: any(m.startswith(a) for a in asks))
    assert opens_with_ask.all()
    assert (texts["handle_seconds"] >= 0).all() and (texts["handle_seconds"] > 0).any()


@pytest.mark.postgres
def test_postgresql_reads_the_same_texts_as_duckdb(tmp_path: Path) -> None:
    chunks = list(generate(400, seed=8))
    frames = []
    with pg_schema() as url:
        for where in ("duckdb", url):
            with open_store(where, tmp_path) as store:
                store.ensure_schema()
                import_batches(store, _streams(chunks), source="demo")
                frames.append(ticket_texts(store).drop(columns=["tags", "custom"]))
    duck, pg = frames
    pd.testing.assert_frame_equal(duck, pg, check_dtype=False)


def test_train_show_and_predict_on_the_workspace(demo_ws: Path) -> None:
    trained = runner.invoke(
        app, ["triage", "train", "--target", "tags", "--model", "tfidf", "-w", str(demo_ws)]
    )
    assert trained.exit_code == 0, trained.output
    assert "Measured on test (never seen in training)" in trained.output
    card = json.loads((demo_ws / "triage" / "tags.json").read_text())
    assert card["source"] == "workspace" and card["signature"].startswith("sha256:")
    assert card["data_to"] > card["data_from"]
    assert card["rows"]["train"] > card["rows"]["validation"] > 0
    # the first tag is the topic, which the subject and first message name
    assert card["test"]["accuracy"] > 0.9 > card["majority_accuracy"]
    shown = runner.invoke(
        app, ["triage", "show", "--target", "tags", "--format", "json", "-w", str(demo_ws)]
    )
    assert json.loads(shown.output)["threshold"] == card["threshold"]
    found = runner.invoke(
        app, ["triage", "predict", "--target", "tags", "--format", "csv", "-w", str(demo_ws)]
    )
    assert found.exit_code == 0, found.output
    rows = pd.read_csv(pd.io.common.StringIO(found.output))
    assert {"ticket_id", "label", "confidence", "routed", "top1", "p3"} <= set(rows.columns)
    assert rows["confidence"].between(0, 1).all() and (rows["top1"] == rows["label"]).all()


def test_a_model_that_was_never_trained_is_a_clear_error(demo_ws: Path) -> None:
    done = runner.invoke(app, ["triage", "show", "--target", "custom.plan", "-w", str(demo_ws)])
    assert done.exit_code != 0
    assert "no triage model 'custom.plan'" in str(done.exception)
