"""Alerts: rules in ``supportops.yaml``, evaluated against the workspace, delivered once.

How the modules fit together, one concept each::

    rules      the typed rules of ``alerts:`` (imported by :mod:`supportops.config`)
    evaluate   what each kind of rule finds at an instant: pure over the workspace's numbers
    deliver    Slack-compatible webhooks (httpx, retried) and e-mail (smtplib)
    ledger     what was sent, per rule and occurrence, in ``WORKSPACE/alerts_ledger.json``
    runner     ``run_alerts``: evaluate, skip what the ledger has, deliver, record; the
               server's loop of runs

``supportops alerts run`` and the web server (every minute) call :func:`run_alerts`. This
package's ``__init__`` imports only the rules, so that the config can use them without a cycle;
import the runner from :mod:`supportops.alerts.runner`.
"""

from __future__ import annotations

from supportops.alerts.rules import (
    KINDS,
    AlertRule,
    BacklogGrowth,
    CsatDrop,
    Delivery,
    EmailDelivery,
    SlaAtRisk,
    VolumeSpike,
)

__all__ = [
    "KINDS",
    "AlertRule",
    "BacklogGrowth",
    "CsatDrop",
    "Delivery",
    "EmailDelivery",
    "SlaAtRisk",
    "VolumeSpike",
]
