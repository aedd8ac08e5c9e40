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
from tests.web.conftest import session
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
        client = TestClient(app, cookies=session(app, token))
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


def test_without_a_snapshot_sla_lists_reuse_the_engine_result_of_the_minute(
    client: TestClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import supportops.sla as sla

    client.cookies.update(session(client.app, tokens["read"]))
    reader = client
    calls: list[object] = []
    real = sla.evaluate_workspace

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args[1] if len(args) > 1 else kwargs.get("as_of"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sla, "evaluate_workspace", counted)
    ask = {"start": "2024-01-01", "end": "2024-02-29", "metric": "sla_breaches"}
    ask["as_of"] = "2024-03-03T10:17:00+00:00"
    first = reader.get("/tickets", params=ask)
    second = reader.get("/tickets", params={**ask, "page": 2})
    csv = reader.get("/tickets.csv", params=ask)
    assert first.status_code == second.status_code == csv.status_code == 200
    assert "page 2 of" in second.text
    assert len(calls) == 1  # the engine ran once; the lists read its cached result
