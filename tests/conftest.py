"""Fixtures shared by every test module: the real data folder and fresh workspaces."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
# Generated SQL (supportops.sql_cache) is kept in a folder of the test run, not the user's.
os.environ.setdefault("SUPPORTOPS_CACHE_DIR", tempfile.mkdtemp(prefix="supportops-sql-"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; absent locally → skip, absent in CI → fail."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} is missing in CI")
        pytest.skip(f"real data folder {SHARED_DATA} is not beside the checkout")
    return SHARED_DATA


@pytest.fixture
def workspace_dir(tmp_path: Path) -> Path:
    """An initialised, empty workspace folder."""
    from supportops.cli.workspace import write_config

    write_config(tmp_path, "supportops.yaml", "supportops.templates", force=False)
    return tmp_path
