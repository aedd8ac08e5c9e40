"""Web benchmark: Overview data latency and 50 concurrent readers, on a generated workspace.

    .venv/bin/python bench/bench_web.py --tickets 1000000        # builds /tmp/bench-web-1000000
    .venv/bin/python bench/bench_web.py --workspace DIR          # an existing workspace

Prints, for every page of the navigation, the median and p99 of its route (cold: the app's result
cache cleared before each run; warm: cached) against its budget, then p50/p99 and errors of
``--readers`` concurrent clients on a live uvicorn, and the time to download every ticket as
CSV. Targets (issue 5, 1M tickets): Overview under
500 ms median, every other page under 1 s; no errors with 50 readers.

    .venv/bin/python bench/bench_web.py --workspace DIR --pages / /sla   # only these pages
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from supportops.tokens import TokenFile  # noqa: E402
from supportops.web import create_app  # noqa: E402
from supportops.web.pages import NAV  # noqa: E402

READS = [
    "/api/metrics?metric=tickets_created&metric=first_reply_time:median&by=channel",
    "/api/metrics?metric=tickets_created&grain=day",
    "/api/tickets?limit=100",
    "/",
    "/channels",
]


def build(tickets: int) -> Path:
    """A demo workspace of ``tickets`` tickets (with its materialised facts and SLA snapshot, as
    ``supportops demo`` leaves it), built once."""
    folder = Path(f"/tmp/bench-web-{tickets}")
    if not (folder / "supportops.yaml").exists():
        from supportops.cli.demo import build_demo

        build_demo(folder, tickets=tickets, progress=False)
    return folder


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def serve(app: object) -> tuple[uvicorn.Server, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
    server.thread = threading.Thread(target=server.run, daemon=True)  # type: ignore[attr-defined]
    server.thread.start()  # type: ignore[attr-defined]
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def budget(path: str) -> float:
    """A page's median budget in ms: the Overview 500, every other page 1000."""
    return 500.0 if path == "/" else 1000.0


def pages(base: str, token: str, app: object, runs: int, paths: list[str]) -> bool:
    """Time each page's route, cold (result cache cleared before each run) and warm (cached)."""
    cookies = {"sops_session": token}
    print(
        f"{'page':<14}{'cold median':>12}{'cold p99':>10}{'warm median':>12}{'warm p99':>10}"
        f"{'budget':>8}  met?  ({runs} runs each)"
    )
    ok = True
    with httpx.Client(base_url=base, cookies=cookies, timeout=600) as client:
        for path in paths:
            found: dict[str, list[float]] = {}
            for label, clear in (("cold", True), ("warm", False)):
                times = []
                for _ in range(runs):
                    if clear:
                        app.state.web.cache.clear()  # type: ignore[attr-defined]
                    start = time.perf_counter()
                    answer = client.get(path)
                    times.append(time.perf_counter() - start)
                    answer.raise_for_status()
                found[label] = times
            cold, warm = found["cold"], found["warm"]
            met = 1000 * statistics.median(cold) < budget(path)
            ok &= met
            print(
                f"{path:<14}{1000 * statistics.median(cold):10.1f}ms{pct(cold, 0.99):8.1f}ms"
                f"{1000 * statistics.median(warm):10.1f}ms{pct(warm, 0.99):8.1f}ms"
                f"{budget(path):6.0f}ms  {'yes' if met else 'NO'}",
                flush=True,
            )
    return ok


def download(base: str, token: str) -> None:
    """Every ticket as CSV (``/api/tickets.csv`` over all dates): rows, size and time."""
    headers = {"Authorization": f"Bearer {token}"}
    params = {"start": "1900-01-01", "end": "2200-12-31"}
    start, size, lines = time.perf_counter(), 0, 0
    with (
        httpx.Client(base_url=base, headers=headers, timeout=600) as client,
        client.stream("GET", "/api/tickets.csv", params=params) as answer,
    ):
        answer.raise_for_status()
        for chunk in answer.iter_bytes():
            size, lines = size + len(chunk), lines + chunk.count(b"\n")
    wall = time.perf_counter() - start
    print(f"CSV of every ticket: ~{lines - 1:,} lines, {size / 1e6:.0f} MB in {wall:.1f} s")


def readers(base: str, token: str, count: int, each: int, label: str = "") -> None:
    headers = {"Authorization": f"Bearer {token}"}

    def reader(n: int) -> tuple[list[float], int]:
        times, errors = [], 0
        with httpx.Client(
            base_url=base, headers=headers, timeout=300, cookies={"sops_session": token}
        ) as client:
            for i in range(each):
                start = time.perf_counter()
                answer = client.get(READS[(n + i) % len(READS)])
                times.append(time.perf_counter() - start)
                errors += answer.status_code != 200
        return times, errors

    start = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(reader, range(count)))
    wall = time.perf_counter() - start
    times = [t for ts, _ in results for t in ts]
    errors = sum(e for _, e in results)
    print(
        f"{label}{count} readers x {each}: p50 {pct(times, 0.5):8.1f} ms"
        f"  p99 {pct(times, 0.99):8.1f} ms  errors {errors}  ({len(times) / wall:.0f} req/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--each", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="reader rounds (1st may be cold)")
    parser.add_argument("--pages", nargs="*", default=[path for path, _ in NAV])
    parser.add_argument("--no-csv", dest="csv", action="store_false", help="skip the CSV download")
    args = parser.parse_args()
    folder = args.workspace or build(args.tickets)
    record, token = TokenFile.of_workspace(folder).create("bench", "read")
    app = create_app(folder)
    server, base = serve(app)
    try:
        tickets = app.state.web.base.store.count("tickets")
        print(f"workspace {folder}: {tickets:,} tickets")
        pages(base, token, app, args.runs, args.pages)
        if args.csv:
            download(base, token)
        for n in range(args.rounds):
            readers(base, token, args.readers, args.each, f"round {n + 1}: ")
    finally:
        server.should_exit = True
        server.thread.join(timeout=30)  # type: ignore[attr-defined]  # before the store closes
        TokenFile.of_workspace(folder).revoke(record.id)
        app.state.web.close()


if __name__ == "__main__":
    main()
