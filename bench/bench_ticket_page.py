"""Ticket page benchmark: ``/tickets/{source}/{id}`` cold on a large demo workspace.

    .venv/bin/python bench/bench_ticket_page.py --tickets 1000000   # builds /tmp/bench-web-1000000
    .venv/bin/python bench/bench_ticket_page.py --workspace DIR     # an existing workspace

For ``--runs`` tickets picked at random, times the page's route on a live uvicorn, cold (the
app's result cache cleared before each run), and, in the same run, the floor: one plain
``SELECT * FROM tickets WHERE source = ? AND ticket_id = ?`` on the same store. Prints the
median and p95 of each and their ratio. Target (issue 12): under 300 ms cold on 1M tickets.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_web import build, serve  # noqa: E402
from supportops.tokens import TokenFile  # noqa: E402
from supportops.web import create_app  # noqa: E402
from supportops.web.auth import COOKIE  # noqa: E402
from supportops.web.ticket_links import ticket_path  # noqa: E402

TARGET_MS = 300.0


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (seconds) in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    folder = args.workspace or build(args.tickets)
    tokens = TokenFile.of_workspace(folder)
    session = tokens.open_session(tokens.create("bench-ticket", "read")[1])[0]  # as /login does
    app = create_app(folder)
    state = app.state.web
    with state.workspace() as ws:
        total = ws.store.count("tickets")
        keys = ws.store.query(
            "SELECT source, ticket_id FROM tickets ORDER BY source, ticket_id"
        ).to_records(index=False)
        rng = random.Random(12)
        picked = [tuple(map(str, keys[rng.randrange(len(keys))])) for _ in range(args.runs)]
    server, base = serve(app)
    page, floor = [], []
    try:
        with httpx.Client(base_url=base, cookies={COOKIE: session}, timeout=600) as client:
            client.get(ticket_path(*picked[0])).raise_for_status()  # first request: app start
            for source, ticket_id in picked:
                state.cache.clear()
                start = time.perf_counter()
                client.get(ticket_path(source, ticket_id)).raise_for_status()
                page.append(time.perf_counter() - start)
                with state.workspace() as ws:
                    start = time.perf_counter()
                    ws.store.query(
                        "SELECT * FROM tickets WHERE source = ? AND ticket_id = ?",
                        [source, ticket_id],
                    )
                    floor.append(time.perf_counter() - start)
    finally:
        server.should_exit = True
    median, floor_median = 1000 * statistics.median(page), 1000 * statistics.median(floor)
    print(f"ticket page on {total:,} tickets ({folder}), {args.runs} tickets, cold")
    print(f"{'':<28}{'median':>10}{'p95':>10}")
    print(f"{'ticket page (cold)':<28}{median:8.1f}ms{pct(page, 0.95):8.1f}ms")
    print(f"{'floor: SELECT one ticket':<28}{floor_median:8.1f}ms{pct(floor, 0.95):8.1f}ms")
    print(f"ratio page / floor (medians): {median / max(floor_median, 1e-6):.1f}x")
    met = median < TARGET_MS
    print(f"target {TARGET_MS:.0f} ms median cold: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
