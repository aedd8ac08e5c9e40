"""Delivering an alert: a Slack-compatible incoming webhook, e-mail over SMTP, or a local file.

A webhook gets ``POST {"text": ...}`` (JSON) through the HTTP seam (:mod:`supportops.http`, which
retries it); e-mail is a plain-text message sent with :mod:`smtplib`, retried here with the same
:class:`~supportops.http.Retries`; a file gets the subject and text appended (relative paths are
taken from the courier's ``folder``, the workspace). Failures are typed where they enter::

    DeliveryError (TransientError)    a 5xx or 429 answer, a refused or dropped connection, a
                                      timeout, an SMTP 4xx: retried (exponential wait), then raised
    DeliveryRefused (TerminalError)   another 4xx answer, an SMTP 5xx, a file that cannot be
                                      written: not retried

Every retry and failure is logged on ``supportops.alerts``; the caller decides what a final
failure means (the runner logs it and goes on with the next rule).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from supportops.alerts.rules import Delivery, EmailDelivery
from supportops.errors import RequestRefused, TerminalError, TransientError
from supportops.http import HttpClient, Retries, Transport

__all__ = ["Courier", "DeliveryError", "DeliveryRefused"]

log = logging.getLogger("supportops.alerts")


class DeliveryError(TransientError):
    """The receiver could not take the alert now (``target`` says which); retried."""


class DeliveryRefused(TerminalError):
    """The receiver refused the alert (``target``, ``status``); retrying will not help."""


def _log_attempt(attempt: int, error: BaseException | None, wait: float) -> None:
    log.warning("alert delivery attempt %d failed (%s); retrying in %.1fs",
                attempt, error, wait)  # fmt: skip


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    _log_attempt(state.attempt_number, error, state.next_action.sleep if state.next_action else 0)


@dataclass
class Courier:
    """Sends alerts; ``transport`` replaces httpx's network (tests), ``attempts`` and
    ``max_wait`` bound the retries, ``folder`` anchors relative ``file`` deliveries."""

    transport: Transport | None = None
    folder: Path | None = None
    attempts: int = 4
    min_wait: float = 0.5
    max_wait: float = 8.0
    timeout: float = 10.0

    def send(self, delivery: Delivery, subject: str, text: str) -> None:
        """Deliver ``text`` (and ``subject`` for e-mail and files) where ``delivery`` says."""
        if delivery.file is not None:
            self._file(delivery.file, subject, text)
            return
        if delivery.email is None:
            self._webhook(delivery.slack_webhook or "", text)
            return
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.min_wait, max=self.max_wait),
            retry=retry_if_exception_type(DeliveryError),
            before_sleep=_log_retry,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self._email(delivery.email, subject, text)

    def _retries(self) -> Retries:
        total = self.max_wait * self.attempts * 2
        return Retries(self.attempts, self.min_wait, self.max_wait, self.min_wait / 2, total)

    def _webhook(self, url: str, text: str) -> None:
        client = HttpClient(
            retries=self._retries(),
            timeout=self.timeout,
            transport=self.transport,
            on_retry=_log_attempt,
        )
        try:
            with client:
                client.post(url, json={"text": text})
        except RequestRefused as exc:  # errors name the host only: the path is the secret
            raise DeliveryRefused(f"webhook {exc}", target=getattr(exc, "target", None),
                                  status=getattr(exc, "status", None)) from exc  # fmt: skip
        except TransientError as exc:
            raise DeliveryError(f"webhook {exc}", target=getattr(exc, "target", None)) from exc

    def _file(self, name: str, subject: str, text: str) -> None:
        path = (self.folder or Path()) / name
        try:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"{subject}\n{text}\n\n")
        except OSError as exc:
            raise DeliveryRefused(f"file {path}: {exc.strerror or exc}", target=str(path)) from exc

    def _email(self, spec: EmailDelivery, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = (
            spec.sender,
            ", ".join(spec.to),
            subject,
        )
        message.set_content(text)
        target = f"{spec.smtp_host}:{spec.smtp_port}"
        try:
            with smtplib.SMTP(spec.smtp_host, spec.smtp_port, timeout=self.timeout) as smtp:
                if spec.starttls:
                    smtp.starttls()
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryRefused(f"smtp {target}: recipients refused", target=target) from exc
        except smtplib.SMTPResponseException as exc:
            error = DeliveryError if 400 <= exc.smtp_code < 500 else DeliveryRefused
            raise error(
                f"smtp {target}: {exc.smtp_code} {exc.smtp_error!r}", target=target
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, reset, timeout
            raise DeliveryError(f"smtp {target}: {exc}", target=target) from exc
