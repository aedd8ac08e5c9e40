"""Generated references: the data model from the schema, the CLI reference from the commands.

``python -m supportops.reference`` rewrites ``docs/data-model.md`` and ``docs/cli.md``; a test
fails when the committed files differ from what the code generates.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from supportops.model.schema import TABLES

__all__ = ["GENERATED", "cli_reference", "data_model", "write_references"]

_DATA_MODEL_INTRO = """# The Support Event Log — data model

Generated from `src/supportops/model/schema.py` by `python -m supportops.reference`; do not edit.
The format is the open Support Event Log, version 1: every source becomes these tables, and every
metric, SLA clock and plan is computed from them. Each table is a file `NAME.csv`, `NAME.parquet`
or `NAME.jsonl`; only `tickets` is required.

Types: **timestamp** is ISO 8601; with an offset (`-05:00`, `Z`) it is exact, without one it is read
in the `--timezone` given to the import, and with neither the row is quarantined. **duration** is
seconds. **list** is `;`-separated in CSV, an array in JSONL and Parquet. **enum** values are lower
case (spaces and hyphens become `_`: `On Hold` → `on_hold`); an unknown value of an *open*
enumeration is stored as `other` with the source's value in `raw_<column>`, an unknown value of a
*closed* one sends the row to quarantine. So do an instant before 1970 or more than
`imports.horizon_days` (365) after the import, a NUL byte in a value, and a CSV record with too
many or too few fields or a value not valid in the file's encoding (UTF-8 unless `--encoding`
names another).

Identity: later rows with the same key replace a row of a *replaced* table; rows whose key is
already stored are merged as duplicates in an *append-only* table. Importing the same rows twice
changes nothing. A row of another table that names no `source` (and no `--source` is given)
takes its ticket's: the source of the same import's tickets with that `ticket_id` when that is
unambiguous, else the one stored ticket with it; a row whose ticket cannot be found, or is
ambiguous across sources, is quarantined with that reason.
"""


def data_model() -> str:
    """``docs/data-model.md``: every table and column, from the schema."""
    out = [_DATA_MODEL_INTRO]
    for table in TABLES.values():
        mode = "replaced by later rows" if table.replace else "append-only"
        out.append(f"\n## {table.name}\n\n{table.doc} Key: ({', '.join(table.key)}); {mode}.\n")
        out.append("| column | type | required | values | notes |")
        out.append("|---|---|---|---|---|")
        for col in table.columns:
            values = ", ".join(f"`{v}`" for v in col.values)
            if col.values:
                values += (
                    " (unknown → `other`, kept in `raw_" + col.name + "`)" if col.other else ""
                )
            notes = col.doc + (f"; default `{col.default}`" if col.default else "")
            if table.derived_key == col.name:
                notes += "; derived from (ticket_id, at, kind, actor_id, value) when empty"
            req = "yes" if col.required else ""
            out.append(f"| {col.name} | {col.type} | {req} | {values} | {notes} |")
    out.append(
        "\n## Bookkeeping tables\n\n"
        "- `quarantine`: rows an import could not take — import_id, table_name, file, row "
        "(1-based data record), column, reason, record (the raw row as JSON).\n"
        "- `import_runs`: one row per import begun, committed before its data — import_id, "
        "started_at, files, error. One without an `imports` row did not finish (it failed, "
        "with the error, or was killed) and kept none of its rows: `supportops status` names "
        "it.\n"
        "- `imports`: one row per import that finished, written in the import's transaction — "
        "import_id, at, files, rows_read, imported, updated, duplicates, quarantined.\n"
    )
    return "\n".join(out)


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    """(path, command) for every command below ``group`` (Typer's own click types)."""
    found: list[tuple[str, Any]] = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        path = f"{prefix} {name}"
        found.append((path, cmd))
        if hasattr(cmd, "commands"):
            found += _commands(cmd, path)
    return found


def _param_row(param: Any) -> str:
    names = (
        ", ".join(f"`{o}`" for o in param.opts)
        if param.param_type_name == "option"
        else (f"`{(param.name or '').upper()}`" + ("…" if param.nargs == -1 else ""))
    )
    empty = param.required or param.default is None or param.default is False
    default = "" if empty else f"`{param.default}`"
    help_text = (getattr(param, "help", None) or "").replace("|", "\\|")
    return f"| {names} | {help_text}{' (required)' if param.required else ''} | {default} |"


_CLI_INTRO = """Every command writes its rows with `--format` (`-f`): `table` for a person, `json`,
`csv` or `parquet` for a program, and `--output FILE` (`-o`; `--out` is read as `--output`). A
table prints numbers as the pages do — durations `3h 9m`, rates `88.1%`, counts `1,234`, money
`$12.40`, a change of a rate `+3.0 pts` — and times in the workspace's `report_timezone`, named
under the table; it shows the columns that fit the terminal and says which were left out and how
to get them. JSON, CSV and Parquet keep the raw numbers (seconds, shares) and UTC instants; lists
(tags) are `a;b` in CSV and arrays in JSON and Parquet. An error is one line saying what is wrong
and what to do; a mistyped metric id, dimension, filter key or column names the closest valid
one, and a filter that matches no ticket says so (exit status 0).
"""


def cli_reference() -> str:
    """``docs/cli.md``: every command with its help, from the Typer app."""
    from supportops.cli import app

    root = typer.main.get_command(app)
    out = [
        "# CLI reference\n",
        "Generated from the commands by `python -m supportops.reference`; do not edit.\n",
        _CLI_INTRO,
    ]
    for path, cmd in _commands(root, "supportops"):
        out.append(f"## `{path}`\n\n{(cmd.help or '').strip()}\n")
        rows = [_param_row(p) for p in cmd.params if p.name != "help"]
        if rows:
            out += ["| argument or option | help | default |", "|---|---|---|", *rows, ""]
    return "\n".join(out)


GENERATED = {"docs/data-model.md": data_model, "docs/cli.md": cli_reference}


def write_references(root: Path) -> list[Path]:
    """Write every generated reference under ``root``; returns the files written."""
    written = []
    for rel, make in GENERATED.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for file in write_references(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()):
        print(f"wrote {file}")
