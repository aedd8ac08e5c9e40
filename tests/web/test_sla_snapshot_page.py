"""The SLA page shows the same numbers from the stored snapshot as from the engine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from supportops.cli.workspace import write_config
from supportops.metrics.sla_source import snapshot_at, store_snapshot
from supportops.model.importer import import_files
from supportops.sla import evaluate_workspace
from supportops.tokens import TokenFile
from supportops.web import create_app
from supportops.workspace import Workspace
from tests.web.workspace_data import write_event_log

TAKEN = datetime(2024, 3, 1, 18, tzinfo=UTC)  # after the newest event of the log (17:34)
PAGES = (
    "/sla?start=2024-01-01&end=2024-02-29&as_of=2024-03-02T12:00&within=86400",
    "/sla?start=2024-02-01&end=2024-02-29&group=Billing&as_of=2024-03-09T08:00&within=604800",
)


@pytest.mark.parametrize("path", PAGES)
def test_the_sla_page_reads_the_same_from_the_snapshot(tmp_path: Path, path: str) -> None:
    write_config(tmp_path, "supportops.yaml", "supportops.templates", force=False)
    with Workspace.open(tmp_path) as ws:
        import_files(ws.store, [write_event_log(tmp_path / "files")])
    token = TokenFile.of_workspace(tmp_path).create("t", "read")[1]
    app = create_app(tmp_path)
    try:
        client = TestClient(app, cookies={"sops_session": token})
        engine = client.get(path)
        assert engine.status_code == 200 and "breached" in engine.text.lower()
        state = app.state.web
        store_snapshot(state.base, evaluate_workspace(state.base, TAKEN), TAKEN)
        assert snapshot_at(state.base) == TAKEN  # the page now reads the snapshot
        state.cache.clear()
        stored = client.get(path)
    finally:
        app.state.web.close()
    assert stored.text == engine.text
