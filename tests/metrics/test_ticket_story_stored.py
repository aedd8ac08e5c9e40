"""A story reads its ticket's facts row from the materialised facts when they are fresh, and
computes it from the ticket's events otherwise: on every ticket of a demo store, on DuckDB and
PostgreSQL, both give the same story."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supportops.cli.workspace import write_config
from supportops.demo.generator import generate
from supportops.metrics.materialize import STATE, is_fresh, refresh_facts
from supportops.metrics.ticket_story import story, story_data
from supportops.model.importer import import_batches
from supportops.model.schema import TABLES
from supportops.sla.workspace import now
from supportops.workspace import Workspace

TICKETS = 100  # each story is told twice, some 0.1 s each


def _streams() -> Iterator[tuple[str, str, Any, tuple[str, ...]]]:
    """The generated demo's tables, chunk by chunk, as the importer takes them."""
    for chunk in generate(tickets=TICKETS, seed=3):
        for name in TABLES:
            if name in chunk and chunk[name].num_rows:
                yield name, "demo", iter(chunk[name].to_batches()), ()


@pytest.fixture
def demo(engine: str, tmp_path: Path) -> Iterator[Workspace]:
    """A demo workspace of :data:`TICKETS` tickets on the engine under test, its facts and SLA
    snapshot materialised."""
    write_config(tmp_path, "supportops.yaml", "supportops.demo", force=False)
    config = tmp_path / "supportops.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"\nstore: '{engine}'\n")
    with Workspace.open(tmp_path) as ws:
        import_batches(ws.store, _streams(), source="demo")
        refresh_facts(ws)
        yield ws


def _stories(ws: Workspace, keys: list[tuple[str, str]], moment: Any) -> list[dict[str, Any]]:
    return [story_data(story(ws, ticket, source, moment)) for source, ticket in keys]


def test_the_stored_facts_tell_the_story_the_events_tell(demo: Workspace) -> None:
    keys = [
        (str(s), str(t))
        for s, t in demo.store.query("SELECT source, ticket_id FROM tickets").itertuples(
            index=False
        )
    ]
    assert len(keys) == TICKETS
    moment = now(demo).replace(microsecond=0)
    assert is_fresh(demo)  # the first stories read the stored facts
    stored = _stories(demo, keys, moment)
    demo.store.execute(f"DROP TABLE {STATE}")  # what they were built from is lost: not used
    computed = _stories(demo, keys, moment)
    for key, got, want in zip(keys, stored, computed, strict=True):
        assert got == want, key
    assert any(f["value"] is not None and f["events"] for s in stored for f in s["facts"])
