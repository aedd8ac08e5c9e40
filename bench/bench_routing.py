"""Routing replay benchmark: the four strategies on a demo history, beside a pure-Python floor.

    .venv/bin/python bench/bench_routing.py [--tickets 100000] [--runs 3]

Builds (once) a demo workspace of ``--tickets`` tickets, reads its whole history as
``routing simulate`` does (availability from the shifts, skills from the groups), and replays it
under each strategy, reporting tickets per second in wall and CPU time. The floor, in the same
run: the same arrivals and handle times through the least a replay can do in Python — one heap
pop and push per ticket on a heap of the agents' next free instants (first come, first served,
no skills, no shifts). The ratio says what skills, capacity, shifts and the strategy's choice
cost over it.
"""

from __future__ import annotations

import argparse
import heapq
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from supportops.workforce.routing import STRATEGIES, History, route, summary
from supportops.workforce.routing_history import routing_history
from supportops.workspace import Workspace


def build(tickets: int) -> Path:
    """A demo workspace of ``tickets`` tickets, built once."""
    folder = Path(f"/tmp/bench-routing-{tickets}")
    if not (folder / "supportops.yaml").exists():
        from supportops.cli.demo import build_demo

        build_demo(folder, tickets=tickets, progress=False)
    return folder


def timed(runs: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """The fastest wall and CPU seconds of ``runs`` calls, and the last result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu, result


def floor(history: History) -> float:
    """First come, first served on ``len(agents)`` servers: one heap pop and push per ticket."""
    free = [0.0] * len(history.agents)
    total = 0.0
    for t, h in zip(history.arrival.tolist(), history.handle.tolist(), strict=True):
        start = max(t, heapq.heappop(free))
        total += start - t
        heapq.heappush(free, start + h)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = build(args.tickets)
    with Workspace.open(folder, read_only=True) as ws:
        low, high = ws.query(
            "SELECT min(created_at) AS lo, max(created_at) AS hi FROM tickets"
        ).iloc[0]
        low = low.to_pydatetime().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        high = datetime.fromtimestamp(high.timestamp() + 1, UTC)
        wall, cpu, history = timed(1, lambda: routing_history(ws, low, high))
    n = len(history.arrival)
    shifts = 0 if history.shifts is None else len(history.shifts[0])
    print(
        f"demo: {args.tickets:,} tickets generated; {n:,} replayed, {len(history.agents)} agents,"
    )
    print(
        f"  {shifts:,} work shifts, skills {', '.join(history.skills)}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"reading the history from the store: {wall:.2f} s wall, {cpu:.2f} s CPU")
    f_wall, f_cpu, _ = timed(args.runs, lambda: floor(history))
    print(
        f"floor (heap pop+push per ticket, pure Python): {n / f_wall:,.0f} tickets/s "
        f"({f_wall:.3f} s wall, {f_cpu:.3f} s CPU)"
    )
    print(
        f"{'strategy':<16} {'tickets/s':>10} {'wall s':>7} {'CPU s':>7} {'× floor':>8} "
        f"{'CPU ×':>6} {'in target':>9} {'occupancy':>9} {'skilled':>8}"
    )
    for name, strategy in STRATEGIES.items():
        wall, cpu, routed = timed(args.runs, lambda s=strategy: route(history, s))
        row = summary(history, routed, 3600)
        print(
            f"{name:<16} {n / wall:>10,.0f} {wall:>7.3f} {cpu:>7.3f} {wall / f_wall:>8.1f} "
            f"{cpu / f_cpu:>6.1f} "
            f"{row['service_level']:>9.1%} {row['occupancy']:>9.1%} {row['share_skilled']:>8.1%}"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 shared cores)")


if __name__ == "__main__":
    main()
