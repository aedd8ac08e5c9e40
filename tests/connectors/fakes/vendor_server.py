"""A fake vendor API over real HTTP on 127.0.0.1: routing, a request log, and scripted faults.

A vendor fake subclasses :class:`FakeVendor` and answers :class:`Seen` requests in
:meth:`FakeVendor.answer`. Faults are queued with :meth:`FakeVendor.fail`: the next matching
requests get a scripted status and headers instead (a 429 with the vendor's own headers, a 5xx
burst, a 401). A 429 records the instant before which no retry is allowed; a request that comes
earlier is logged in ``early`` (and refused again), so a test can assert the signal was honoured.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Seen:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Answer:
    """What the fake sends back: a status, JSON (or bytes) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """``count`` requests whose path starts with ``prefix`` get ``status`` and the headers
    ``headers(now)`` gives; ``until(now)``, when given, is the instant before which a retry is
    early."""

    status: int
    count: int = 1
    prefix: str = "/"
    headers: Callable[[float], dict[str, str]] = lambda now: {}
    until: Callable[[float], float] | None = None
    body: Any = None


class FakeVendor:
    """Base of the vendor fakes: see the module's docstring."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.early: list[Seen] = []
        self.faults: list[Fault] = []
        self.allowed_at = 0.0
        self.base_url = ""
        self._lock = threading.Lock()

    # -- to override -------------------------------------------------------------------------
    def answer(self, request: Seen) -> Answer:
        raise NotImplementedError

    def headers(self, request: Seen) -> dict[str, str]:
        """Headers added to every answer (e.g. Salesforce's Sforce-Limit-Info)."""
        return {}

    # -- faults ------------------------------------------------------------------------------
    def fail(self, fault: Fault) -> None:
        """Queue ``fault`` for the next matching requests."""
        with self._lock:
            self.faults.append(fault)

    def _faulted(self, request: Seen) -> Answer | None:
        with self._lock:
            if request.at < self.allowed_at:
                self.early.append(request)
                return Answer(429, {"error": "retried before the rate limit allowed"})
            for fault in self.faults:
                if fault.count > 0 and request.path.startswith(fault.prefix):
                    fault.count -= 1
                    if fault.until is not None:
                        self.allowed_at = fault.until(request.at)
                    return Answer(fault.status, fault.body, fault.headers(request.at))
        return None

    def count(self, prefix: str = "/") -> int:
        """Requests received whose path starts with ``prefix``."""
        return sum(1 for r in self.requests if r.path.startswith(prefix))

    # -- serving -----------------------------------------------------------------------------
    def _respond(self, request: Seen) -> Answer:
        self.requests.append(request)
        answer = self._faulted(request) or self.answer(request)
        answer.headers = {**self.headers(request), **answer.headers}
        return answer

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self.base_url
        finally:
            server.shutdown()
            server.server_close()


def _handler(fake: FakeVendor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                method=self.command,
                path=url.path,
                query=parse_qs(url.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
                at=time.time(),
            )
            answer = fake._respond(seen)
            body = (
                answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            )
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
