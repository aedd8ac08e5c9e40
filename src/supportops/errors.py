"""The one error tree of supportops.

Every error the package raises on purpose derives from :class:`SupportOpsError`.
Whether an operation may be retried is a type, never a string match::

    SupportOpsError
    ├── TerminalError                 retrying will not help
    │   ├── ConfigError               supportops.yaml or a policy file is wrong (key, line)
    │   │   └── ConditionError        a condition names an unknown field or a wrong value
    │   ├── InputError                an input file cannot be read at all (file, column)
    │   │   ├── MappingError          an import mapping is wrong (key)
    │   │   └── InstantError          an instant, day, period or duration is unreadable (key)
    │   ├── WorkspaceError            no workspace, or a broken one (path)
    │   ├── MetricError               unknown metric, aggregation, dimension or profile
    │   ├── QaError                   a review names an unknown scorecard or category (key)

    │   ├── RuleError                 a rule set cannot be read, linted or run as asked (key)
    │   ├── ExperimentError           an experiment cannot be analysed yet (experiment)
    │   ├── StoreError                the store refused an operation (engine)
    │   │   └── StoreCorruptError     the store file is damaged (path, repair)
    │   ├── AuthError                 a missing or wrong token, or a missing scope
    │   │   └── SignatureInvalid      a webhook's signature or token is wrong (source, reason)
    │   ├── ChartError                a chart's spec cannot be drawn (chart)
    │   ├── TicketNotFound            no ticket with that id (ticket_id, source)
    │   ├── AmbiguousTicket           a ticket id held by several sources (ticket_id, sources)
    │   ├── TriageError               a text model cannot be trained or used (target, path)
    │   ├── RequestRefused            an HTTP 4xx answer (target, status)
    │   └── SyncError                 a source cannot be synced: budget, answer (source, stream)
    └── TransientError                the same call may succeed later
        ├── StoreUnavailableError     the database server cannot be reached now
        ├── BudgetExceededError       a query ran past its time or memory budget (budget)
        ├── RequestFailed             no HTTP answer (connect error, timeout), a 5xx (status)
        └── RateLimited               the server asked to wait (status, retry_after)

Errors carry their context as attributes (``file``, ``line``, ``column``, ``key``, ``row``,
``ticket_id``, ``source``) so callers and the CLI can show them without parsing messages.
Third-party exceptions are translated where they enter, with ``raise ... from exc``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AmbiguousTicket",
    "AuthError",
    "BudgetExceededError",
    "ChartError",
    "ConditionError",
    "ConfigError",
    "ConflictingParameters",
    "ExperimentError",
    "InputError",
    "InstantConflict",
    "InstantError",
    "MappingError",
    "MetricError",
    "NoVolume",
    "QaError",
    "RateLimited",
    "RequestFailed",
    "RequestRefused",
    "RuleError",
    "SignatureInvalid",
    "StoreCorruptError",
    "StoreError",
    "StoreUnavailableError",
    "SupportOpsError",
    "SyncError",
    "TerminalError",
    "TicketNotFound",
    "TransientError",
    "TriageError",
    "WorkspaceError",
]


class SupportOpsError(Exception):
    """Root of every error supportops raises on purpose."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = {k: v for k, v in context.items() if v is not None}
        for key, value in context.items():
            setattr(self, key, value)

    def __str__(self) -> str:
        return self.message


class TerminalError(SupportOpsError):
    """Retrying the same operation will fail the same way."""


class TransientError(SupportOpsError):
    """The same operation may succeed if tried again later."""


class ConfigError(TerminalError):
    """A configuration file is invalid; ``file``, ``key`` and ``line`` say where."""


class ConditionError(ConfigError):
    """A condition is wrong: ``key`` is its path, ``line`` its YAML line (when known),
    ``suggestion`` the closest valid name of an unknown field, ``reason`` what is wrong."""

    key: str
    line: int | None
    suggestion: str | None
    reason: str


class InputError(TerminalError):
    """An input file cannot be read at all; ``file`` and ``column`` say what is wrong."""


class NoVolume(InputError):
    """Nothing to plan: the workspace (or its ``channel``) has no contacts or tickets."""


class MappingError(InputError):
    """An import mapping file is invalid; ``key`` names the offending entry."""


class InstantError(InputError, ValueError):
    """An instant, day, period or duration cannot be read, or lies outside the range every
    engine holds; ``key`` names the option, parameter or setting, ``expected`` the accepted
    forms. It is also a ValueError, so that config validators report it as a bad value."""


class ConflictingParameters(InputError):
    """Options or parameters each well formed that do not fit together (a start after the end,
    a period beside start/end, a range too long for its grain); ``key`` names one of them."""


class InstantConflict(InstantError, ConflictingParameters):
    """Instants or days that do not fit together (see :class:`ConflictingParameters`)."""


class WorkspaceError(TerminalError):
    """The workspace folder is missing or unusable; ``path`` names it."""


class MetricError(TerminalError):
    """An unknown metric id, aggregation, dimension, grain or vendor profile."""


class QaError(TerminalError):
    """A review names an unknown scorecard or category, a rating off its scale, N/A where its
    category does not allow it, or (entered on the form) leaves a category unanswered (key,
    review_id)."""


class RuleError(TerminalError):
    """A rule set cannot be read, imported, linted or switched live (key, rule, file)."""


class ExperimentError(TerminalError):
    """An experiment cannot be analysed or planned as asked: no arms stored, no history."""


class StoreError(TerminalError):
    """The store refused an operation; ``engine`` names it."""


class AuthError(TerminalError):
    """A missing or invalid token (``status`` 401) or a missing scope (``status`` 403)."""


class ChartError(TerminalError):
    """A chart's Vega-Lite spec cannot be drawn; ``chart`` names it."""


class TicketNotFound(TerminalError):
    """No ticket with that id (in that source): ``ticket_id``, ``source``."""

    status = 404


class AmbiguousTicket(TerminalError):
    """A ticket id held by several sources, none chosen: ``ticket_id``, ``sources``."""

    status = 400


class TriageError(TerminalError):
    """A text model cannot be trained or used: too few labelled tickets, no saved model for
    ``target``, or a saved model at ``path`` that this version cannot read."""


class StoreUnavailableError(TransientError):
    """The database server cannot be reached right now."""


class RequestRefused(TerminalError):
    """An HTTP request was refused (``status`` 4xx) by ``target`` (scheme and host, no path)."""


class SyncError(TerminalError):
    """A source cannot be synced now: its request budget is spent or its answer is unreadable
    (``source``, ``stream``)."""


class RequestFailed(TransientError):
    """An HTTP request got no answer (``status`` None: connect error, timeout) or a 5xx."""


class RateLimited(TransientError):
    """``target`` asked to slow down; ``retry_after`` is the wait in seconds it named (None when
    its answer named none)."""


class StoreCorruptError(StoreError):
    """The store file is damaged or partly written; ``path`` names it, ``repair`` the way
    back."""


class BudgetExceededError(TransientError):
    """A query ran past its budget; ``budget`` names which (``time`` or ``memory``)."""


class SignatureInvalid(AuthError):
    """A webhook delivery whose signature, timestamp, shared token or org id does not verify;
    ``source`` names the source, ``reason`` what failed (never the secret). Always a 401."""

    status = 401
    source: str
    reason: str
