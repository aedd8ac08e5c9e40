"""Benchmark: full SLA evaluation (all seven targets) of generated workspaces.

    .venv/bin/python bench/bench_sla.py 1000000 3000000 10000000

The named alternative is the obviously-correct loop per ticket of ``tests/sla/reference.py``,
timed on a sample of demo tickets and scaled; its instances on that sample must equal ours.

For each size, a first subprocess generates the demo data (``supportops.demo.generator``) chunk
by chunk and encodes it with the same SQL as ``load_inputs`` (DuckDB, in memory), caching the
pure inputs under ``$SLA_BENCH_CACHE`` (default ``/tmp/supportops-bench-sla``). A second, fresh
subprocess loads them and times :func:`supportops.sla.evaluate` at the end of the generated
window (the demo's "now"). ``seconds`` is wall time and ``cpu s`` the CPU time of both cores;
``peak GB`` is the resident high-water mark from the start of ``evaluate`` to its end (inputs
and result included; Linux ``VmHWM``, reset through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from supportops.config import parse_config
from supportops.sla import evaluate
from supportops.sla.events import EventArrays
from supportops.sla.store import event_arrays, events_sql, ticket_frame, tickets_sql

CACHE = Path(os.environ.get("SLA_BENCH_CACHE", "/tmp/supportops-bench-sla"))
CONFIG = {
    "default_calendar": "us-support",
    "calendars": {
        "us-support": {
            "timezone": "America/New_York",
            "hours": {"mon-fri": ["08:00-12:00", "13:00-18:00"], "sat": ["10:00-14:00"]},
            "holidays": {"country": "US", "dates": ["2026-12-24"]},
        },
        "emea": {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["08:00-17:00"]}},
        "always": {"always_open": True},
    },
    "sla_policies": [
        {
            "name": "urgent",
            "when": {"priority": ["urgent"]},
            "calendar": "always",
            "targets": {"first_reply": "1h", "next_reply": "2h", "resolution": "1d"},
        },
        {
            "name": "vip",
            "when": {"tags": ["vip", "enterprise"]},
            "calendar": "emea",
            "targets": {"first_reply": "2h", "next_reply": "4h", "agent_work": "8h"},
        },
        {
            "name": "standard",
            "targets": {
                "first_reply": "4h",
                "next_reply": "8h",
                "periodic_update": "1d",
                "pausable_update": "1d",
                "requester_wait": "1d",
                "agent_work": "16h",
                "resolution": {"target": "3d", "calendar": "always"},
            },
        },
    ],
}


def _encode(chunk: dict[str, pa.Table]) -> tuple[pa.Table, EventArrays]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("tickets", chunk["tickets"])
    con.register("events", chunk["events"])
    tickets = con.sql(tickets_sql()).to_arrow_table()
    events = event_arrays(con.sql(events_sql()).to_arrow_table())
    con.close()
    return tickets, events


def generate(size: int, folder: Path) -> None:
    """Generate ``size`` demo tickets and cache the engine's pure inputs in ``folder``."""
    from supportops.demo.generator import generate as demo

    tickets: list[pa.Table] = []
    parts: list[EventArrays] = []
    offset = 0
    for chunk in demo(tickets=size, seed=7):
        table, events = _encode(chunk)
        tickets.append(table)
        parts.append(EventArrays(events.ticket + offset, events.at, events.code))
        offset += table.num_rows
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.concat_tables(tickets), folder / "tickets.parquet")
    np.savez(
        folder / "events.npz",
        **{
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in ("ticket", "at", "code")
        },
    )


def _events(folder: Path) -> EventArrays:
    stored = np.load(folder / "events.npz")
    return EventArrays(stored["ticket"].astype(np.int32), stored["at"], stored["code"])


def _peak_gb() -> float:
    """The high-water mark of resident memory (VmHWM), in GB."""
    status = Path("/proc/self/status").read_text()
    kb = next(line for line in status.splitlines() if line.startswith("VmHWM"))
    return round(int(kb.split()[1]) / 1024**2, 2)


def run(folder: Path) -> dict[str, float]:
    """Time evaluate on the cached inputs; return the figures."""
    tickets = ticket_frame(pq.read_table(folder / "tickets.parquet"))
    config = parse_config(CONFIG)
    events = _events(folder)
    count, as_of = len(events), pd.Timestamp(int(events.at.max()), unit="s", tz="UTC")
    del events  # evaluated at the end of the generated window: the demo's "now"
    loading = _peak_gb()
    Path("/proc/self/clear_refs").write_text("5")  # restart VmHWM: the peak of evaluate alone
    began, cpu = time.perf_counter(), time.process_time()
    instances = evaluate(tickets, _events(folder), config, as_of)  # no other reference: freed
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "tickets": len(tickets),
        "events": count,
        "as_of": as_of.isoformat(),
        "instances": len(instances),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_gb": _peak_gb(),
        "loading_peak_gb": loading,
        "process_peak_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
    }


WIDTHS = (12, 13, 12, 8, 8, 8)


WIDTHS = (12, 13, 12, 8, 8, 8)


def _normal(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Instances as comparable tuples (the engine's and the reference's dtypes differ)."""
    columns = ["ticket_id", "target", "instance", "status", "elapsed_seconds"]
    stamps = ["started_at", "stopped_at", "breached_at", "due_at"]
    out = frame[columns].astype(str).to_numpy().tolist()
    times = [[str(pd.Timestamp(v)) if pd.notna(v) else "" for v in frame[n]] for n in stamps]
    return sorted(tuple(row) + tuple(t[i] for t in times) for i, row in enumerate(out))


def alternative(sample: int = 2_000) -> str:
    """The per-ticket loop (``tests/sla/reference.py``) on a sample, scaled to a million tickets;
    its instances must equal the engine's."""
    from supportops.demo.generator import generate as demo

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from sla.reference import reference  # type: ignore[import-not-found]

    chunk = next(iter(demo(tickets=sample, seed=7)))
    tickets, events = chunk["tickets"].to_pandas(), chunk["events"].to_pandas()
    as_of = events["at"].max()
    config = parse_config(CONFIG)
    began = time.perf_counter()
    slow = reference(tickets, events, config, as_of)
    seconds = time.perf_counter() - began
    fast = evaluate(tickets, events, config, as_of)
    same = "same instances" if _normal(slow) == _normal(fast) else "DIFFERENT INSTANCES"
    per_million = seconds / sample * 1_000_000
    return (
        f"alternative: a loop per ticket (tests/sla/reference.py) on {sample:,} demo tickets took "
        f"{seconds:.1f} s, {per_million / 60:,.0f} min per million tickets; {same} as the engine"
    )


def main(sizes: list[int]) -> None:
    heads = ("tickets", "clock events", "instances", "seconds", "cpu s", "peak GB")
    print(" ".join(f"{head:>{width}}" for head, width in zip(heads, WIDTHS, strict=True)))
    for size in sizes:
        folder = CACHE / str(size)
        if not (folder / "events.npz").exists():
            subprocess.run([sys.executable, __file__, "--generate", str(size)], check=True)
        out = subprocess.run(
            [sys.executable, __file__, "--run", str(size)],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{row['tickets']:>12,} {row['events']:>13,} {row['instances']:>12,} "
            f"{row['seconds']:>8} {row['cpu_seconds']:>8} {row['peak_gb']:>8}"
        )
    print(alternative())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        generate(int(sys.argv[2]), CACHE / sys.argv[2])
    elif sys.argv[1:2] == ["--run"]:
        print(json.dumps(run(CACHE / sys.argv[2])))
    else:
        main([int(arg) for arg in sys.argv[1:]] or [1_000_000, 3_000_000])
