"""Benchmark: supportops' Zendesk tickets stream beside dlt's ``rest_api`` source, on the same
fake, for one stream (the tickets cursor export).

Three figures per tool, each run in its own process (its peak memory is its own):

- a full run: wall time (the fake's share included for both: same fake, same pages) and peak
  memory;
- a run that fails at page 10 (the fake answers that page with a 400), then a second run: the
  requests the second run needs. supportops commits each page with its cursor (pages read
  quickly share a transaction, and the pages read before a failure commit before it is
  raised), so it resumes at page 10; dlt keeps its incremental state only when a load finishes;
- dlt's stock cursor paginator (``cursor_path="after_cursor"``) on Zendesk's end of stream,
  whose cursor stays non-null: the requests it sends before the fake stops it (bounded at three
  times the stream's pages). The dlt runs above use ``stop_after_empty_page=True``, which ends
  one request after the last page.

Run: ``.venv/bin/python bench/bench_dlt.py [tickets] [page_size]`` (default 2500 100).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PATH = "/api/v2/incremental/tickets/cursor.json"
FAIL_AT = 10


class _Faulty:
    """The Zendesk fake, answering the ``fail_at``-th tickets page with a 400 (once), and
    refusing every tickets request past ``bound``."""

    def __init__(self, app: Any, fail_at: int | None, bound: int) -> None:
        self.app, self.fail_at, self.bound, self.pages = app, fail_at, bound, 0

    def __call__(self, seen: Any, base: str) -> Any:
        from tests.connectors.fakes.server import Answer

        if seen.path == PATH:
            self.pages += 1
            if self.pages == self.fail_at:
                self.fail_at = None
                return Answer(400, {"error": "a failure at page 10 (the benchmark's)"})
            if self.pages > self.bound:
                return Answer(400, {"error": "the benchmark's request bound"})
        return self.app(seen, base)


def _serve(tickets: int, page_size: int, port: Any, ready: Any, orders: Any, out: Any) -> None:
    from tests.connectors.fakes.server import FakeServer
    from tests.connectors.fakes.zendesk import ZendeskAccount, ZendeskFake

    account = ZendeskAccount.generated(tickets, events_per_ticket=1)
    pages = len(account.tickets) // page_size + 2
    app = _Faulty(ZendeskFake(account, page_size=page_size, static=True), None, 3 * pages)
    with FakeServer(app, max_requests=100_000, max_seconds=1800) as fake:
        port.value = int(fake.url.rsplit(":", 1)[1])
        ready.set()
        while (order := orders.get()) != "stop":
            if order == "count":  # the tickets requests since the last reset
                out.put(app.pages)
            else:  # ("reset", the page to fail at or None)
                app.pages, app.fail_at = 0, order[1]
                out.put((len(account.tickets), pages))


def _ours(url: str, folder: str, out: Any) -> None:
    from tests.connectors.fakes.zendesk import EMAIL, TOKEN

    from supportops.config import SourceConfig
    from supportops.connectors.runner import Network, sync_source
    from supportops.connectors.vendors.zendesk import VENDOR
    from supportops.http import Retries
    from supportops.store import DuckDBStore

    tickets = next(s for s in VENDOR.streams if s.name == "tickets")
    vendor = dataclasses.replace(VENDOR, streams=(tickets,))
    source = SourceConfig.model_validate(
        {"vendor": "zendesk", "url": url, "auth": {"email": EMAIL, "token_env": "T"}}
    )
    network = Network(env={"T": TOKEN}, retries=Retries(attempts=1))
    with DuckDBStore(Path(folder) / "ours.duckdb") as store:
        store.ensure_schema()
        began = time.perf_counter()
        report = sync_source(store, "zendesk", source, network=network, vendor=vendor)
        out.put(
            {
                "seconds": time.perf_counter() - began,
                "error": report.error,
                "rows": store.count("tickets"),
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )


def _dlt(url: str, folder: str, out: Any, stock: bool = False) -> None:
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")  # dlt's schema hints are not figures
    import dlt
    from dlt.sources.rest_api import rest_api_source
    from tests.connectors.fakes.zendesk import EMAIL, TOKEN

    paginator: dict[str, Any] = {
        "type": "cursor",
        "cursor_path": "after_cursor",
        "cursor_param": "cursor",
    }
    if not stock:
        paginator["stop_after_empty_page"] = True
    source = rest_api_source(
        {
            "client": {
                "base_url": url,
                "auth": {"type": "http_basic", "username": f"{EMAIL}/token", "password": TOKEN},
            },
            "resources": [
                {
                    "name": "tickets",
                    "primary_key": "id",
                    "write_disposition": "merge",
                    "endpoint": {
                        "path": PATH.lstrip("/"),
                        "data_selector": "tickets",
                        "paginator": paginator,
                        "params": {
                            "start_time": {
                                "type": "incremental",
                                "cursor_path": "generated_timestamp",
                                "initial_value": 0,
                            }
                        },
                    },
                }
            ],
        }
    )
    pipeline = dlt.pipeline(
        pipeline_name="bench_zendesk",
        destination=dlt.destinations.duckdb(str(Path(folder) / "dlt.duckdb")),
        pipelines_dir=str(Path(folder) / "dlt_pipelines"),
        dataset_name="zendesk",
    )
    began = time.perf_counter()
    error = None
    try:
        pipeline.run(source)
    except Exception as exc:  # a failed run is a figure here, not an error of the benchmark
        error = type(exc).__name__
    out.put(
        {
            "seconds": time.perf_counter() - began,
            "error": error,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def _child(target: Any, url: str, folder: str, *args: Any) -> dict[str, Any]:
    Path(folder).mkdir(parents=True, exist_ok=True)
    fork = multiprocessing.get_context("fork")
    out = fork.Queue()
    child = fork.Process(target=target, args=(url, folder, out, *args))
    child.start()
    found: dict[str, Any] = out.get()
    child.join()
    return found


def main(tickets: int, page_size: int) -> None:
    fork = multiprocessing.get_context("fork")
    port, ready, orders, answers = fork.Value("i", 0), fork.Event(), fork.Queue(), fork.Queue()
    server = fork.Process(target=_serve, args=(tickets, page_size, port, ready, orders, answers))
    server.start()
    ready.wait()
    url = f"http://127.0.0.1:{port.value}"

    def reset(fail_at: int | None) -> tuple[int, int]:
        orders.put(("reset", fail_at))
        count, pages = answers.get()
        return int(count), int(pages)

    def measured(run: Any, folder: Path, *args: Any) -> dict[str, Any]:
        found = _child(run, url, str(folder), *args)
        orders.put("count")
        return {**found, "requests": int(answers.get())}

    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, run in (("supportops", _ours), ("dlt rest_api", _dlt)):
            count, pages = reset(None)
            full = measured(run, folder / f"{name}-full")
            reset(FAIL_AT)
            failed = measured(run, folder / f"{name}-fail")
            reset(None)
            again = measured(run, folder / f"{name}-fail")
            rows[name] = {"full": full, "failed": failed, "again": again}
        count, pages = reset(None)
        stock = measured(_dlt, folder / "dlt-stock", True)
    orders.put("stop")
    server.join(timeout=60)
    print(
        f"Zendesk tickets cursor export, {count:,} tickets in pages of {page_size} "
        f"({pages - 1} pages), one stream, same fake"
    )
    print(
        f"{'tool':<14} {'full run s':>10} {'peak MB':>8} {'requests':>9} "
        f"{'fail@10 reqs':>12} {'rerun reqs':>10} {'rerun / full':>12}"
    )
    for name, r in rows.items():
        full, failed, again = r["full"], r["failed"], r["again"]
        print(
            f"{name:<14} {full['seconds']:>10.2f} {full['peak_mb']:>8.0f} "
            f"{full['requests']:>9} {failed['requests']:>12} {again['requests']:>10} "
            f"{again['requests'] / full['requests']:>11.0%}"
        )
    ours, theirs = rows["supportops"]["full"], rows["dlt rest_api"]["full"]
    print(
        f"time ratio supportops / dlt: {ours['seconds'] / theirs['seconds']:.2f}x; "
        f"peak memory ratio: {ours['peak_mb'] / theirs['peak_mb']:.2f}x"
    )
    print(
        f"dlt's stock cursor paginator (after_cursor, no empty-page stop): still requesting "
        f"after {3 * pages} requests, when the fake refused it ({stock['requests']} sent, "
        f"{stock['error'] or 'no error'}); the stream has {pages - 1} pages"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [2500, 100][len(args) :]))
