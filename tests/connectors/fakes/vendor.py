"""What the Intercom, Help Scout and Salesforce fakes share: an app for
:class:`~tests.connectors.fakes.server.FakeServer` with scripted faults that know their wait.

A fake subclasses :class:`FakeVendor` and answers in :meth:`FakeVendor.answer`. Faults are queued
with :meth:`FakeVendor.fail`: the next matching requests get a scripted status and headers
instead (a 429 with the vendor's own headers, a 5xx burst, a 401). A fault that names a wait
records the wall-clock instant before which a retry is early; a request that comes earlier is
kept in ``early`` (and refused again), so a test can assert that the signal was honoured.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.connectors.fakes.server import Answer, FakeServer, Seen


@dataclass
class Fault:
    """``count`` requests whose path starts with ``prefix`` get ``status`` and the headers
    ``headers(now)`` gives (``now``: unix time); ``until(now)``, when given, is the unix instant
    before which a retry is early."""

    status: int
    count: int = 1
    prefix: str = "/"
    headers: Callable[[float], dict[str, str]] = lambda now: {}
    until: Callable[[float], float] | None = None
    body: Any = None


def header(seen: Seen, name: str) -> str | None:
    """A request header, by case-insensitive name."""
    for key, value in seen.headers.items():
        if key.lower() == name.lower():
            return value
    return None


class FakeVendor:
    """Base of the vendor fakes: see the module's docstring."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.early: list[Seen] = []
        self.faults: list[Fault] = []
        self.allowed_at = 0.0
        self.base_url = ""
        self._lock = threading.Lock()

    def answer(self, seen: Seen) -> Answer:
        raise NotImplementedError

    def headers(self, seen: Seen) -> dict[str, str]:
        """Headers added to every answer (e.g. Salesforce's Sforce-Limit-Info)."""
        return {}

    def fail(self, fault: Fault) -> None:
        """Queue ``fault`` for the next matching requests."""
        with self._lock:
            self.faults.append(fault)

    def count(self, prefix: str = "/") -> int:
        """Requests received whose path starts with ``prefix``."""
        return sum(1 for r in self.requests if r.path.startswith(prefix))

    def _faulted(self, seen: Seen, now: float) -> Answer | None:
        with self._lock:
            if now < self.allowed_at:
                self.early.append(seen)
                return Answer(429, {"error": "retried before the rate limit allowed"})
            for fault in self.faults:
                if fault.count > 0 and seen.path.startswith(fault.prefix):
                    fault.count -= 1
                    if fault.until is not None:
                        self.allowed_at = fault.until(now)
                    return Answer(fault.status, fault.body, fault.headers(now))
        return None

    def __call__(self, seen: Seen, url: str) -> Answer:
        self.base_url = url
        self.requests.append(seen)
        answer = self._faulted(seen, time.time()) or self.answer(seen)
        answer.headers = {**self.headers(seen), **answer.headers}
        return answer

    @contextmanager
    def serve(self, **options: Any) -> Iterator[FakeServer]:
        """Serve this fake on 127.0.0.1 while the block runs."""
        with FakeServer(self, **options) as server:
            self.base_url = server.url
            yield server
