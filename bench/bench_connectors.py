"""Benchmark: a Zendesk sync against the fake (no rate limit), beside ``supportops import`` of
the same rows exported as event-log Parquet.

For each account size: the fake runs in its own process, the sync in another (so its peak
memory is its own). The sync's own time excludes the time spent waiting on the fake (every
HTTP exchange is timed by the transport and subtracted). The baseline is the import of the
synced store's rows, exported as Parquet, into a fresh store. Also: requests per 1,000
tickets, and what a backfill of 1M tickets needs at Zendesk's 10 requests/min on incremental
endpoints (computed from the request counts, pages of 1,000 as Zendesk serves them). Beside the
wall times, each side's CPU seconds (the sync's process holds no part of the fake), which a
loaded machine does not inflate.

Run: ``.venv/bin/python bench/bench_connectors.py [tickets ...]`` (default 2000 10000; the
issue's figure is 100000, about 1M events, which takes long on a small machine).
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
EVENTS_PER_TICKET = 10
LIMIT_PER_MINUTE = 10


def _serve(tickets: int, port: Any, ready: Any, stop: Any) -> None:
    from tests.connectors.fakes.server import FakeServer
    from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake

    account = ZendeskAccount.generated(tickets, events_per_ticket=EVENTS_PER_TICKET)
    with FakeServer(
        ZendeskFake(account, page_size=1000, static=True), max_requests=10**7, max_seconds=7200
    ) as fake:
        port.value = int(fake.url.rsplit(":", 1)[1])
        ready.set()
        stop.wait()


class TimedTransport(httpx.HTTPTransport):
    """Counts the seconds spent in HTTP exchanges (the fake's share of the wall time)."""

    waited = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        began = time.perf_counter()
        answer = super().handle_request(request)
        answer.read()
        TimedTransport.waited += time.perf_counter() - began
        return answer


def _sync(url: str, path: str, out: Any) -> None:
    from tests.connectors.fakes.zendesk import EMAIL, TOKEN

    from supportops.config import LimitsConfig, SourceConfig
    from supportops.connectors.runner import Network, sync_source
    from supportops.store import DuckDBStore

    store = DuckDBStore(Path(path))
    store.ensure_schema()
    source = SourceConfig.model_validate(
        {"vendor": "zendesk", "url": url, "auth": {"email": EMAIL, "token_env": "T"}}
    )
    began = time.perf_counter()
    with store.bulk_writes(memory=LimitsConfig().sync_memory):  # as `supportops sync` does
        report = sync_source(
            store, "zendesk", source, network=Network(transport=TimedTransport(), env={"T": TOKEN})
        )
    store.close()  # its last checkpoint is the sync's
    wall = time.perf_counter() - began
    assert report.error is None, report.error
    with DuckDBStore(Path(path), read_only=True) as synced:
        tickets, events = synced.count("tickets"), synced.count("events")
    out.put(
        {
            "wall": wall,
            "own": wall - TimedTransport.waited,
            "requests": {n: s.requests for n, s in report.streams.items()},
            "tickets": tickets,
            "events": events,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "cpu": _cpu(),
        }
    )


def _cpu() -> float:
    """This process's CPU seconds (every thread's): its own work, whatever the machine's load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _import(path: str, out: Any) -> None:
    from supportops.model.exporter import export_log
    from supportops.model.importer import import_files
    from supportops.store import DuckDBStore

    folder = Path(path).parent / "parquet"
    with DuckDBStore(Path(path)) as synced:
        export_log(synced, folder, "parquet")
    fresh = DuckDBStore(Path(path).parent / "imported.duckdb")
    fresh.ensure_schema()
    began, cpu = time.perf_counter(), _cpu()
    import_files(fresh, [folder])
    fresh.close()  # its checkpoint is the import's, as the sync's is the sync's
    out.put(
        {
            "import": time.perf_counter() - began,
            "import_cpu": _cpu() - cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def _answer(out: Any, child: Any) -> dict[str, Any]:
    """What ``child`` puts on ``out``; a child that exits without answering stops the run."""
    import queue

    while True:
        alive = child.is_alive()  # asked first: an answer put before it exits is still read
        try:
            answer: dict[str, Any] = out.get(timeout=1.0)
            return answer
        except queue.Empty:
            if not alive:
                raise SystemExit(
                    f"a benchmark process exited ({child.exitcode}) without its figures"
                ) from None


def measure(tickets: int) -> dict[str, Any]:
    fork = multiprocessing.get_context("fork")
    port, ready, stop, out = fork.Value("i", 0), fork.Event(), fork.Event(), fork.Queue()
    server = fork.Process(target=_serve, args=(tickets, port, ready, stop))
    server.start()
    while not ready.wait(1.0):  # a fake that fails to start (its error is printed) stops the run
        if not server.is_alive():
            raise SystemExit(f"the Zendesk fake exited ({server.exitcode}) before serving")
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "synced.duckdb")
        child = fork.Process(target=_sync, args=(f"http://127.0.0.1:{port.value}", path, out))
        child.start()
        synced = _answer(out, child)
        child.join()
        stop.set()
        server.join()
        child = fork.Process(target=_import, args=(path, out))
        child.start()
        imported = _answer(out, child)
        child.join()
    return {
        **synced,
        "import": imported["import"],
        "import_cpu": imported["import_cpu"],
        "import_peak_mb": imported["peak_mb"],
    }


def main(sizes: list[int]) -> None:
    print(f"Zendesk fake, no rate limit, {EVENTS_PER_TICKET} audits per ticket, pages of 1,000")
    print(
        f"{'tickets':>9} {'events':>9} {'sync own s':>10} {'import s':>9} {'ratio':>6} "
        f"{'sync MB':>8} {'import MB':>9} {'req/1k tickets':>14} {'sync cpu s':>10} "
        f"{'import cpu s':>12} {'cpu ratio':>9}"
    )
    last: dict[str, Any] = {}
    for size in sizes:
        r = measure(size)
        per_k = sum(r["requests"].values()) / r["tickets"] * 1000
        print(
            f"{r['tickets']:>9,} {r['events']:>9,} {r['own']:>10.1f} {r['import']:>9.1f} "
            f"{r['own'] / r['import']:>5.1f}x {r['peak_mb']:>8.0f} {r['import_peak_mb']:>9.0f} "
            f"{per_k:>14.1f} {r['cpu']:>10.1f} {r['import_cpu']:>12.1f} "
            f"{r['cpu'] / r['import_cpu']:>8.1f}x"
        )
        last = r
    incremental = ("users", "tickets", "ticket_events")
    per_ticket = sum(last["requests"][s] for s in incremental) / last["tickets"]
    minutes = per_ticket * 1_000_000 / LIMIT_PER_MINUTE
    print(f"requests per stream at {last['tickets']:,} tickets: {last['requests']}")
    print(
        f"1M-ticket backfill at {LIMIT_PER_MINUTE} req/min on incremental endpoints: "
        f"{per_ticket * 1e6:,.0f} requests, {minutes / 60:.1f} h"
    )
    print("baseline: `supportops import` of the same rows as Parquet (goal: sync within 2x)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2000, 10000])
