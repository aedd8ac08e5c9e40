"""Delivering an alert: a Slack-compatible incoming webhook, or e-mail over SMTP.

A webhook gets ``POST {"text": ...}`` (JSON) with httpx; e-mail is a plain-text message sent with
:mod:`smtplib`. Failures are typed where they enter::

    DeliveryError (TransientError)    a 5xx answer, a refused or dropped connection, a timeout,
                                      an SMTP 4xx: retried (tenacity, exponential wait), then raised
    DeliveryRefused (TerminalError)   a 4xx answer, an SMTP 5xx: not retried

Every retry and failure is logged on ``supportops.alerts``; the caller decides what a final
failure means (the runner logs it and goes on with the next rule).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from supportops.alerts.rules import Delivery, EmailDelivery, webhook_host
from supportops.errors import TerminalError, TransientError

__all__ = ["Courier", "DeliveryError", "DeliveryRefused"]

log = logging.getLogger("supportops.alerts")


class DeliveryError(TransientError):
    """The receiver could not take the alert now (``target`` says which); retried."""


class DeliveryRefused(TerminalError):
    """The receiver refused the alert (``target``, ``status``); retrying will not help."""


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0
    log.warning("alert delivery attempt %d failed (%s); retrying in %.1fs",
                state.attempt_number, error, wait)  # fmt: skip


@dataclass
class Courier:
    """Sends alerts; ``transport`` replaces httpx's network (tests), ``attempts`` and
    ``max_wait`` bound the retries."""

    transport: httpx.BaseTransport | None = None
    attempts: int = 4
    min_wait: float = 0.5
    max_wait: float = 8.0
    timeout: float = 10.0

    def send(self, delivery: Delivery, subject: str, text: str) -> None:
        """Deliver ``text`` (and ``subject`` for e-mail) where ``delivery`` says."""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.min_wait, max=self.max_wait),
            retry=retry_if_exception_type(DeliveryError),
            before_sleep=_log_retry,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                if delivery.email is not None:
                    self._email(delivery.email, subject, text)
                else:
                    self._webhook(delivery.slack_webhook or "", text)

    def _webhook(self, url: str, text: str) -> None:
        target = webhook_host(url)  # the path is the webhook's secret: never logged
        try:
            with httpx.Client(transport=self.transport, timeout=self.timeout) as client:
                answer = client.post(url, json={"text": text})
        except httpx.TransportError as exc:
            raise DeliveryError(f"webhook {target}: {exc}", target=target) from exc
        if answer.status_code >= 500:
            raise DeliveryError(f"webhook {target}: HTTP {answer.status_code}", target=target)
        if answer.status_code >= 400:
            raise DeliveryRefused(
                f"webhook {target}: HTTP {answer.status_code} {answer.text[:200]}",
                target=target,
                status=answer.status_code,
            )

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
