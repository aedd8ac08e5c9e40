"""Requests per 1,000 tickets for Intercom, Help Scout, Salesforce and Freshdesk: a full sync
against each vendor's fake (real HTTP on 127.0.0.1, no rate limit), every request counted, token
requests included; then a second sync with nothing changed.

The named baseline is a per-ticket reader: the vendor's list at its default page size, then one
request per ticket for its history (Intercom: ``GET /conversations/{id}`` after a list of 20 a
page; Help Scout: the list without ``embed=threads``, 25 a page, then each conversation's
threads; Salesforce: a Case query, then one query per case for each of its history, comments and
e-mail; Freshdesk: the ticket list, 30 a page, then each ticket's conversations). It is computed
from the same run's ticket count, not sent.

    python bench/bench_vendor_requests.py --tickets 1000
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.connectors.fakes import helpscout, intercom, salesforce
from tests.connectors.fakes.freshdesk import API_KEY, FreshdeskAccount, FreshdeskFake
from tests.connectors.fakes.server import FakeServer

from supportops.config import SourceAuth, SourceConfig
from supportops.connectors.runner import Network, sync_source
from supportops.store import DuckDBStore


def _sync(name: str, config: SourceConfig, env: dict[str, str]) -> tuple[DuckDBStore, float]:
    store = DuckDBStore(None)
    store.ensure_schema()
    start = time.perf_counter()
    report = sync_source(store, name, config, network=Network(env=env))
    if report.error:
        raise SystemExit(f"{name}: {report.error}")
    return store, time.perf_counter() - start


def _again(store: DuckDBStore, name: str, config: SourceConfig, env: dict[str, str]) -> int:
    return sync_source(store, name, config, network=Network(env=env)).requests


def run_intercom(n: int) -> dict[str, Any]:
    fake = intercom.FakeIntercom()
    for conversation in intercom.generate(n):
        fake.put(conversation)
    env = {"INTERCOM_TOKEN": "secret"}
    with fake.serve(max_requests=10 * n):
        config = SourceConfig(
            vendor="intercom", url=fake.base_url, auth=SourceAuth(token_env="INTERCOM_TOKEN")
        )
        store, seconds = _sync("intercom", config, env)
        sent = len(fake.requests)
        again = _again(store, "intercom", config, env)
    return {"requests": sent, "again": again, "seconds": seconds, "baseline": math.ceil(n / 20) + n}


def run_helpscout(n: int) -> dict[str, Any]:
    fake = helpscout.FakeHelpScout()
    for conversation in helpscout.generate(n):
        fake.put(conversation)
    env = {"HELPSCOUT_SECRET": "secret"}
    with fake.serve(max_requests=10 * n):
        auth = SourceAuth(client_id="app", client_secret_env="HELPSCOUT_SECRET")
        config = SourceConfig(vendor="helpscout", url=fake.base_url, auth=auth)
        store, seconds = _sync("helpscout", config, env)
        sent = len(fake.requests)
        again = _again(store, "helpscout", config, env)
    return {
        "requests": sent,
        "again": again,
        "seconds": seconds,
        "baseline": math.ceil(n / helpscout.PAGE_SIZE) + n,
    }


def run_salesforce(n: int) -> dict[str, Any]:
    fake = salesforce.FakeSalesforce(daily_limit=10**9)
    fake.objects = salesforce.generate(n)
    env = {"SF_SECRET": "secret"}
    with fake.serve(max_requests=10 * n), fake.login.serve():
        auth = SourceAuth(client_id="app", client_secret_env="SF_SECRET")
        config = SourceConfig(vendor="salesforce", url=fake.login.base_url, auth=auth)
        store, seconds = _sync("salesforce", config, env)
        sent = len(fake.requests) + len(fake.login.requests)
        again = _again(store, "salesforce", config, env)
    return {
        "requests": sent,
        "again": again,
        "seconds": seconds,
        "baseline": math.ceil(n / 2000) + 3 * n,
    }


def run_freshdesk(n: int) -> dict[str, Any]:
    account = FreshdeskAccount.generated(n)
    env = {"FRESHDESK_KEY": API_KEY}
    with FakeServer(FreshdeskFake(account), max_requests=10 * n) as fake:
        auth = SourceAuth(api_key_env="FRESHDESK_KEY")
        config = SourceConfig(vendor="freshdesk", url=fake.url, auth=auth)
        store, seconds = _sync("freshdesk", config, env)
        sent = len(fake.seen)
        again = _again(store, "freshdesk", config, env)
    tickets = len(account.tickets)
    return {
        "requests": sent,
        "again": again,
        "seconds": seconds,
        "baseline": math.ceil(tickets / 30) + tickets,
        "tickets": tickets,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1000)
    n = parser.parse_args().tickets
    print(
        f"requests per 1,000 tickets ({n:,} tickets per vendor, full sync, then an unchanged one)"
    )
    print(
        f"{'vendor':<11} {'supportops':>10} {'per-ticket reader':>18} {'ratio':>6}"
        f" {'2nd sync':>9} {'sync s':>7}"
    )
    for name, run in (
        ("intercom", run_intercom),
        ("helpscout", run_helpscout),
        ("salesforce", run_salesforce),
        ("freshdesk", run_freshdesk),
    ):
        got = run(n)
        count = got.get("tickets", n)
        ours, base = 1000 * got["requests"] / count, 1000 * got["baseline"] / count
        print(
            f"{name:<11} {ours:>10.0f} {base:>18.0f} {ours / base:>6.2f}"
            f" {got['again']:>9} {got['seconds']:>7.1f}"
        )


if __name__ == "__main__":
    main()
