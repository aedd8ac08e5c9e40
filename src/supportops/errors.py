"""The one error tree of supportops.

Every error the package raises on purpose derives from :class:`SupportOpsError`.
Whether an operation may be retried is a type, never a string match::

    SupportOpsError
    ├── TerminalError                 retrying will not help
    │   ├── ConfigError               supportops.yaml or a policy file is wrong (key, line)
    │   ├── InputError                an input file cannot be read at all (file, column)
    │   │   └── MappingError          an import mapping is wrong (key)
    │   ├── WorkspaceError            no workspace, or a broken one (path)
    │   ├── MetricError               unknown metric, aggregation, dimension or profile
    │   ├── StoreError                the store refused an operation (engine)
    │   │   └── StoreCorruptError     the store file is damaged (path, repair)
    │   └── AuthError                 a missing or wrong token, or a missing scope
    └── TransientError                the same call may succeed later
        ├── StoreUnavailableError     the database server cannot be reached now
        └── BudgetExceededError       a query ran past its time or memory budget (budget)

Errors carry their context as attributes (``file``, ``line``, ``column``, ``key``, ``row``,
``ticket_id``, ``source``) so callers and the CLI can show them without parsing messages.
Third-party exceptions are translated where they enter, with ``raise ... from exc``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthError",
    "BudgetExceededError",
    "ConfigError",
    "InputError",
    "MappingError",
    "MetricError",
    "StoreCorruptError",
    "StoreError",
    "StoreUnavailableError",
    "SupportOpsError",
    "TerminalError",
    "TransientError",
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


class InputError(TerminalError):
    """An input file cannot be read at all; ``file`` and ``column`` say what is wrong."""


class MappingError(InputError):
    """An import mapping file is invalid; ``key`` names the offending entry."""


class WorkspaceError(TerminalError):
    """The workspace folder is missing or unusable; ``path`` names it."""


class MetricError(TerminalError):
    """An unknown metric id, aggregation, dimension, grain or vendor profile."""


class StoreError(TerminalError):
    """The store refused an operation; ``engine`` names it."""


class AuthError(TerminalError):
    """A missing or invalid token (``status`` 401) or a missing scope (``status`` 403)."""


class StoreUnavailableError(TransientError):
    """The database server cannot be reached right now."""


class StoreCorruptError(StoreError):
    """The store file is damaged or partly written; ``path`` names it, ``repair`` the way
    back."""


class BudgetExceededError(TransientError):
    """A query ran past its budget; ``budget`` names which (``time`` or ``memory``)."""
