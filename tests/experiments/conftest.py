"""Demo history for the experiment tests: the durations and rates of a generated support
operation, resampled by the simulations (never a distribution chosen to suit the methods)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from supportops.demo.generator import generate


@dataclass(frozen=True)
class History:
    """Per ticket of the demo: resolution seconds (solved ones), requester, whether reopened."""

    resolution: np.ndarray
    requester: np.ndarray
    solved_within_day: np.ndarray


@pytest.fixture(scope="session")
def history() -> History:
    tickets = next(generate(tickets=4000, seed=7))["tickets"].to_pandas()
    seconds = (tickets.solved_at - tickets.created_at).dt.total_seconds()
    solved = seconds.notna().to_numpy()
    return History(
        resolution=seconds[solved].to_numpy(float),
        requester=tickets.requester_id[solved].to_numpy(),
        solved_within_day=(seconds[solved] < 86400).to_numpy(float),
    )


ENGINES = ("duckdb", "postgresql")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The store URL of the engine under test (a fresh PostgreSQL schema per test)."""
    from tests.postgres import pg_schema

    if request.param == "duckdb":
        yield "duckdb"
        return
    with pg_schema() as url:
        yield url
