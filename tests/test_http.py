"""The HTTP seam: timeouts, retries, rate-limit signals and typed failures, one rule per test.

Requests go to in-process fakes (:class:`httpx.MockTransport`) or to a small real server on
127.0.0.1; sleeping and the monotonic timer are a fake, so no test waits.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from supportops.errors import (
    RateLimited,
    RequestFailed,
    RequestRefused,
    TerminalError,
    TransientError,
)
from supportops.http import RATE_LIMIT_RESET, HttpClient, RateLimit, Retries, WaitHeader

NOW = datetime(2026, 3, 10, 14, 20, tzinfo=UTC)
RETRIES = Retries(attempts=3, min_wait=1.0, max_wait=4.0, jitter=0.5, total=60.0)


class FakeTime:
    """A sleeper that only records, and a monotonic timer that its sleeps advance."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def monotonic(self) -> float:
        return self.t


Answer = Callable[[httpx.Request], httpx.Response]


def script(*answers: httpx.Response | Exception) -> tuple[list[httpx.Request], Answer]:
    """A handler giving ``answers`` in turn (the last one again and again), and its requests."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        given = answers[min(len(seen), len(answers)) - 1]
        if isinstance(given, Exception):
            raise given
        return given

    return seen, answer


def client(answer: Answer, time: FakeTime, **options: Any) -> HttpClient:
    options.setdefault("retries", RETRIES)
    return HttpClient(
        transport=httpx.MockTransport(answer),
        sleep=time.sleep,
        monotonic=time.monotonic,
        **options,
    )


def test_the_timeout_reaches_the_request_and_a_timeout_is_transient() -> None:
    time = FakeTime()
    seen, answer = script(httpx.ReadTimeout("slow"))
    with pytest.raises(RequestFailed, match="timed out") as caught:
        client(answer, time, timeout=2.5).get("https://api.example.com/x")
    assert isinstance(caught.value, TransientError)
    assert len(seen) == RETRIES.attempts
    assert seen[0].extensions["timeout"] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}


def test_transient_answers_are_retried_with_backoff_then_succeed() -> None:
    time = FakeTime()
    seen, answer = script(httpx.Response(503), httpx.Response(502), httpx.Response(200, json=1))
    assert client(answer, time).get("https://api.example.com/x").json() == 1
    assert len(seen) == 3
    first, second = time.sleeps
    assert 1.0 <= first <= 1.5 and 2.0 <= second <= 2.5  # min_wait doubling, plus jitter


def test_a_connect_error_retried_to_the_last_attempt_is_transient() -> None:
    time = FakeTime()
    seen, answer = script(httpx.ConnectError("refused"))
    with pytest.raises(RequestFailed, match="refused") as caught:
        client(answer, time).post("https://api.example.com/x", json={})
    assert caught.value.context == {"target": "https://api.example.com"}
    assert len(seen) == 3 and len(time.sleeps) == 2


def test_exhausted_5xx_retries_raise_a_transient_error_with_the_status() -> None:
    time = FakeTime()
    _, answer = script(httpx.Response(500))
    with pytest.raises(RequestFailed, match="HTTP 500") as caught:
        client(answer, time).get("https://api.example.com/x")
    assert caught.value.context["status"] == 500


def test_retries_stop_before_a_wait_would_pass_the_total_time() -> None:
    time = FakeTime()
    seen, answer = script(httpx.Response(503))
    bounded = Retries(attempts=10, min_wait=4.0, max_wait=4.0, jitter=0.0, total=10.0)
    with pytest.raises(RequestFailed):
        client(answer, time, retries=bounded).get("https://api.example.com/x")
    assert time.sleeps == [4.0, 4.0] and len(seen) == 3  # a third wait would end at 12 s


def test_a_4xx_is_terminal_and_not_retried() -> None:
    time = FakeTime()
    seen, answer = script(httpx.Response(404, text="no such thing"))
    with pytest.raises(RequestRefused, match="HTTP 404 no such thing") as caught:
        client(answer, time).get("https://api.example.com/x")
    assert isinstance(caught.value, TerminalError) and caught.value.context["status"] == 404
    assert len(seen) == 1 and time.sleeps == []


def test_errors_name_the_host_never_the_path() -> None:
    _, answer = script(httpx.Response(403))
    with pytest.raises(RequestRefused) as caught:
        client(answer, FakeTime()).post("https://hooks.example.com:8443/services/secret?k=v")
    assert str(caught.value).startswith("https://hooks.example.com:8443: HTTP 403")
    assert "secret" not in str(caught.value)


def test_retry_after_in_seconds_is_waited_exactly() -> None:
    time = FakeTime()
    seen, answer = script(httpx.Response(429, headers={"retry-after": "7"}), httpx.Response(200))
    assert client(answer, time).get("https://api.example.com/x").status_code == 200
    assert time.sleeps == [7.0] and len(seen) == 2


def test_retry_after_as_an_http_date_is_read_against_the_answers_date() -> None:
    time = FakeTime()
    later = format_datetime(NOW + timedelta(seconds=30), usegmt=True)
    headers = {"Date": format_datetime(NOW, usegmt=True), "Retry-After": later}
    _, answer = script(httpx.Response(429, headers=headers), httpx.Response(200))
    client(answer, time).get("https://api.example.com/x")
    assert time.sleeps == [30.0]


def test_an_http_date_without_a_date_header_is_read_against_the_clock() -> None:
    time = FakeTime()
    later = format_datetime(NOW + timedelta(seconds=12), usegmt=True)
    _, answer = script(httpx.Response(429, headers={"Retry-After": later}), httpx.Response(200))
    client(answer, time, clock=lambda: NOW).get("https://api.example.com/x")
    assert time.sleeps == [12.0]


def test_a_reset_instant_in_epoch_seconds_is_read_for_its_host() -> None:
    time = FakeTime()
    reset = str(int(NOW.timestamp()) + 40)
    limits = {"api.intercom.test": RateLimit(headers=(RATE_LIMIT_RESET,))}
    _, answer = script(
        httpx.Response(429, headers={"X-RateLimit-Reset": reset}), httpx.Response(200)
    )
    client(answer, time, clock=lambda: NOW, limits=limits).get("https://api.intercom.test/x")
    assert time.sleeps == [40.0]


def test_a_custom_header_named_by_the_caller_is_read() -> None:
    time = FakeTime()
    custom = RateLimit(headers=(WaitHeader("X-RateLimit-Retry-After", "seconds"),))
    headers = {"X-RateLimit-Retry-After": "9", "Retry-After": "99"}  # only the named one counts
    _, answer = script(httpx.Response(429, headers=headers), httpx.Response(200))
    client(answer, time, rate_limit=custom).get("https://api.helpscout.test/x")
    assert time.sleeps == [9.0]


def test_a_status_declared_as_a_rate_limit_is_one() -> None:
    time = FakeTime()
    limit = RateLimit(statuses=frozenset({420}))
    _, answer = script(httpx.Response(420, headers={"Retry-After": "3"}), httpx.Response(200))
    client(answer, time, rate_limit=limit).get("https://api.example.com/x")
    assert time.sleeps == [3.0]


@pytest.mark.parametrize("value", ["soon", "nan", "Tue, 99 Foo 2026"])
def test_a_rate_limit_without_a_readable_wait_backs_off(value: str) -> None:
    time = FakeTime()
    _, answer = script(httpx.Response(429, headers={"Retry-After": value}), httpx.Response(200))
    client(answer, time).get("https://api.example.com/x")
    (wait,) = time.sleeps
    assert 1.0 <= wait <= 1.5


def test_an_http_date_without_a_zone_is_read_as_utc() -> None:
    time = FakeTime()
    headers = {
        "Date": "Tue, 10 Mar 2026 14:20:00 -0000",
        "Retry-After": "Tue, 10 Mar 2026 14:20:05 -0000",
    }
    _, answer = script(httpx.Response(429, headers=headers), httpx.Response(200))
    client(answer, time).get("https://api.example.com/x")
    assert time.sleeps == [5.0]


def test_a_wait_beyond_the_total_time_raises_at_once_with_the_wait() -> None:
    time = FakeTime()
    seen, answer = script(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimited, match="retry after 3600s") as caught:
        client(answer, time).get("https://api.example.com/x")
    assert isinstance(caught.value, TransientError)
    assert caught.value.context["retry_after"] == 3600.0
    assert len(seen) == 1 and time.sleeps == []


def test_a_named_wait_holds_every_request_to_that_host_only() -> None:
    time = FakeTime()

    def answer(request: httpx.Request) -> httpx.Response:
        limited = request.url.host == "a.example.com" and time.sleeps == []
        return httpx.Response(429, headers={"Retry-After": "5"}) if limited else httpx.Response(200)

    http = client(answer, time, retries=Retries(attempts=1))
    with pytest.raises(RateLimited):
        http.get("https://a.example.com/x")
    http.get("https://b.example.com/x")
    assert time.sleeps == []
    http.get("https://a.example.com/y")
    assert time.sleeps == [5.0]


class _Server:
    """A local HTTP server answering ``statuses`` in turn (then 200), echoing JSON bodies."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.bodies = statuses, []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/echo"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = server.statuses.pop(0) if server.statuses else 200
                server.bodies.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@contextmanager
def local_server(statuses: list[int]) -> Iterator[_Server]:
    """``_Server`` in a daemon thread, stopped when the block ends."""
    server = _Server(statuses)
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)


def test_a_real_round_trip_to_a_local_server_retries_a_503() -> None:
    time = FakeTime()
    with local_server([503]) as server, HttpClient(retries=RETRIES, sleep=time.sleep) as http:
        answer = http.post(server.url, json={"text": "hello"})
    assert answer.status_code == 200 and answer.json() == {"text": "hello"}
    assert server.bodies == [{"text": "hello"}, {"text": "hello"}] and len(time.sleeps) == 1
