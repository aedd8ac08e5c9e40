"""Local receivers for the alert tests: a Slack-compatible webhook and a minimal SMTP server.

Both listen on 127.0.0.1 on a free port, in a daemon thread, and keep what they received.
"""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["SmtpSink", "Webhook"]


class Webhook:
    """An incoming-webhook receiver: answers ``fail`` (a status) to the first ``failures``
    posts (all of them with ``failures=-1``), then 200; keeps every JSON body it accepted."""

    def __init__(self, failures: int = 0, fail: int = 503) -> None:
        self.failures, self.fail = failures, fail
        self.received: list[dict[str, Any]] = []
        self.attempts = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        """Where to post."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/services/T0/B0/secret"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.attempts += 1
                failing = hook.failures < 0 or hook.attempts <= hook.failures
                if not failing:
                    hook.received.append(json.loads(body))
                self.send_response(hook.fail if failing else 200)
                self.end_headers()
                self.wfile.write(b"no" if failing else b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()


class SmtpSink:
    """Just enough SMTP (HELO/EHLO, MAIL, RCPT, DATA, QUIT) to take messages and keep them."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_address[1])

    def _handler(self) -> type[socketserver.StreamRequestHandler]:
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def say(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.say("220 sink ready")
                envelope: dict[str, Any] = {"to": []}
                while line := self.rfile.readline().decode().rstrip("\r\n"):
                    verb = line[:4].upper()
                    if verb == "DATA":
                        self.say("354 end with <CRLF>.<CRLF>")
                        data = []
                        while (part := self.rfile.readline().decode()) not in (".\r\n", ""):
                            data.append(part)
                        sink.messages.append({**envelope, "data": "".join(data)})
                        envelope = {"to": []}
                    if verb == "MAIL":
                        envelope["from"] = line[10:]
                    if verb == "RCPT":
                        envelope["to"].append(line[8:])
                    if verb == "QUIT":
                        self.say("221 bye")
                        return
                    self.say("250 ok" if verb != "DATA" else "250 queued")

        return Handler

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()
