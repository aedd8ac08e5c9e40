"""Benchmark: the standard metric report on generated workspaces, SQL (DuckDB) vs plain pandas,
and ``supportops tickets`` to Parquet.

    .venv/bin/python bench/bench_metrics.py 1000000 3000000 10000000

For each size a workspace is generated once (``supportops.demo.generator``, appended straight
into the DuckDB store, SLA instances stored by the SLA engine) and cached under
``$METRICS_BENCH_CACHE`` (default ``/tmp/supportops-bench-metrics``). Each measurement runs in a
fresh subprocess limited to 2 DuckDB threads; its wall time and peak RSS are reported. The
pandas figure times the same report computed with pandas/numpy from tables already in memory
(loading them is reported apart).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("METRICS_BENCH_CACHE", "/tmp/supportops-bench-metrics"))
REPORT = [
    "tickets_created",
    "tickets_solved",
    "backlog",
    "first_reply_time:median",
    "first_reply_time:p90",
    "first_reply_time_business:median",
    "first_reply_time_business:p90",
    "full_resolution_time:median",
    "sla_achieved_rate",
    "reopen_rate",
    "one_touch_rate",
    "csat",
    "cost_per_ticket",
]
BY, GRAIN = ["channel"], "week"
PANDAS_MAX = int(os.environ.get("METRICS_BENCH_PANDAS_MAX", "3000000"))


def build(size: int) -> Path:
    """The cached workspace of ``size`` tickets (generated when missing)."""
    from importlib import resources

    from supportops.demo.generator import generate
    from supportops.model.schema import TABLES
    from supportops.sla import evaluate_workspace, store_instances
    from supportops.workspace import Workspace

    folder = CACHE / str(size)
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("supportops.duckdb*"):
        stale.unlink()
    text = resources.files("supportops.demo").joinpath("supportops.yaml").read_text("utf-8")
    (folder / "supportops.yaml").write_text(text, encoding="utf-8")
    with Workspace(folder) as ws:
        _threads(ws)
        for chunk in generate(tickets=size, seed=0):
            for name, rows in chunk.items():
                if rows.num_rows:
                    keep = [c for c in TABLES[name].stored if c in rows.column_names]
                    ws.store.append(name, rows.select(keep))
        store_instances(ws, evaluate_workspace(ws))
    (folder / "done").write_text("ok")
    return folder


def run_refresh(folder: Path) -> dict[str, Any]:
    """Materialise the facts (``supportops metrics refresh``), once per generated workspace."""
    from supportops.metrics.materialize import refresh_facts
    from supportops.workspace import Workspace

    with Workspace(folder) as ws:
        _threads(ws)
        start = time.perf_counter()
        rows = refresh_facts(ws)
    return {"seconds": time.perf_counter() - start, "rows": rows}


def _threads(ws: Any) -> None:
    """Two threads, as on the target machine, and a memory cap so DuckDB spills, not swaps."""
    ws.store.execute("SET threads = 2")
    ws.store.execute(f"SET memory_limit = '{os.environ.get('METRICS_BENCH_MEMORY', '8GB')}'")


def run_sql_report(folder: Path) -> dict[str, Any]:
    from supportops.workspace import Workspace

    with Workspace(folder) as ws:
        _threads(ws)
        start = time.perf_counter()
        frame = ws.metrics(REPORT, by=BY, grain=GRAIN)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(frame), "check": _check(frame)}


def _check(frame: Any) -> dict[str, float]:
    """Totals both implementations must agree on."""
    return {
        "tickets_created": float(frame["tickets_created"].sum()),
        "tickets_solved": float(frame["tickets_solved"].sum()),
        "backlog_last": float(
            frame.sort_values("period").groupby("channel").tail(1)["backlog"].sum()
        ),
    }


def run_pandas_report(folder: Path) -> dict[str, Any]:
    from bench_metrics_pandas import load_tables, pandas_report
    from supportops.workspace import Workspace

    with Workspace(folder) as ws:
        _threads(ws)
        start = time.perf_counter()
        tables = load_tables(ws)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        frame = pandas_report(tables, ws.config)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "load_seconds": loaded, "rows": len(frame), "check": _check(frame)}


def run_tickets_parquet(folder: Path) -> dict[str, Any]:
    from supportops.metrics.ticket_files import write_tickets
    from supportops.workspace import Workspace

    with Workspace(folder) as ws:
        _threads(ws)
        start = time.perf_counter()
        rows = write_tickets(ws, folder / "tickets.parquet", "parquet")
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows}


def measure(kind: str, folder: Path) -> dict[str, Any]:
    """Run one measurement in a fresh subprocess; adds its peak RSS (MiB)."""
    code = (
        f"import json, resource, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"from bench_metrics import run_{kind}; "
        f"r = run_{kind}(__import__('pathlib').Path({str(folder)!r})); "
        "r['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "print(json.dumps(r))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(sizes: list[int]) -> None:
    print(f"standard report: {len(REPORT)} metrics by {','.join(BY)} and {GRAIN}; 2 threads")
    header = (
        f"{'tickets':>11} {'build s':>8} {'refresh s':>9} {'SQL s':>7} {'SQL MiB':>8} "
        f"{'pandas s':>9} {'load s':>7} {'ratio':>6} {'parquet s':>10} {'parquet MiB':>11}"
    )
    print(header)
    for size in sizes:
        start = time.perf_counter()
        folder = build(size)
        built = time.perf_counter() - start
        refresh = measure("refresh", folder)
        sql = measure("sql_report", folder)
        pandas = measure("pandas_report", folder) if size <= PANDAS_MAX else None
        parquet = measure("tickets_parquet", folder)
        agree = pandas is None or sql["check"] == pandas["check"]
        if pandas is None:  # pandas needs ~3 GiB per million tickets: too much beyond PANDAS_MAX
            pandas = {"seconds": float("nan"), "load_seconds": float("nan")}
        print(
            f"{size:>11,} {built:>8.0f} {refresh['seconds']:>9.1f} {sql['seconds']:>7.1f} "
            f"{sql['peak_mib']:>8.0f} "
            f"{pandas['seconds']:>9.1f} {pandas['load_seconds']:>7.1f} "
            f"{pandas['seconds'] / sql['seconds']:>6.1f} {parquet['seconds']:>10.1f} "
            f"{parquet['peak_mib']:>11.0f}  totals agree: {agree}",
            flush=True,
        )


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main([int(a) for a in sys.argv[1:]] or [1_000_000, 3_000_000, 10_000_000])
