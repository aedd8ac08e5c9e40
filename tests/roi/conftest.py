"""Every store-backed ROI test runs on DuckDB and on PostgreSQL."""

from __future__ import annotations

from tests.experiments.conftest import engine

__all__ = ["engine"]
