"""``supportops tickets`` benchmark: the whole drill-down as CSV, and the 50-ticket terminal view.

    .venv/bin/python bench/bench_tickets_cli.py --tickets 1000000   # builds /tmp/bench-web-1000000
    .venv/bin/python bench/bench_tickets_cli.py --workspace DIR     # an existing workspace

The workspace's materialised facts are refreshed first when they are stale (``supportops
metrics refresh``: what ``supportops demo`` and ``serve`` leave behind). Then, in the same run:

- ``supportops tickets --format csv --output F`` as a subprocess (start-up included): rows per
  second, beside the floor — DuckDB's own ``COPY (SELECT <the same columns> FROM metric_facts)
  TO F (HEADER)`` of the same rows — and their ratio. Target (issue 12): at least 200,000 rows/s.
- ``supportops tickets --limit 50`` (the terminal view, COLUMNS=120): median wall time of
  ``--runs`` subprocesses. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from bench_web import build  # noqa: E402
from supportops.metrics import drilldown  # noqa: E402
from supportops.metrics.materialize import FACTS, refresh_facts  # noqa: E402
from supportops.workspace import Workspace  # noqa: E402

TARGET_ROWS_S = 200_000
TARGET_VIEW_S = 1.0


def cli(*args: str) -> float:
    """Seconds one ``supportops ARGS`` takes as a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "120"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "supportops", *args], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - start


def floor(folder: Path, out: Path) -> tuple[float, int]:
    """Seconds DuckDB takes to COPY the drill-down's columns of the materialised facts to CSV."""
    with Workspace.open(folder, read_only=True) as ws:
        cols = ", ".join(f'"{c}"' for c in drilldown.TICKET_COLUMNS)
        start = time.perf_counter()
        ws.store.execute(f"COPY (SELECT {cols} FROM {FACTS}) TO '{out}' (HEADER)")
        seconds = time.perf_counter() - start
        rows = int(ws.store.scalar(f"SELECT count(*) FROM {FACTS}"))
    return seconds, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = args.workspace or build(args.tickets)
    with Workspace.open(folder) as ws:
        if not drilldown.stored_facts(ws):
            print("materialised facts are stale: refreshing them first", flush=True)
            refresh_facts(ws)
    work = Path(tempfile.mkdtemp(prefix="bench-tickets-"))
    seconds = cli(
        "tickets", "--format", "csv", "--output", str(work / "cli.csv"), "-w", str(folder)
    )
    with (work / "cli.csv").open("rb") as f:
        rows = sum(1 for _ in f) - 1
    base, base_rows = floor(folder, work / "floor.csv")
    print(f"tickets --format csv: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")
    print(
        f"floor, DuckDB COPY of the same columns: {base_rows:,} rows in {base:.1f} s = "
        f"{base_rows / base:,.0f} rows/s; the CLI takes {seconds / base:.1f}× as long"
    )
    verdict = "met" if rows / seconds >= TARGET_ROWS_S else "NOT met"
    print(f"target: at least {TARGET_ROWS_S:,} rows/s — {verdict}")
    views = [cli("tickets", "--limit", "50", "-w", str(folder)) for _ in range(args.runs)]
    view = statistics.median(views)
    verdict = "met" if view < TARGET_VIEW_S else "NOT met"
    print(
        f"tickets --limit 50 (terminal view): median {view * 1000:.0f} ms of {args.runs} runs "
        f"— target under {TARGET_VIEW_S:.0f} s {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
