"""supportops: one source of truth, trustworthy numbers and plans for support operations.

The public API is what this module exports; everything else may change between releases.
"""

from __future__ import annotations

from supportops.calendar import BusinessCalendar
from supportops.config import WorkspaceConfig, load_config
from supportops.errors import (
    AuthError,
    ConfigError,
    InputError,
    MappingError,
    MetricError,
    StoreError,
    StoreUnavailableError,
    SupportOpsError,
    TerminalError,
    TransientError,
    WorkspaceError,
)
from supportops.model.exporter import export_log
from supportops.model.importer import ImportReport, import_files
from supportops.workspace import Workspace

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "BusinessCalendar",
    "ConfigError",
    "ImportReport",
    "InputError",
    "MappingError",
    "MetricError",
    "StoreError",
    "StoreUnavailableError",
    "SupportOpsError",
    "TerminalError",
    "TransientError",
    "Workspace",
    "WorkspaceConfig",
    "WorkspaceError",
    "__version__",
    "export_log",
    "import_files",
    "load_config",
]
