"""``supportops triage``: train a text model on the team's own tickets (or a labelled file),
see what it measured, and predict for new tickets with a calibrated confidence.

The model, its threshold and its card are saved in the workspace (``triage/<name>.*``).
Heavy modules (pandas, scikit-learn, the store) are imported inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from supportops.triage.saved import SavedModel
    from supportops.workspace import Workspace

__all__ = ["register"]

app = typer.Typer(help="AI triage: a classifier trained on your own tickets.", no_args_is_help=True)

Folder = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $SUPPORTOPS_WORKSPACE, then the current folder).",
        show_default=False,
    ),
]
Target = Annotated[
    str,
    typer.Option(
        "--target", help="What to predict: group, category, priority, tags or custom.<field>."
    ),
]
Format = Annotated[str, typer.Option("--format", help="table, csv or json.")]
KINDS_HELP = "auto (the best of those installed, on validation), tfidf or embeddings."


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1%}"


def _workspace(folder: Path | None) -> Workspace:
    from supportops.workspace import Workspace

    return Workspace.open(folder)


def _kinds(model: str) -> list[str] | None:
    from supportops.errors import TriageError
    from supportops.triage.models import MODEL_KINDS, available_kinds

    if model == "auto":
        return None
    if model not in MODEL_KINDS:
        raise typer.BadParameter(f"--model {model!r}: expected {KINDS_HELP}")
    if model not in available_kinds():
        raise TriageError(
            f"--model {model}: not installed here (pip install 'supportops[embeddings]')"
        )
    return [model]


def _history(ws: Workspace, target: str, until: str | None) -> tuple[pd.DataFrame, Any]:
    from supportops.cli.options import days_of
    from supportops.store.texts import ticket_texts
    from supportops.triage.history import labelled_tickets

    frame = labelled_tickets(ticket_texts(ws.store), target)
    if until is None:
        return frame, None
    _, last = days_of(ws, None, until, None)
    from zoneinfo import ZoneInfo

    import pandas as pd

    assert last is not None
    end = pd.Timestamp(last, tz=ZoneInfo(ws.config.report_timezone)) + pd.Timedelta(days=1)
    return frame[frame["created_at"] < end].reset_index(drop=True), end


def train(
    target: Target = "group",
    from_csv: Annotated[
        Path | None, typer.Option("--from-csv", help="Train on this labelled CSV file instead.")
    ] = None,
    text: Annotated[str, typer.Option("--text", help="With --from-csv: the text column.")] = "text",
    label: Annotated[
        str, typer.Option("--label", help="With --from-csv: the label column.")
    ] = "label",
    time: Annotated[
        str | None,
        typer.Option("--time", help="With --from-csv: a time column, to split in time."),
    ] = None,
    test_csv: Annotated[
        Path | None,
        typer.Option("--test-csv", help="With --from-csv: judge on this file (same columns)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Save as (default: the target or label).")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Learn only from tickets created up to this day."),
    ] = None,
    model: Annotated[str, typer.Option("--model", help=KINDS_HELP)] = "auto",
    target_accuracy: Annotated[
        float, typer.Option("--target-accuracy", help="Accuracy auto-routed tickets must reach.")
    ] = 0.99,
    min_examples: Annotated[
        int, typer.Option("--min-examples", help="Rarer classes are merged into 'other'.")
    ] = 10,
    workspace: Folder = None,
) -> None:
    """Train a triage model, choose its routing threshold on validation, save it."""
    from supportops.instants import default_clock
    from supportops.triage.history import read_labelled_csv, train_and_save
    from supportops.workspace import resolve_path

    kinds = _kinds(model)
    if not 0.5 <= target_accuracy < 1.0:
        raise typer.BadParameter(f"--target-accuracy {target_accuracy}: expected 0.5 to 0.99..")
    test = None
    if from_csv is not None:
        frame = read_labelled_csv(from_csv, text, label, time)
        if test_csv is not None:
            test = read_labelled_csv(test_csv, text, label)
        folder, clock = resolve_path(workspace), default_clock()
        card: dict[str, Any] = {"target": label, "source": str(from_csv)}
        name = name or label
    else:
        ws = _workspace(workspace)
        frame, end = _history(ws, target, until)
        folder, clock = ws.path, ws.clock
        card = {"target": target, "source": "workspace", "until": end and end.isoformat()}
        name = name or target
    with Console(stderr=True).status(f"training on {len(frame):,} labelled rows…"):
        _, full = train_and_save(
            folder, name, frame, card, clock.now(), min_examples, target_accuracy, kinds, test
        )
    _print_card(full, Path(folder) / "triage" / f"{name}.json")


def _print_card(card: dict[str, Any], path: Path | None = None) -> None:
    console = Console()
    judged = card["test"] or card["validation"]
    where = "test (never seen in training)" if card["test"] else "validation"
    console.print(
        f"[bold]{card['name']}[/]: {card['model']} model, {len(card['classes'])} classes, "
        f"trained {card['trained_at'][:16]} on {card['rows']['train']:,} rows",
        highlight=False,
    )
    if card["merged_into_other"]:
        console.print(
            f"merged into 'other' (fewer than {card['min_examples']} examples): "
            + ", ".join(card["merged_into_other"]),
            highlight=False,
        )
    table = Table(title=f"Measured on {where}: {judged['tickets']:,} rows")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("accuracy", _pct(judged["accuracy"])),
        ("macro-F1", _pct(judged["macro_f1"])),
        ("majority class alone", _pct(card["majority_accuracy"])),
        ("calibration error (ECE)", f"{judged['ece']:.3f}"),
        (f"threshold for {card['target_accuracy']:.0%} (validation)", f"{card['threshold']:.3f}"),
        ("auto-routed at the threshold", _pct(judged["coverage"])),
        ("accuracy of the auto-routed", _pct(judged["routed_accuracy"])),
        ("accuracy left to people", _pct(judged["human_accuracy"])),
    ]
    for figure, value in rows:
        table.add_row(figure, value)
    console.print(table)
    if path is not None:
        console.print(f"saved: {path}", highlight=False)


def show(target: Target = "group", fmt: Format = "table", workspace: Folder = None) -> None:
    """What a saved model measured, and how it does on tickets since its training."""
    from supportops.triage.saved import read_card

    folder = _folder(workspace)
    card = read_card(folder, target)
    if fmt == "json":
        typer.echo(json.dumps(card, indent=2))
        return
    _print_card(card)


def _folder(workspace: Path | None) -> Path:
    from supportops.workspace import resolve_path

    return resolve_path(workspace)


def _store_tickets(ws: Workspace, saved: SavedModel, every: bool) -> pd.DataFrame:
    from supportops.store.texts import ticket_texts
    from supportops.triage.texts import ticket_text

    texts = ticket_texts(ws.store)
    if not every:
        texts = texts[texts["status"].isin(["new", "open", "pending", "on_hold"])]
    frame = texts[["source", "ticket_id"]].copy()
    frame["text"] = ticket_text(texts["subject"], texts["first_message"])
    return frame[frame["text"].ne("")].reset_index(drop=True)


def predict(
    target: Target = "group",
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Predict for the rows of this CSV file.")
    ] = None,
    text: Annotated[str, typer.Option("--text", help="With --csv: the text column.")] = "text",
    every: Annotated[
        bool, typer.Option("--all", help="Every ticket of the store, not only the unsolved.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="Rows to print (table).")] = 20,
    fmt: Format = "table",
    workspace: Folder = None,
) -> None:
    """Predict the target for new tickets: label, confidence, routed or not, and the top 3."""
    import pandas as pd

    from supportops.errors import InputError
    from supportops.triage.prediction import predict as predict_texts
    from supportops.triage.saved import load

    saved = load(_folder(workspace), target)
    if csv is not None:
        rows = pd.read_csv(csv, dtype=str, keep_default_na=False)
        if text not in rows.columns:
            raise InputError(f"{csv}: no column {text!r}", file=str(csv), column=text)
        rows = rows.rename(columns={text: "text"})
    else:
        rows = _store_tickets(_workspace(workspace), saved, every)
    found = pd.concat([rows, predict_texts(saved, rows["text"].tolist())], axis=1)
    if fmt == "csv":
        typer.echo(found.to_csv(index=False), nl=False)
        return
    if fmt == "json":
        typer.echo(found.to_json(orient="records", indent=2))
        return
    _print_predictions(found, saved, limit)


def _print_predictions(found: pd.DataFrame, saved: SavedModel, limit: int) -> None:
    console = Console()
    share = float(found["routed"].mean()) if len(found) else 0.0
    console.print(
        f"{len(found):,} tickets; {share:.0%} reach the routing threshold "
        f"{saved.trained.threshold:.3f} ({saved.card['target_accuracy']:.0%} target accuracy)",
        highlight=False,
    )
    table = Table()
    keys = [c for c in ("ticket_id",) if c in found]
    for column in (*keys, "text", saved.target, "confidence", "routed", "top 3"):
        table.add_column(column, overflow="ellipsis", max_width=48 if column == "text" else None)
    for row in found.head(limit).to_dict("records"):
        top = ", ".join(
            f"{row[f'top{i}']} {row[f'p{i}']:.0%}" for i in (1, 2, 3) if f"top{i}" in row
        )
        cells = [str(row[k]) for k in keys]
        routed = "yes" if row["routed"] else "no"
        table.add_row(
            *cells, str(row["text"]), str(row["label"]), f"{row['confidence']:.1%}", routed, top
        )
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add ``supportops triage``."""
    app.command("train")(train)
    app.command("show")(show)
    app.command("predict")(predict)
    root.add_typer(app, name="triage")
