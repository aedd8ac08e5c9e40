"""Turning raw rows into event-log rows, in SQL, with a reason for every row that cannot be taken.

:func:`checked_sql` writes one ``SELECT`` over a relation of raw input columns that returns every
stored column of the table, cleaned and typed, plus ``_row``, ``_seq`` (both passed through:
the record number in the file and the row's position in the relation, unique even when one record
yields several rows), ``_column`` and ``_reason`` (NULL for a good row). It runs on DuckDB,
where the batch is processed in bulk: no per-row Python.

A row of another table that names no ``source`` takes its ticket's (:class:`Options`
``owners``): the source of the import's tickets with that id when unambiguous, else the one
stored ticket's; a row whose ticket is missing or ambiguous is quarantined, naming which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supportops.model.schema import Column, Table

__all__ = [
    "AMBIGUOUS",
    "HORIZON_DAYS",
    "NO_TICKET",
    "ColumnInput",
    "Options",
    "checked_sql",
    "quote",
    "quote_literal",
]

# A time followed by an explicit offset or Z: such a timestamp is exact.
_OFFSET = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([zZ]|[+-]\d{2}(:?\d{2})?|UTC|GMT)$"
_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")
SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}


def quote(name: str) -> str:
    """An SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class ColumnInput:
    """Where a column's raw value comes from: an input column and its DuckDB type."""

    name: str
    type: str
    format: str | None = None


HORIZON_DAYS = 365  # an instant later than this after the import is implausible


@dataclass(frozen=True)
class Options:
    """How to read values: the zone of naive timestamps and the default ``source``.

    ``owners`` names a relation (``_o_ticket_id``, ``_o_source``, ``_o_ambiguous``) giving the
    source of each ticket id, for a row that names no source (see :data:`NO_TICKET`);
    ``fallback_source`` is the source of a row that names neither a source nor a ticket;
    an instant before 1970 or more than ``horizon_days`` after the import is quarantined."""

    timezone: str | None = None
    source: str | None = None
    known_tickets: str | None = None
    extras: tuple[str, ...] = field(default_factory=tuple)
    owners: str | None = None
    fallback_source: str | None = None
    horizon_days: int = HORIZON_DAYS


NO_TICKET = "no ticket with this ticket_id in the import or the store"
AMBIGUOUS = "ticket_id is ambiguous across sources (give a source column or --source)"


@dataclass
class _Built:
    expr: str
    checks: list[tuple[str, str]]
    raw: str | None = None


def _text(inp: ColumnInput) -> str:
    """The input as text; a text column was trimmed (empty → NULL) by :func:`_cleaned`."""
    ref = quote(inp.name)
    if inp.type.upper() == "VARCHAR":
        return ref
    return f"CAST({ref} AS VARCHAR)"


def _norm_name(col: Column) -> str:
    return quote("n:" + col.name)


def _cleaned(table: Table, source: str, inputs: dict[str, ColumnInput]) -> str:
    """The input with text trimmed (empty → NULL) and each enumeration normalised once:
    lower case, spaces and hyphens as ``_`` (skipped when the value is already canonical)."""
    replace = [
        f"NULLIF(TRIM({quote(i.name)}), '') AS {quote(i.name)}"
        for i in inputs.values()
        if i.type.upper() == "VARCHAR"
    ]
    norms = []
    for col in table.columns:
        inp = inputs.get(col.name)
        if col.type == "enum" and inp is not None:
            t = f"NULLIF(TRIM(CAST({quote(inp.name)} AS VARCHAR)), '')"
            allowed = ", ".join(map(quote_literal, col.values))
            canon = f"regexp_replace(lower({t}), '[ -]+', '_', 'g')"
            norms.append(
                f"CASE WHEN {t} IN ({allowed}) THEN {t} ELSE {canon} END AS {_norm_name(col)}"
            )
    star = f"* REPLACE ({', '.join(replace)})" if replace else "*"
    return f"(SELECT {', '.join([star, *norms])} FROM {source})"


def _timestamp(inp: ColumnInput, opts: Options) -> _Built:
    ref, kind = quote(inp.name), inp.type.upper()
    zone = opts.timezone
    local = (lambda e: f"timezone({quote_literal(zone)}, {e})") if zone else None
    if kind.startswith("TIMESTAMP WITH TIME ZONE") or kind == "TIMESTAMPTZ":
        return _Built(ref, [])
    naive_reason = "timestamp without offset and no --timezone given"
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        expr = local(f"CAST({ref} AS TIMESTAMP)") if local else "NULL::TIMESTAMPTZ"
        return _Built(expr, [] if local else [(f"{ref} IS NOT NULL", naive_reason)])
    s = _text(inp)
    if inp.format:
        parsed = f"try_strptime({s}, {quote_literal(inp.format)})"
        bad = (
            f"{s} IS NOT NULL AND {parsed} IS NULL",
            f"cannot parse timestamp with format {inp.format}",
        )
        if "%z" in inp.format or "%Z" in inp.format:
            return _Built(f"CAST({parsed} AS TIMESTAMPTZ)", [bad])
        expr = local(parsed) if local else "NULL::TIMESTAMPTZ"
        return _Built(expr, [bad] if local else [bad, (f"{s} IS NOT NULL", naive_reason)])
    exact = f"regexp_matches({s}, {quote_literal(_OFFSET)})"
    naive = f"TRY_CAST({s} AS TIMESTAMP)"
    otherwise = local(naive) if local else "NULL"
    expr = f"CASE WHEN {exact} THEN TRY_CAST({s} AS TIMESTAMPTZ) ELSE {otherwise} END"
    checks = [
        (
            f"{s} IS NOT NULL AND {exact} AND TRY_CAST({s} AS TIMESTAMPTZ) IS NULL",
            "cannot parse timestamp (expected ISO 8601)",
        ),
        (
            f"{s} IS NOT NULL AND NOT {exact} AND {naive} IS NULL",
            "cannot parse timestamp (expected ISO 8601)",
        ),
    ]
    if not local:
        checks.append((f"{s} IS NOT NULL AND NOT {exact}", naive_reason))
    return _Built(expr, checks)


def _plausible(expr: str, opts: Options) -> tuple[str, str]:
    """The check that an instant lies from 1970 to ``horizon_days`` after the import."""
    days = int(opts.horizon_days)
    return (
        f"({expr}) < TIMESTAMPTZ '1970-01-01 00:00:00+00' "
        f"OR ({expr}) > now() + INTERVAL ({days}) DAY",
        f"implausible instant (before 1970 or more than {days} days after the import)",
    )


def _number(inp: ColumnInput, col: Column) -> _Built:
    if inp.type.upper() != "VARCHAR":
        expr = f"CAST({quote(inp.name)} AS DOUBLE)"
        checks: list[tuple[str, str]] = []
    else:
        s = _text(inp)
        word = (
            f"CASE lower({s}) WHEN 'good' THEN 5 WHEN 'bad' THEN 1 END"
            if col.name == "score"
            else "NULL"
        )
        expr = f"COALESCE(TRY_CAST({s} AS DOUBLE), {word})"
        checks = [(f"{s} IS NOT NULL AND {expr} IS NULL", "not a number")]
    if col.type == "duration":
        checks.append((f"{expr} < 0", "negative duration"))
    return _Built(expr, checks)


def _bool(inp: ColumnInput) -> _Built:
    if inp.type.upper() == "BOOLEAN":
        return _Built(quote(inp.name), [])
    s = f"lower({_text(inp)})"
    true = ", ".join(map(quote_literal, _TRUE))
    false = ", ".join(map(quote_literal, _FALSE))
    expr = f"CASE WHEN {s} IN ({true}) THEN true WHEN {s} IN ({false}) THEN false END"
    return _Built(expr, [(f"{s} IS NOT NULL AND {expr} IS NULL", "not a boolean")])


def _enum(inp: ColumnInput, col: Column) -> _Built:
    s = _text(inp)
    e = _norm_name(col)
    allowed = ", ".join(map(quote_literal, col.values))
    default = quote_literal(col.default) if col.default else "NULL"
    if col.other:
        expr = (
            f"CASE WHEN {s} IS NULL THEN {default} WHEN {e} IN ({allowed}) THEN {e} "
            "ELSE 'other' END"
        )
        return _Built(expr, [], raw=f"CASE WHEN {e} NOT IN ({allowed}) THEN {s} END")
    expr = f"CASE WHEN {s} IS NULL THEN {default} WHEN {e} IN ({allowed}) THEN {e} END"
    reason = f"unknown value (expected one of {', '.join(col.values)})"
    return _Built(expr, [(f"{s} IS NOT NULL AND {expr} IS NULL", reason)])


def _list(inp: ColumnInput) -> _Built:
    if inp.type.upper().endswith("[]"):
        return _Built(f"CAST({quote(inp.name)} AS VARCHAR[])", [])
    s = _text(inp)
    parts = f"list_transform(string_split({s}, ';'), lambda x: trim(x))"
    return _Built(f"list_filter({parts}, lambda x: x <> '')", [])


def _json(inp: ColumnInput) -> _Built:
    if inp.type.upper() == "VARCHAR":
        s = _text(inp)
        return _Built(s, [(f"{s} IS NOT NULL AND NOT json_valid({s})", "not valid JSON")])
    return _Built(f"CAST(to_json({quote(inp.name)}) AS VARCHAR)", [])


def _owned_source(inp: ColumnInput | None, ticket: str, opts: Options) -> _Built:
    """A row's source: its own, else its ticket's (quarantined when not found or ambiguous)."""
    given = f"({_text(inp)})" if inp is not None else "CAST(NULL AS VARCHAR)"
    fallback = quote_literal(opts.fallback_source or "csv")
    expr = f"COALESCE({given}, o._o_source, CASE WHEN {ticket} IS NULL THEN {fallback} END)"
    orphan = f"{given} IS NULL AND {ticket} IS NOT NULL AND o._o_source IS NULL"
    return _Built(
        expr,
        [(f"{orphan} AND o._o_ambiguous", AMBIGUOUS), (orphan, NO_TICKET)],
    )


def _owns(table: Table, opts: Options) -> bool:
    """Whether rows of ``table`` without a source take their ticket's (see :class:`Options`)."""
    return (
        bool(opts.owners)
        and not opts.source
        and table.name != "tickets"
        and ("ticket_id" in table.names and "source" in table.names)
    )


def _build(col: Column, inp: ColumnInput | None, opts: Options) -> _Built:
    if inp is None:
        if col.name == "source":
            return _Built(quote_literal(opts.source or col.default or "csv"), [])
        raw = "CAST(NULL AS VARCHAR)" if col.other else None
        return _Built(quote_literal(col.default) if col.default else "NULL", [], raw=raw)
    if col.type == "timestamp":
        built = _timestamp(inp, opts)
        built.checks.append(_plausible(built.expr, opts))
    elif col.type in ("number", "duration"):
        built = _number(inp, col)
    elif col.type == "bool":
        built = _bool(inp)
    elif col.type == "enum":
        built = _enum(inp, col)
    elif col.type == "list":
        built = _list(inp)
    elif col.type == "json":
        built = _json(inp)
    else:
        s = _text(inp)
        built = _Built(s, [(f"contains({s}, chr(0))", "NUL byte in the value")])
    if col.name == "source" and opts.source:
        built.expr = f"COALESCE({built.expr}, {quote_literal(opts.source)})"
    elif col.name == "source":
        built.expr = f"COALESCE({built.expr}, 'csv')"
    return built


def _row_checks(table: Table, opts: Options) -> list[tuple[str, str, str]]:
    """Checks across columns of one row: (condition over cleaned columns, column, reason)."""
    if table.name == "tickets":
        return [('"solved_at" < "created_at"', "solved_at", "solved before creation")]
    if table.name == "surveys":
        ranges = " OR ".join(
            f'("survey" = \'{name}\' AND "score" NOT BETWEEN {lo} AND {hi})'
            for name, (lo, hi) in SCALES.items()
        )
        return [(ranges, "score", "score outside the survey's scale")]
    if table.name == "shifts":
        return [('"ends_at" <= "starts_at"', "ends_at", "shift ends before it starts")]
    if table.name == "contacts":
        return [('"answered_at" < "offered_at"', "answered_at", "answered before offered")]
    if table.name == "events" and opts.known_tickets:
        return [('"at" < _created_at', "at", "event before the ticket's creation")]
    return []


def checked_sql(table: Table, source: str, inputs: dict[str, ColumnInput], opts: Options) -> str:
    """SQL returning the cleaned columns of ``table`` from relation ``source`` with a reason."""
    built = {c.name: _build(c, inputs.get(c.name), opts) for c in table.columns}
    if _owns(table, opts):
        owned = _owned_source(inputs.get("source"), built["ticket_id"].expr, opts)
        built["ticket_id"].checks += owned.checks  # the ticket_id is what names no ticket
        built["source"] = _Built(owned.expr, [])
    if table.name == "tickets" and "custom" not in inputs and opts.extras:
        packed = ", ".join(f"{quote(x)} := {quote(x)}" for x in opts.extras)
        built["custom"] = _Built(f"CAST(to_json(struct_pack({packed})) AS VARCHAR)", [])
    if table.name == "events":
        kind = built["kind"].expr
        public = built["public"]
        public.expr = f"COALESCE({public.expr}, CASE WHEN {kind} = 'message' THEN true END)"
    cases: list[str] = []
    for col in table.columns:
        for cond, reason in built[col.name].checks:
            cases.append(f"WHEN {cond} THEN {quote_literal(col.name + '|' + reason)}")
    for name in table.required:
        cases.append(
            f"WHEN ({built[name].expr}) IS NULL "
            f"THEN {quote_literal(name + '|missing required value')}"
        )
    for col in table.columns:
        given = inputs.get(col.raw_name)
        if col.other and given is not None:
            mine = built[col.name].raw or "NULL"
            built[col.name].raw = f"COALESCE({mine}, {_text(given)})"
    select = [f"({b.expr}) AS {quote(name)}" for name, b in built.items()]
    select += [
        f"({b.raw}) AS {quote('raw_' + name)}" for name, b in built.items() if b.raw is not None
    ]
    select += [
        f"CASE {' '.join(cases)} END AS _first" if cases else "NULL AS _first",
        "_row",
        "_seq",
    ]
    join = ""
    if _owns(table, opts):
        join += f" LEFT JOIN {opts.owners} o ON o._o_ticket_id = ({built['ticket_id'].expr})"
    if table.name == "events" and opts.known_tickets:
        select.append("k._created_at AS _created_at")
        join += (
            f" LEFT JOIN {opts.known_tickets} k ON k._k_source = ({built['source'].expr}) "
            f"AND k._k_ticket_id = ({built['ticket_id'].expr})"
        )
    inner = f"SELECT {', '.join(select)} FROM {_cleaned(table, source, inputs)} s{join}"
    if table.derived_key:
        key = quote(table.derived_key)
        parts = ["ticket_id", "at", "kind", "actor_id", "value"]
        text = ", ".join(f"COALESCE(CAST({quote(p)} AS VARCHAR), '')" for p in parts)
        derived = f"COALESCE({key}, 'h:' || md5(concat_ws('|', {text})))"
    row_cases = " ".join(
        f"WHEN {cond} THEN {quote_literal(col + '|' + reason)}"
        for cond, col, reason in _row_checks(table, opts)
    )
    reason = f"COALESCE(_first, CASE {row_cases} END)" if row_cases else "_first"
    cols = [
        f"{derived} AS {key}" if table.derived_key and name == table.derived_key else quote(name)
        for name in table.stored
    ]
    why = f"SELECT {', '.join(cols)}, _row, _seq, {reason} AS _why FROM ({inner})"
    return (
        f"SELECT * EXCLUDE (_why), split_part(_why, '|', 1) AS _column, "
        f"split_part(_why, '|', 2) AS _reason, _why IS NULL AS _ok FROM ({why})"
    )
