"""The one outbound HTTP seam: timeouts, bounded retries, per-host rate limits, typed failures.

Every request supportops sends (alert webhooks today, connectors and write-backs tomorrow) goes
through :class:`HttpClient`::

    reset = RateLimit(headers=(RATE_LIMIT_RESET,))  # 429 + X-RateLimit-Reset (epoch seconds)
    with HttpClient(retries=Retries(attempts=5), limits={"api.example.com": reset}) as http:
        answer = http.get("https://api.example.com/conversations")

What comes back is a 2xx or 3xx answer; anything else is raised, translated where it enters::

    RequestFailed (TransientError)    a connect error, a timeout, a 5xx: retried, then raised
    RateLimited (TransientError)      a rate-limit answer (429 unless told): waited as the server
                                      says (``retry_after``), retried, then raised
    RequestRefused (TerminalError)    any other 4xx: raised at once

Retries wait exponentially (``min_wait`` doubling up to ``max_wait``, plus up to ``jitter``
seconds at random) and stop after ``attempts`` tries or when the next wait would pass ``total``
seconds since the first try (on the injected monotonic timer). A rate-limited answer names its
own wait through a header; how a vendor says it is data (:class:`RateLimit`: the statuses, and
the headers with how each reads), chosen per host. A named wait also closes the host's gate:
every request to that host through the same client waits until it has passed. Errors name the
target as scheme, host and port only (a webhook's path is its secret).

The network (``transport``: an :class:`httpx.MockTransport` or a local server in tests), the
sleeper, the monotonic timer and the clock are injected. Absolute waits (an HTTP date, a reset
instant) are measured against the answer's own ``Date`` header (the server's clock, as RFC 9110
reads ``Retry-After``), else against ``clock`` when given; without either they are unknown and the
backoff applies.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
)

from supportops.errors import RateLimited, RequestFailed, RequestRefused, TransientError

__all__ = [
    "RATE_LIMIT_RESET",
    "RETRY_AFTER",
    "HttpClient",
    "RateLimit",
    "Retries",
    "Transport",
    "WaitHeader",
    "target_of",
]

log = logging.getLogger("supportops.http")

Transport = httpx.BaseTransport  # what replaces the network: httpx.MockTransport, for one
Reading = Literal["seconds", "http-date", "seconds-or-http-date", "epoch-seconds"]
RetryHook = Callable[[int, TransientError, float], None]


def _seconds(value: str, now: datetime | None) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _date(value: str) -> datetime | None:
    """An HTTP date (RFC 9110; ``-0000`` and no zone read as UTC), or None."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _http_date(value: str, now: datetime | None) -> float | None:
    when = _date(value)
    return None if when is None or now is None else max((when - now).total_seconds(), 0.0)


def _seconds_or_http_date(value: str, now: datetime | None) -> float | None:
    seconds = _seconds(value, now)
    return seconds if seconds is not None else _http_date(value, now)


def _epoch_seconds(value: str, now: datetime | None) -> float | None:
    instant = _seconds(value, now)
    if instant is None or now is None:
        return None
    return max(instant - now.timestamp(), 0.0)


# How each kind of header value turns into seconds to wait (None: unreadable or unknown).
READINGS: dict[Reading, Callable[[str, datetime | None], float | None]] = {
    "seconds": _seconds,
    "http-date": _http_date,
    "seconds-or-http-date": _seconds_or_http_date,
    "epoch-seconds": _epoch_seconds,
}


@dataclass(frozen=True)
class WaitHeader:
    """A response header naming a wait, and how its value reads (see :data:`READINGS`)."""

    name: str
    reading: Reading

    def wait(self, headers: httpx.Headers, now: datetime | None) -> float | None:
        """Seconds to wait, from ``headers`` (case-insensitive), or None."""
        value = headers.get(self.name)
        return None if value is None else READINGS[self.reading](value.strip(), now)


RETRY_AFTER = WaitHeader("Retry-After", "seconds-or-http-date")
RATE_LIMIT_RESET = WaitHeader("X-RateLimit-Reset", "epoch-seconds")


@dataclass(frozen=True)
class RateLimit:
    """How a host says "slow down": the statuses meaning it and the headers naming the wait
    (the first readable one wins). The default is the standard 429 with ``Retry-After``."""

    statuses: frozenset[int] = frozenset({429})
    headers: tuple[WaitHeader, ...] = (RETRY_AFTER,)

    def wait(self, answer: httpx.Response, clock: Callable[[], datetime] | None) -> float | None:
        """The wait ``answer`` names, in seconds, or None."""
        now = _server_now(answer) or (clock() if clock else None)
        for header in self.headers:
            seconds = header.wait(answer.headers, now)
            if seconds is not None:
                return seconds
        return None


def _server_now(answer: httpx.Response) -> datetime | None:
    value = answer.headers.get("Date")
    return _date(value) if value else None


@dataclass(frozen=True)
class Retries:
    """How often and how long to try: ``attempts`` tries in at most ``total`` seconds, waiting
    ``min_wait`` doubling up to ``max_wait`` plus up to ``jitter`` seconds between them."""

    attempts: int = 4
    min_wait: float = 0.5
    max_wait: float = 8.0
    jitter: float = 0.5
    total: float = 60.0

    def backoff(self, attempt: int) -> float:
        """The wait after failed try number ``attempt`` (1-based), before jitter."""
        return float(min(self.min_wait * 2 ** (attempt - 1), self.max_wait))


def target_of(url: httpx.URL) -> str:
    """What errors and logs name: scheme, host and port, never the path or the query."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


class _Gates:
    """Per host, the monotonic instant before which no request may start."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._open_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def close_for(self, host: str, seconds: float) -> None:
        with self._lock:
            until = self._monotonic() + seconds
            self._open_at[host] = max(self._open_at.get(host, until), until)

    def remaining(self, host: str) -> float:
        with self._lock:
            return max(self._open_at.get(host, 0.0) - self._monotonic(), 0.0)


@dataclass
class HttpClient:
    """Sends requests with :class:`Retries` and per-host :class:`RateLimit` s (``limits`` by
    host name, ``rate_limit`` elsewhere); see the module's docstring. Use it as a context
    manager, or :meth:`close` it."""

    retries: Retries = field(default_factory=Retries)
    timeout: float = 10.0
    rate_limit: RateLimit = field(default_factory=RateLimit)
    limits: Mapping[str, RateLimit] = field(default_factory=dict)
    transport: Transport | None = None
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    clock: Callable[[], datetime] | None = None
    on_retry: RetryHook | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    _client: httpx.Client = field(init=False, repr=False)
    _gates: _Gates = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            transport=self.transport, timeout=self.timeout, headers=dict(self.headers)
        )
        self._gates = _Gates(self.monotonic)

    def request(self, method: str, url: str, **options: Any) -> httpx.Response:
        """Send ``method url`` (``options`` as :meth:`httpx.Client.request` takes them) and
        return the answer; retried and translated as the module's docstring says."""
        started = self.monotonic()

        def stop(state: RetryCallState) -> bool:  # out of tries, or the next wait passes the total
            spent = self.monotonic() - started + state.upcoming_sleep
            return state.attempt_number >= self.retries.attempts or spent >= self.retries.total

        retrying = Retrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type((RequestFailed, RateLimited)),
            before_sleep=self._before_sleep,
            sleep=self.sleep,
            reraise=True,
        )
        answer: httpx.Response = retrying(self._once, method, httpx.URL(url), options)
        return answer

    def get(self, url: str, **options: Any) -> httpx.Response:
        """``request("GET", url, ...)``."""
        return self.request("GET", url, **options)

    def post(self, url: str, **options: Any) -> httpx.Response:
        """``request("POST", url, ...)``."""
        return self.request("POST", url, **options)

    def _once(self, method: str, url: httpx.URL, options: dict[str, Any]) -> httpx.Response:
        target = target_of(url)
        if (closed := self._gates.remaining(url.host)) > 0:
            log.info("waiting %.1fs: %s asked to slow down", closed, target)
            self.sleep(closed)
        try:
            answer = self._client.request(method, url, **options)
        except httpx.TimeoutException as exc:
            raise RequestFailed(f"{target}: timed out ({exc})", target=target) from exc
        except httpx.TransportError as exc:
            raise RequestFailed(f"{target}: {exc}", target=target) from exc
        return self._checked(answer, target)

    def _checked(self, answer: httpx.Response, target: str) -> httpx.Response:
        status = answer.status_code
        limit = self.limits.get(answer.request.url.host, self.rate_limit)
        if status in limit.statuses:
            wait = limit.wait(answer, self.clock)
            if wait is not None:
                self._gates.close_for(answer.request.url.host, wait)
            named = f", retry after {wait:g}s" if wait is not None else ""
            raise RateLimited(
                f"{target}: HTTP {status} (rate limited{named})",
                target=target,
                status=status,
                retry_after=wait,
            )
        if status >= 500:
            raise RequestFailed(f"{target}: HTTP {status}", target=target, status=status)
        if status >= 400:
            raise RequestRefused(
                f"{target}: HTTP {status} {answer.text[:200]}", target=target, status=status
            )
        return answer

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        named = getattr(error, "retry_after", None)
        if isinstance(error, RateLimited) and named is not None:
            return float(named)
        return self.retries.backoff(state.attempt_number) + random.uniform(0, self.retries.jitter)

    def _before_sleep(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        if not isinstance(error, TransientError):
            return
        if self.on_retry is not None:
            self.on_retry(state.attempt_number, error, wait)
        else:
            log.warning("HTTP attempt %d failed (%s); retrying in %.1fs",
                        state.attempt_number, error, wait)  # fmt: skip

    def close(self) -> None:
        """Release the connections."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
