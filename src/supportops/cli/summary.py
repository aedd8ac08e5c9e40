"""The summary ``make demo`` prints: counts now; SLA and headline KPIs as they land."""

from __future__ import annotations

from supportops.cli.workspace import print_counts
from supportops.workspace import Workspace

__all__ = ["print_summary"]


def print_summary(ws: Workspace) -> None:
    """Print what a manager wants first from a workspace."""
    print_counts(ws)
