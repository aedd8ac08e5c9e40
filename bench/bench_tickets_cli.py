"""``supportops tickets`` benchmark: the whole drill-down as CSV, and the 50-ticket terminal view.

    .venv/bin/python bench/bench_tickets_cli.py --tickets 1000000   # builds /tmp/bench-web-1000000
    .venv/bin/python bench/bench_tickets_cli.py --workspace DIR     # an existing workspace

The workspace's materialised facts are refreshed first when they are stale (``supportops
metrics refresh``: what ``supportops demo`` and ``serve`` leave behind). Then, in the same run:

- ``supportops tickets --format csv --output F`` as a subprocess (start-up included): rows per
  second, beside the floor — DuckDB's own ``COPY (SELECT <the same columns> FROM metric_facts)
  TO F (HEADER)`` of the same rows — and their ratio. Target (issue 12): at least 200,000 rows/s.
- ``supportops tickets --limit 50`` (the terminal view, COLUMNS=120): median wall and CPU time
  of ``--runs`` subprocesses, beside ``python -c "import duckdb"`` (the floor: no command can
  start without its engine) run alternately with it. The first run of the view starts with an
  empty SQL cache (:mod:`supportops.sql_cache`) and is reported on its own. Target: under 1 s.
  The load average is printed beside the figures: other work on the machine slows both alike.

The commands run as an installed package runs, with its bytecode: ``PYTHONDONTWRITEBYTECODE``
is dropped from their environment (a first import writes it), as DuckDB's own bytecode was
written when it was installed. Without bytecode every run compiles the package's modules again
(about 0.4 s of the terminal view).
"""

from __future__ import annotations

import argparse
import os
import resource
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


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one fresh process running ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli(*args: str, cache: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds one ``supportops ARGS`` takes as a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "120"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache is not None:
        env["SUPPORTOPS_CACHE_DIR"] = str(cache)
    return run([sys.executable, "-m", "supportops", *args], env)


def floor(folder: Path, out: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds DuckDB takes to COPY the drill-down's columns of the materialised
    facts to CSV, and the rows."""
    with Workspace.open(folder, read_only=True) as ws:
        cols = ", ".join(f'"{c}"' for c in drilldown.TICKET_COLUMNS)
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        ws.store.execute(f"COPY (SELECT {cols} FROM {FACTS}) TO '{out}' (HEADER)")
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        rows = int(ws.store.scalar(f"SELECT count(*) FROM {FACTS}"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, rows


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
    seconds, csv_cpu = cli(
        "tickets", "--format", "csv", "--output", str(work / "cli.csv"), "-w", str(folder)
    )
    with (work / "cli.csv").open("rb") as f:
        rows = sum(1 for _ in f) - 1
    base, base_cpu, base_rows = floor(folder, work / "floor.csv")
    print(
        f"tickets --format csv: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
        f"({csv_cpu:.1f} CPU-s, start-up included)"
    )
    print(
        f"floor, DuckDB COPY of the same columns: {base_rows:,} rows in {base:.1f} s = "
        f"{base_rows / base:,.0f} rows/s ({base_cpu:.1f} CPU-s); the CLI takes "
        f"{seconds / base:.1f}× as long, {csv_cpu / base_cpu:.1f}× the CPU"
    )
    verdict = "met" if rows / seconds >= TARGET_ROWS_S else "NOT met"
    print(f"target: at least {TARGET_ROWS_S:,} rows/s — {verdict}")
    view = ("tickets", "--limit", "50", "-w", str(folder))
    cache = work / "sql-cache"
    cli(*view, cache=work / "warm-up")  # writes the package's bytecode, if not written yet
    cold_wall, cold_cpu = cli(*view, cache=cache)
    views, floors = [], []
    for _ in range(args.runs):
        views.append(cli(*view, cache=cache))
        floors.append(run([sys.executable, "-c", "import duckdb"]))
    wall = statistics.median(w for w, _ in views)
    cpu = statistics.median(c for _, c in views)
    base_wall = statistics.median(w for w, _ in floors)
    base_cpu = statistics.median(c for _, c in floors)
    verdict = "met" if wall < TARGET_VIEW_S else "NOT met"
    print(
        f"tickets --limit 50 (terminal view): median {wall * 1000:.0f} ms wall, "
        f"{cpu * 1000:.0f} ms CPU of {args.runs} runs — target under {TARGET_VIEW_S:.0f} s "
        f"{verdict}; first run, SQL cache empty: {cold_wall * 1000:.0f} ms wall, "
        f"{cold_cpu * 1000:.0f} ms CPU"
    )
    print(
        f'floor, python -c "import duckdb": median {base_wall * 1000:.0f} ms wall, '
        f"{base_cpu * 1000:.0f} ms CPU; the view takes {wall / base_wall:.1f}× its wall time"
    )
    print(f"load average during the runs: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
