"""A real ``supportops serve`` in its own process, and a load generator of signed deliveries,
for the crash test and ``bench/bench_webhooks.py``. Everything targets 127.0.0.1 and stops by
itself: the generator after its count, the server when told (or SIGKILLed)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from tests.webhooks.deliveries import Signed

REPO = Path(__file__).resolve().parents[2]
BOUND = 15.0  # seconds one delivery may take before it counts as unanswered
IN_FLIGHT = 128  # requests open at once; vendors too keep a bounded number in flight


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Serve:
    """``supportops serve`` over ``workspace`` on ``port``, restartable."""

    workspace: Path
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 60.0) -> None:
        """Start the server and wait until ``/healthz`` answers (at most ``wait`` seconds)."""
        command = [sys.executable, "-m", "supportops", "serve", "--port", str(self.port)]
        command += ["--no-refresh", "--alerts-every", "0", "--log-level", "warning"]
        command += ["-w", str(self.workspace)]
        env = {**os.environ, **self.env, "PYTHONPATH": str(REPO / "src") + os.pathsep + str(REPO)}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: see {self.log}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not answer within {wait:.0f}s: see {self.log}")

    def kill(self) -> None:
        """SIGKILL the server, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1

    def stop(self) -> None:
        """Stop the server gently (SIGTERM), else kill it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass(frozen=True)
class Sent:
    """One delivery sent: its number, the HTTP status (None: no answer) and seconds to it."""

    number: int
    status: int | None
    seconds: float

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def _post(gate: asyncio.Semaphore, url: str, sent: Signed) -> int:
    """One request on its own connection (``Connection: close``): a killed server cannot leave
    a pooled connection behind for the next delivery. The answer's status."""
    parts = urlsplit(url)
    query = urlencode(sent.query)
    target = parts.path + (f"?{query}" if query else "")
    head = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in sent.headers.items()]
    head.append(f"Content-Length: {len(sent.body)}")
    request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + sent.body
    async with gate:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            await reader.read()  # the rest, until the server closes
        finally:
            writer.close()
    fields = status_line.split()
    if len(fields) < 2 or not fields[1].isdigit():
        raise ConnectionError(f"no HTTP answer: {status_line[:40]!r}")
    return int(fields[1])


async def _one(
    gate: asyncio.Semaphore, url: str, number: int, sent: Signed, out: list[Sent]
) -> None:
    started = time.perf_counter()
    try:
        status: int | None = await asyncio.wait_for(_post(gate, url, sent), BOUND)
    except (OSError, TimeoutError):
        status = None
    out.append(Sent(number, status, time.perf_counter() - started))


async def _load(
    url: str, rate: float, count: int, make: Callable[[int], Signed], first: int
) -> list[Sent]:
    out: list[Sent] = []
    gate = asyncio.Semaphore(IN_FLIGHT)  # the waiters beyond it queue here
    start = time.perf_counter()
    tasks = []
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        number = first + i
        tasks.append(asyncio.create_task(_one(gate, url, number, make(number), out)))
    await asyncio.gather(*tasks)
    return out


def send_at_rate(
    url: str, rate: float, seconds: float, make: Callable[[int], Signed], first: int = 0
) -> list[Sent]:
    """Send ``rate`` deliveries a second for ``seconds`` (open loop: each on its own schedule,
    whatever the answers), delivery ``n`` being ``make(n)``; what each got."""
    return asyncio.run(_load(url, rate, int(rate * seconds), make, first))


def quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]
