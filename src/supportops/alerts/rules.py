"""Alert rules as written under ``alerts:`` in ``supportops.yaml``: typed, unknown keys refused.

Each rule has a ``name`` (unique: the ledger remembers what was sent under it), a ``kind`` and
a ``deliver`` target — a Slack-compatible incoming webhook, e-mail over SMTP, or a local file::

    alerts:
      - name: first-reply-at-risk
        kind: sla_at_risk          # active SLA targets due within `within`
        within: 1h
        targets: [first_reply]
        deliver: {slack_webhook: https://hooks.slack.com/services/T000/B000/XXX}
      - name: chat-spike
        kind: volume_spike         # tickets created this hour vs the same hour of past weeks
        weeks: 4
        ratio: 2.0
        filters: {channel: chat, not: {priority: low}}
        deliver:
          email: {to: [ops@example.com], smtp_host: smtp.example.com, smtp_port: 25,
                  from: supportops@example.com}
      - name: backlog-growth
        kind: backlog_growth       # the backlog now vs `window` ago
        deliver: {file: alerts.log}  # appended to <workspace>/alerts.log

``filters`` is a condition of :mod:`supportops.conditions` on the tickets (for ``csat_drop``,
the answers' tickets). Durations are written as in the rest of the file (``30m``, ``4h``,
``7d``) and held in seconds. This module imports nothing of supportops but
:mod:`supportops.durations` and :mod:`supportops.conditions`, so that :mod:`supportops.config`
can use it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from supportops.conditions import All, ConditionSetting
from supportops.durations import parse_duration

__all__ = [
    "KINDS",
    "AlertRule",
    "BacklogGrowth",
    "CsatDrop",
    "Delivery",
    "EmailDelivery",
    "SlaAtRisk",
    "VolumeSpike",
    "webhook_host",
]

KINDS = ("sla_at_risk", "volume_spike", "csat_drop", "backlog_growth")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _to_seconds(value: Any) -> Any:
    try:
        return parse_duration(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from exc


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Seconds = Annotated[int, BeforeValidator(_to_seconds)]
Names = Annotated[list[str], BeforeValidator(_as_list)]


def webhook_host(url: str) -> str:
    """A webhook URL without its path (where the secret is): ``https://hooks.slack.com/…``."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/')[0]}/…"


class EmailDelivery(_Model):
    """E-mail over SMTP: recipients, the server, and the sender (``from``)."""

    to: Names = Field(min_length=1)
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65_535)
    sender: str = Field(alias="from")
    starttls: bool = False


class Delivery(_Model):
    """Where an alert goes: exactly one of ``slack_webhook`` (a URL), ``email``, or ``file`` (a
    local file, relative to the workspace, each message appended to it: nothing leaves the
    machine — the demo's rules deliver so)."""

    slack_webhook: str | None = None
    email: EmailDelivery | None = None
    file: str | None = Field(default=None, min_length=1)

    @field_validator("slack_webhook")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value

    @model_validator(mode="after")
    def _one(self) -> Delivery:
        given = [x for x in (self.slack_webhook, self.email, self.file) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of slack_webhook, email or file")
        return self

    def describe(self) -> str:
        """Where it goes, for logs and ``supportops alerts list``."""
        if self.email is not None:
            return "email to " + ", ".join(self.email.to)
        if self.file is not None:
            return f"file {self.file}"
        return "webhook " + webhook_host(self.slack_webhook or "")


class _Rule(_Model):
    name: str = Field(min_length=1, max_length=100)
    deliver: Delivery
    filters: ConditionSetting = Field(default_factory=All)


class SlaAtRisk(_Rule):
    """Active SLA targets due within ``within`` (optionally only some targets or policies)."""

    kind: Literal["sla_at_risk"]
    within: Seconds = 3600
    targets: Names = Field(default_factory=list)
    policies: Names = Field(default_factory=list)


class VolumeSpike(_Rule):
    """Tickets created this hour ≥ ``ratio`` × the mean of the same hour of the past ``weeks``
    weeks, and at least ``min_tickets``."""

    kind: Literal["volume_spike"]
    weeks: int = Field(default=4, ge=1, le=52)
    ratio: float = Field(default=2.0, gt=0)
    min_tickets: int = Field(default=10, ge=1)


class CsatDrop(_Rule):
    """CSAT over the last ``window`` below ``below``, or down ``drop_points`` points from the
    window before; only with at least ``min_responses`` answers."""

    kind: Literal["csat_drop"]
    window: Seconds = 7 * 86_400
    below: float | None = Field(default=None, ge=0, le=1)
    drop_points: float | None = Field(default=None, gt=0, le=100)
    min_responses: int = Field(default=20, ge=1)

    @model_validator(mode="after")
    def _a_condition(self) -> CsatDrop:
        if self.below is None and self.drop_points is None:
            raise ValueError("give below (a fraction, e.g. 0.8) or drop_points (e.g. 5)")
        return self


class BacklogGrowth(_Rule):
    """The backlog now ≥ (1 + ``percent``/100) × the backlog ``window`` ago, and at least
    ``min_backlog`` tickets."""

    kind: Literal["backlog_growth"]
    window: Seconds = 86_400
    percent: float = Field(default=20.0, gt=0)
    min_backlog: int = Field(default=10, ge=0)


AlertRule = Annotated[
    SlaAtRisk | VolumeSpike | CsatDrop | BacklogGrowth, Field(discriminator="kind")
]
