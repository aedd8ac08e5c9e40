"""The ``supportops`` command line: one module per command group.

Each module in :data:`COMMAND_MODULES` exposes ``register(app)``, which adds its commands to the
root Typer app. Errors of the :class:`~supportops.errors.SupportOpsError` tree, and the
operating system's (a read-only or full disk, a permission), are printed as one clear line and
exit with status 2; nothing else is caught.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from supportops.errors import SupportOpsError

__all__ = ["COMMAND_MODULES", "app", "main"]

COMMAND_MODULES = (
    "supportops.cli.workspace",
    "supportops.cli.web",
    "supportops.cli.metrics",
    "supportops.cli.tickets",
    "supportops.cli.workforce",
    "supportops.cli.report",
    "supportops.cli.alerts",
    "supportops.cli.sla",
    "supportops.cli.ticket",
    "supportops.cli.sync",
    "supportops.cli.triage",
    "supportops.cli.knowledge",
    "supportops.cli.qa",
    "supportops.cli.experiment",
    "supportops.cli.roi",
    "supportops.cli.rules",
)

app = typer.Typer(
    name="supportops",
    help="One source of truth, trustworthy numbers and plans for support operations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: rich's help drawer imports markdown and pygments
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


# Earlier spellings of an option, read as today's (and not shown in the help).
ALIASES = {"--out": "--output"}


def main() -> None:
    """Entry point of the ``supportops`` script."""
    try:
        app(args=spelled(sys.argv[1:]))
    except SupportOpsError as exc:
        _fail(str(exc))
    except OSError as exc:  # a read-only or full disk, a missing permission: the user's to fix
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}")


def spelled(args: list[str]) -> list[str]:
    """``args`` with each earlier spelling of an option (:data:`ALIASES`) as today's, up to a
    ``--`` (after which every word is an argument)."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        name, eq, value = arg.partition("=")
        out.append(ALIASES.get(name, name) + eq + value if name in ALIASES else arg)
    return out


def _fail(message: str) -> None:
    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(2)
