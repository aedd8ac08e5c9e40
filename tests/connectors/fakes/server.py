"""A real HTTP server on 127.0.0.1, in a thread, for the connector tests.

A vendor's fake is a function from a :class:`Seen` request to an :class:`Answer`; the server
records every request (with the instant of the injected ``monotonic`` timer), can answer given
request numbers with a fault instead (a 429 with the vendor's headers, a 5xx), and stops by
itself after ``max_requests`` requests or ``max_seconds`` seconds, so a test can never hang on it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    """One request as the fake saw it."""

    number: int
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class Answer:
    """What the fake answers: status, JSON body, headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


App = Callable[[Seen, str], Answer]  # (request, the server's base URL) -> answer


class FakeServer:
    """Serves ``app`` on 127.0.0.1 until stopped (use it as a context manager)."""

    def __init__(
        self,
        app: App,
        *,
        faults: dict[int, Answer] | None = None,
        max_requests: int = 20_000,
        max_seconds: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
        on_request: Callable[[Seen], None] | None = None,
    ) -> None:
        self.app, self.faults = app, dict(faults or {})
        self.max_requests, self.max_seconds = max_requests, max_seconds
        self.monotonic, self.on_request = monotonic, on_request
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._stopped = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._timer = threading.Timer(max_seconds, self.stop)
        self._timer.daemon = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode()
                answer = fake._answer(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    dict(self.headers.items()),
                    body,
                )
                data = json.dumps(answer.body).encode() if answer.body is not None else b""
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _serve

        return Handler

    def _answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
    ) -> Answer:
        with self._lock:
            seen = Seen(len(self.seen) + 1, method, path, query, headers, body, self.monotonic())
            self.seen.append(seen)
            if seen.number > self.max_requests:
                threading.Thread(target=self.stop, daemon=True).start()
                return Answer(503, {"error": "the fake's request bound is reached"})
            if self.on_request is not None:
                self.on_request(seen)
            fault = self.faults.pop(seen.number, None)
        return fault if fault is not None else self.app(seen, self.url)

    def start(self) -> FakeServer:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def writes(self) -> list[Seen]:
        """The requests that were not reads (PUT, POST, PATCH), in order."""
        return [s for s in self.seen if s.method != "GET"]

    def paths(self) -> list[str]:
        """The paths requested, in order."""
        return [s.path for s in self.seen]
