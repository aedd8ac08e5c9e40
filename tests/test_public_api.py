"""The public API is small and deliberate: a change to it must change this test."""

from __future__ import annotations

import supportops

PUBLIC = [
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


def test_all_is_exactly_the_public_api_and_sorted() -> None:
    assert supportops.__all__ == PUBLIC
    assert sorted(supportops.__all__) == supportops.__all__


def test_every_public_name_exists() -> None:
    for name in supportops.__all__:
        assert hasattr(supportops, name), name


def test_every_error_derives_from_one_root_and_retryability_is_a_type() -> None:
    errors = [getattr(supportops, n) for n in PUBLIC if n.endswith("Error")]
    assert all(issubclass(e, supportops.SupportOpsError) for e in errors)
    terminal, transient = supportops.TerminalError, supportops.TransientError
    for error in errors:
        if error in (supportops.SupportOpsError, terminal, transient):
            continue
        assert issubclass(error, terminal) != issubclass(error, transient), error
