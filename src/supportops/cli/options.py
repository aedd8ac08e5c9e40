"""Options shared by every command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["WorkspaceOption"]

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $SUPPORTOPS_WORKSPACE, then the current folder).",
        show_default=False,
    ),
]
