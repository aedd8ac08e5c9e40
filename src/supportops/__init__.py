"""supportops: one source of truth, trustworthy numbers and plans for support operations.

The public API is what this module exports; everything else may change between releases.
Each name is imported on first use (PEP 562), so ``import supportops`` — and the command line,
which imports it — costs nothing until a name is touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportops.lazy import lazy_exports

if TYPE_CHECKING:
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "supportops.calendar": ("BusinessCalendar",),
        "supportops.config": ("WorkspaceConfig", "load_config"),
        "supportops.errors": (
            "AuthError",
            "ConfigError",
            "InputError",
            "MappingError",
            "MetricError",
            "StoreError",
            "StoreUnavailableError",
            "SupportOpsError",
            "TerminalError",
            "TransientError",
            "WorkspaceError",
        ),
        "supportops.model.exporter": ("export_log",),
        "supportops.model.importer": ("ImportReport", "import_files"),
        "supportops.workspace": ("Workspace",),
    },
)

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
