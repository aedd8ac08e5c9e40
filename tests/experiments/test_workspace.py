"""Assignment and analysis on a store (DuckDB and PostgreSQL alike): arms are deterministic and
stored, and a known injected effect is recovered inside its interval with the right verdict."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from supportops.errors import ExperimentError
from supportops.experiments.assign import arm_of, fraction
from supportops.experiments.assignment import assign
from supportops.experiments.results import analyze
from supportops.metrics.experiment_outcomes import stored_arms
from supportops.workspace import Workspace
from tests.metrics.eventlog import load

START = datetime(2026, 11, 2, tzinfo=UTC)
ARMS = {"control": 1.0, "faster": 1.0}
SAVED = 2 * 3600  # the injected effect: the faster arm resolves two hours sooner


def experiment(**kw: Any) -> dict[str, Any]:
    return {
        "name": "faster-macro",
        "unit": "ticket",
        "arms": ARMS,
        "salt": "golden",
        "start": "2026-11-02",
        "end": "2026-11-15",
        "primary": "full_resolution_time:median",
        "guardrails": ["reopen_rate"],
        **kw,
    }


def tickets(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """``n`` solved tickets over the two weeks; the faster arm's resolve ``SAVED`` sooner."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        tid = f"t{i}"
        created = START + timedelta(seconds=int(rng.integers(0, 13 * 86400)))
        hours = 3 + float(rng.lognormal(2, 0.8))
        if arm_of("golden", tid, ARMS) == "faster":
            hours -= SAVED / 3600
        rows.append(
            {
                "ticket_id": tid,
                "created_at": created.isoformat(),
                "solved_at": (created + timedelta(hours=hours)).isoformat(),
                "status": "solved",
                "requester_id": f"r{i % (n // 2)}",
            }
        )
    return rows


def workspace(tmp_path: Path, engine: str, n: int, **kw: Any) -> Workspace:
    folder = tmp_path / "ws"
    folder.mkdir()
    config = {"store": engine, "experiments": [experiment(**kw)]}
    (folder / "supportops.yaml").write_text(json.dumps(config), encoding="utf-8")
    ws = Workspace(folder)
    load(ws.store, {"tickets": tickets(n)})
    return ws


def test_the_hash_is_the_documented_one() -> None:
    import hashlib

    digest = hashlib.sha256(b"golden:t7").digest()
    assert fraction("golden", "t7") == int.from_bytes(digest[:8], "big") / 2**64
    # the first arm takes [0, 0.5): the same unit lands in the same arm on every call
    assert arm_of("golden", "t7", ARMS) == (
        "control" if fraction("golden", "t7") < 0.5 else "faster"
    )


def test_assignment_is_stored_deterministic_and_healthy(tmp_path: Path, engine: str) -> None:
    with workspace(tmp_path, engine, 600) as ws:
        first = assign(ws, "faster-macro")
        again = assign(ws, "faster-macro")
        stored = stored_arms(ws, "faster-macro")
    assert first.tickets == again.tickets
    assert sum(first.tickets.values()) == 600 == len(stored)
    assert not first.ratio.failed
    expected = {row["ticket_id"]: arm_of("golden", row["ticket_id"], ARMS) for row in tickets(600)}
    assert dict(zip(stored.ticket_id, stored.arm, strict=True)) == expected


def test_analysis_recovers_the_injected_saving(tmp_path: Path, engine: str) -> None:
    with workspace(tmp_path, engine, 1200) as ws:
        assign(ws, "faster-macro")
        result = analyze(ws, "faster-macro")
    primary = result.analysis.results[0]
    assert primary.interval.method == "bootstrap"
    assert primary.interval.covers(-SAVED)
    assert primary.interval.high < 0
    assert result.analysis.status == "better"
    assert "faster is better on full_resolution_time:median" in result.analysis.verdict


def test_hodges_lehmann_recovers_the_shift(tmp_path: Path) -> None:
    with workspace(tmp_path, "duckdb", 800, median_method="hodges_lehmann") as ws:
        assign(ws, "faster-macro")
        primary = analyze(ws, "faster-macro").analysis.results[0]
    assert primary.interval.method == "hodges-lehmann"
    assert primary.interval.covers(-SAVED)


def test_a_mismatched_split_makes_the_verdict_invalid(tmp_path: Path) -> None:
    # arms stored 70/30 while supportops.yaml now says 50/50: a broken assignment
    with workspace(tmp_path, "duckdb", 1000, arms={"control": 7.0, "faster": 3.0}) as ws:
        assign(ws, "faster-macro")
    config = tmp_path / "ws" / "supportops.yaml"
    config.write_text(config.read_text().replace("7.0", "1.0").replace("3.0", "1.0"))
    with Workspace(tmp_path / "ws") as ws:
        result = analyze(ws, "faster-macro")
    assert result.analysis.status == "invalid"
    assert result.analysis.verdict.startswith("Invalid: the arms hold")


def test_analysis_before_assignment_says_what_to_run(tmp_path: Path) -> None:
    with workspace(tmp_path, "duckdb", 100) as ws, pytest.raises(ExperimentError) as err:
        analyze(ws, "faster-macro")
    assert "supportops experiment assign faster-macro" in str(err.value)


def test_a_fixed_horizon_warns_before_its_end(tmp_path: Path) -> None:
    from supportops.instants import FrozenClock

    with workspace(tmp_path, "duckdb", 600) as ws:
        assign(ws, "faster-macro")
    early = Workspace(tmp_path / "ws", clock=FrozenClock(datetime(2026, 11, 9, tzinfo=UTC)))
    with early:
        result = analyze(early, "faster-macro")
    assert result.analysis.status.startswith("early")
    assert result.analysis.verdict.startswith("Not finished")
