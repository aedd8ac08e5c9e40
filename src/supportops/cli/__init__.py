"""The ``supportops`` command line: one module per command group.

Each command module exposes ``register(app)``, which adds its commands to a Typer app.
:data:`COMMANDS` names, for each root command, the module that registers it and its one-line
help, so that ``supportops --help`` lists every command, and ``supportops CMD ...`` starts, without
importing the other modules (click's lazy-group pattern): the entry point builds only the module
of the command asked for. ``tests/cli/test_startup.py`` checks the table against what the
modules register. :data:`app`, the whole Typer app with every module registered, is built on
first use, for the tests and the reference docs.

Errors of the :class:`~supportops.errors.SupportOpsError` tree, and the operating system's (a
read-only or full disk, a permission), are printed as one clear line and exit with status 2;
nothing else is caught.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
from typer import _click as click
from typer.core import TyperGroup

from supportops.errors import SupportOpsError

__all__ = ["COMMANDS", "COMMAND_MODULES", "app", "main", "root"]

HELP = "One source of truth, trustworthy numbers and plans for support operations."

# name → (module that registers it, one-line help), in the order `--help` lists them: commands
# first, then groups, each in the order of their modules (as Typer lists a whole app).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "supportops.cli.workspace",
        "Create a workspace: a commented supportops.yaml and the embedded store.",
    ),
    "import": (
        "supportops.cli.workspace",
        "Import event-log files (CSV, Parquet, JSONL); bad rows are quarantined, good rows kept.",
    ),
    "export": (
        "supportops.cli.workspace",
        "Write the event log out; importing the export gives the same store.",
    ),
    "quarantine": (
        "supportops.cli.workspace",
        "List quarantined rows with file, row, column and reason (latest import first).",
    ),
    "status": (
        "supportops.cli.workspace",
        "Rows per table and tickets per channel in the workspace, and any import that did not"
        " finish.",
    ),
    "demo": (
        "supportops.cli.workspace",
        "Build a realistic demo workspace: 8 weeks of tickets, agents, contacts, bots, surveys.",
    ),
    "generate": (
        "supportops.cli.workspace",
        "Stream the demo generator to files in bounded memory (for benchmarks).",
    ),
    "serve": (
        "supportops.cli.web",
        "Serve the web app and REST API over the workspace (docs at /docs); evaluate the alert"
        " rules every minute; keep the materialised facts fresh; take signed webhooks at"
        " /webhooks/SOURCE, apply them, and sync each source on its schedule.",
    ),
    "metrics": (
        "supportops.cli.metrics",
        "Metrics of the catalog, by dimension and period; `--list`, `explain ID`, `reconcile`,"
        " `refresh`.",
    ),
    "quality": (
        "supportops.cli.metrics",
        "Data quality: completeness per column, validity findings, freshness, duplicates.",
    ),
    "tickets": (
        "supportops.cli.tickets",
        "One row per ticket with its facts: the drill-down behind every number; --from/--to or"
        " --period keep the tickets created on those days.",
    ),
    "forecast": (
        "supportops.cli.workforce",
        "Forecast interval volume per channel; the model is chosen by a rolling-origin backtest.",
    ),
    "plan": (
        "supportops.cli.workforce",
        "Forecast → staffing → schedule → simulation, and each what-if compared with the base.",
    ),
    "report": (
        "supportops.cli.report",
        "The executive report: KPIs against the previous period and targets, what moved and why,"
        " SLA, backlog risk, CSAT, cost per ticket and what automation saved.",
    ),
    "ticket": (
        "supportops.cli.ticket",
        "One ticket's story: fields, SLA clocks, facts and their events, findings, timeline.",
    ),
    "connect": (
        "supportops.cli.sync",
        "Check a helpdesk account's credentials with one request and add it to supportops.yaml;"
        " with --webhook, say how to set up its webhook (and --register it where the API"
        " allows).",
    ),
    "sync": (
        "supportops.cli.sync",
        "Pull sources into the event log: incremental, one transaction per page.",
    ),
    "sources": (
        "supportops.cli.sync",
        "Each source: its last successful sync, lag, counts, cursors and last error.",
    ),
    "roi": (
        "supportops.cli.roi",
        "The automation ROI ledger: what each automation did, the hours and money it saved (95%"
        " intervals), vendor-reported against verified bot resolutions (default: 28 days).",
    ),
    "cost": (
        "supportops.cli.roi",
        "Cost to serve per channel, group, contact reason (tag), segment or account; --by account"
        " sets each account's yearly support cost against its ARR (default: 28 days).",
    ),
    "token": ("supportops.cli.web", "API tokens: create (shown once), list, revoke."),
    "staff": ("supportops.cli.workforce", "How many agents each interval needs."),
    "alerts": (
        "supportops.cli.alerts",
        "Alert rules: run them (sends what is new), list them, send a test message.",
    ),
    "sla": (
        "supportops.cli.sla",
        "SLA target instances, compliance, at-risk tickets, what-ifs and the pending check.",
    ),
    "triage": ("supportops.cli.triage", "AI triage: a classifier trained on your own tickets."),
    "knowledge": (
        "supportops.cli.knowledge",
        "Knowledge gaps: the articles your tickets say are missing.",
    ),
    "qa": (
        "supportops.cli.qa",
        "QA: IQS and category scores with intervals, calibration, review plans, imports.",
    ),
    "experiment": (
        "supportops.cli.experiment",
        "Experiments: assign arms, analyze results with intervals, plan their length.",
    ),
    "webhooks": (
        "supportops.cli.webhooks",
        "Webhook deliveries: list the recent ones with their state, retry the failed ones.",
    ),
    "rules": (
        "supportops.cli.rules",
        "Rules as code: lint, replay over history, import from and export to helpdesks.",
    ),
    "routing": (
        "supportops.cli.routing",
        "Skills-based routing: each strategy replayed on history, side by side.",
    ),
}

COMMAND_MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))

_OPTIONS: dict[str, Any] = {
    "name": "supportops",
    "help": HELP,
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,  # click's plain help: rich's help drawer imports markdown, pygments
}


def typer_app(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    """A Typer app with the commands of ``modules`` registered."""
    built = typer.Typer(**_OPTIONS)
    for name in modules:
        importlib.import_module(name).register(built)
    return built


class LazyCommands(MutableMapping[str, click.Command]):
    """The root's commands, keyed by the names in :data:`COMMANDS`: a command's module is imported
    and built the first time one of its commands is looked up."""

    def __init__(self) -> None:
        self._built: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._built and name in COMMANDS:
            self._built.update(typer.main.get_group(typer_app((COMMANDS[name][0],))).commands)
        return self._built[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self._built]))


class LazyRoot(TyperGroup):
    """The root command: its commands are :class:`LazyCommands`, and its help lists them from the
    table, so that neither builds a command that does not run."""

    def __init__(self) -> None:
        super().__init__(name="supportops", help=HELP, no_args_is_help=True, rich_markup_mode=None)
        self.commands = LazyCommands()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, _short(text, limit)) for name, (_, text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _short(text: str, limit: int) -> str:
    return click.utils.make_default_short_help(text, limit)


root = LazyRoot()


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole app, built once, on first use
        built = typer_app()
        globals()["app"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Earlier spellings of an option, read as today's (and not shown in the help).
ALIASES = {"--out": "--output"}


def main() -> None:
    """Entry point of the ``supportops`` script."""
    try:
        root.main(args=spelled(sys.argv[1:]), prog_name="supportops")
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
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(2)
