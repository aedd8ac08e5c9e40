"""The stores of every engine, as the event-log tests make them, and a small demo workspace."""

from pathlib import Path

import pytest

from tests.model.conftest import any_store, engine_name, new_store

__all__ = ["any_store", "engine_name", "new_store"]


@pytest.fixture(scope="session")
def qa_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo workspace (4,000 tickets) with its reviews and the demo scorecard."""
    from supportops.cli.demo import build_demo

    folder = tmp_path_factory.mktemp("qa-demo")
    build_demo(folder, tickets=4_000, seed=2, progress=False)
    return folder
