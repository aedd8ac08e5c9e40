"""``supportops rules lint|replay|import|export|ledger``: rules as code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from supportops.cli.options import (
    AsOfOption,
    FromOption,
    PeriodOption,
    ToOption,
    WorkspaceOption,
    days_of,
)

if TYPE_CHECKING:
    from supportops.rules.lint import References
    from supportops.rules.model import RuleSet
    from supportops.workspace import Workspace

__all__ = ["register"]

console = Console()
rules_app = typer.Typer(
    help="Rules as code: lint, replay over history, import from and export to helpdesks.",
    no_args_is_help=True,
)
PathArgument = Annotated[
    Path | None,
    typer.Argument(
        help="A rule file (YAML), or a vendor's JSON with --vendor (default: the workspace's "
        "rules: section).",
        show_default=False,
    ),
]
VendorOption = Annotated[
    str | None,
    typer.Option(
        "--from", "--vendor", help="Read PATH as this helpdesk's JSON: zendesk or freshdesk."
    ),
]
ReplayVendorOption = Annotated[
    str | None,
    typer.Option("--vendor", help="Read PATH as this helpdesk's JSON: zendesk or freshdesk."),
]
LintFormat = Annotated[str, typer.Option("--format", "-f", help="text (the default) or json.")]


def _open(workspace: Path | None, needed: bool) -> Workspace | None:
    from supportops.errors import WorkspaceError
    from supportops.workspace import Workspace

    try:
        return Workspace.open(workspace)
    except WorkspaceError:
        if needed:
            raise
        return None


def _ruleset(path: Path | None, vendor: str | None, ws: Workspace | None) -> RuleSet:
    from supportops.errors import RuleError
    from supportops.rules.files import load_rules, read_vendor, workspace_rules

    if path is not None and vendor is not None:
        return read_vendor(path, vendor)
    if path is not None:
        return load_rules(path)
    if ws is None:
        raise RuleError("no rule file given and no workspace: pass PATH or --workspace")
    return workspace_rules(ws.config, ws.path)


def _refs(ws: Workspace | None) -> References | None:
    from supportops.rules.live import references_of

    return references_of(ws) if ws is not None else None


@rules_app.command("lint")
def lint_(
    path: PathArgument = None,
    vendor: VendorOption = None,
    format: LintFormat = "text",
    workspace: WorkspaceOption = None,
) -> None:
    """Find loops, conflicts, shadowed rules, missing scopes, unknown references and
    unsupported parts, each with an example ticket; exit 1 when there is an error."""
    from supportops.errors import RuleError
    from supportops.rules.lint import lint

    if format not in ("text", "json"):
        raise RuleError(f"--format: expected text or json, not {format!r}", key="--format")
    ws = _open(workspace, needed=path is None)
    ruleset = _ruleset(path, vendor, ws)
    refs = _refs(ws) if path is None or workspace is not None else None
    findings = lint(ruleset, refs)
    if format == "json":
        for f in findings:
            sys.stdout.write(json.dumps(f.data(), default=str) + "\n")
    else:
        for f in findings:
            example = json.dumps(f.example, default=str) if f.example else "-"
            console.print(
                f"{f.severity}: {f.kind}: {', '.join(f.rules)}: {f.explanation}\n"
                f"  example: {example}",
                markup=False,
                highlight=False,
            )
        errors = sum(f.severity == "error" for f in findings)
        console.print(
            f"{len(ruleset.rules)} rules ({ruleset.semantics}): {errors} error(s), "
            f"{len(findings) - errors} warning(s)",
            markup=False,
        )
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(1)


SemanticsOption = Annotated[
    str | None,
    typer.Option("--semantics", help="Run under these semantics (default: the rule set's)."),
]


@rules_app.command("replay")
def replay_(
    path: PathArgument = None,
    vendor: ReplayVendorOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    semantics: SemanticsOption = None,
    replace_automation: Annotated[
        bool,
        typer.Option(
            "--replace-automation",
            help="Leave out the log's automatic changes of the fields the rules write, and "
            "report how often the replay agrees with them (for imported rules).",
        ),
    ] = False,
    format: LintFormat = "text",
    workspace: WorkspaceOption = None,
) -> None:
    """Replay the rules over the tickets created in the period: fires per rule, tickets whose
    group, assignee or priority would have differed, first reply and SLA as a consequence."""
    from supportops.cli.output import print_table
    from supportops.instants import local_midnight
    from supportops.rules.replay import replay
    from supportops.rules.semantics import semantics_of
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        ruleset = _ruleset(path, vendor, ws)
        if semantics is not None:
            semantics_of(semantics)
            ruleset = ruleset.model_copy(update={"semantics": semantics})
        first, last = days_of(ws, start, end, period)
        if first is None or last is None:
            from supportops.errors import RuleError

            raise RuleError("give --period (or --from and --to)", key="--period")
        zone = ws.config.report_timezone
        from datetime import timedelta

        low, high = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
        report = replay(ws, ruleset, low, high, replace_automation)
    counts = report.differs.groupby("field").size().to_dict() if len(report.differs) else {}
    if format == "json":
        out = {
            "from": str(first),
            "to": str(last),
            "semantics": report.semantics,
            "tickets": report.tickets,
            "events": report.events,
            "rules": report.per_rule.to_dict("records"),
            "differ": {k: int(v) for k, v in counts.items()},
            "consequence": report.consequence,
            "agreement": report.agreement.to_dict("records"),
            "unfilled": list(report.unfilled),
        }
        sys.stdout.write(json.dumps(out, default=str, indent=1) + "\n")
        return
    console.print(
        f"Replay of {len(ruleset.rules)} rules ({report.semantics}) over {report.tickets:,} "
        f"tickets, {report.events:,} events, created {first} to {last}",
        markup=False,
    )
    print_table(report.per_rule, title="Fires per rule")
    for why in report.unfilled:
        console.print(f"empty in this replay: {why}", markup=False)
    for name in ("group", "assignee_id", "priority"):
        console.print(f"tickets whose {name} would differ: {counts.get(name, 0):,}", markup=False)
    c = report.consequence
    console.print(
        f"first reply median: {_duration(c['first_reply_median_observed'])} observed, "
        f"{_duration(c['first_reply_median_replayed'])} replayed; first-reply SLA: "
        f"{_share(c['sla_first_reply_observed'])} observed, "
        f"{_share(c['sla_first_reply_replayed'])} replayed ({c['moved_tickets']:,} tickets "
        f"moved)\nassumption: {c['assumption']}",
        markup=False,
    )
    if len(report.agreement):
        print_table(report.agreement, title="Agreement with the log's automatic changes")


def _duration(seconds: float | None) -> str:
    from supportops.numbers import fmt

    return fmt(seconds, "seconds")


def _share(value: float | None) -> str:
    from supportops.numbers import fmt

    return fmt(value, "rate")


@rules_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="The helpdesk's JSON (or JSON Lines) file.")],
    vendor: Annotated[str, typer.Option("--from", "--vendor", help="zendesk or freshdesk.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """A helpdesk's rules as our YAML, with its semantics; what we cannot express is kept as
    `unsupported` with its JSON."""
    from supportops.rules.files import dump_rules, read_vendor

    text = dump_rules(read_vendor(path, vendor))
    if output is None:
        sys.stdout.write(text)
    else:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)


@rules_app.command("export")
def export_(
    path: PathArgument = None,
    vendor: Annotated[
        str, typer.Option("--to", "--vendor", help="zendesk or freshdesk.")
    ] = "zendesk",
    workspace: WorkspaceOption = None,
) -> None:
    """The rules as the helpdesk's JSON (Zendesk: {"triggers": [...], "automations": [...]})."""
    from supportops.errors import RuleError
    from supportops.rules.freshdesk import export_freshdesk
    from supportops.rules.zendesk import export_zendesk

    ruleset = _ruleset(path, None, _open(workspace, needed=path is None))
    if vendor == "zendesk":
        out = {
            "triggers": [export_zendesk(r) for r in ruleset.rules if not r.timed],
            "automations": [export_zendesk(r) for r in ruleset.rules if r.timed],
        }
    elif vendor == "freshdesk":
        out = {"rules": [export_freshdesk(r) for r in ruleset.rules]}
    else:
        raise RuleError(f"--vendor: expected zendesk or freshdesk, not {vendor!r}", key="--vendor")
    sys.stdout.write(json.dumps(out, indent=1, default=str) + "\n")


@rules_app.command("ledger")
def ledger_(
    limit: Annotated[int, typer.Option("--limit", help="Rows to show, newest first.")] = 20,
    workspace: WorkspaceOption = None,
) -> None:
    """The newest entries of the action ledger: every action a rule took, dry or live."""
    from supportops.cli.output import print_table
    from supportops.rules.ledger import read_ledger
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        rows = read_ledger(ws.store, limit)
    if rows.empty:
        console.print("the action ledger is empty", markup=False)
        return
    print_table(rows.drop(columns=["action_id"]), title="Action ledger")


@rules_app.command("tick")
def tick_(
    as_of: AsOfOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Check the time-based rules (`every: N`) now, as `serve` does each minute: each ticket
    not closed, once per period; live, the actions are written back. For a scheduler (cron)
    when `serve` does not run."""
    from supportops.cli.options import as_of_of
    from supportops.cli.output import print_table
    from supportops.rules.live import run_timed
    from supportops.rules.writeback import Helpdesks
    from supportops.workspace import Workspace

    with Workspace.open(workspace) as ws:
        live = ws.config.rules.mode == "live"
        helpdesks = Helpdesks(ws.store, ws.config.sources, ws.config.rules.per_minute)
        rows = run_timed(ws, as_of_of(ws, as_of), write_back=helpdesks if live else None)
    if rows.empty:
        console.print("no time-based rule acted this period", markup=False)
        return
    counts = rows.groupby(["rule", "result"]).size().reset_index(name="actions")
    print_table(counts, title="Time-based rules")


def register(app: typer.Typer) -> None:
    """Add ``rules`` to ``app``."""
    app.add_typer(rules_app, name="rules")
