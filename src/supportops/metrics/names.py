"""Names instead of ids: what a page, a list or the report shows for an agent, a group or an
organization, wherever the log knows it.

- agents: ``agents.name`` by ``agent_id`` (a ticket's ``assignee_id``, an event's ``actor_id``);
- organizations: ``accounts.name`` by ``organization_id`` — nothing while the store holds no
  ``accounts`` table;
- groups: the ``name`` of the group in ``supportops.yaml``'s ``groups:`` (a log whose groups
  are ids, such as a help desk's numeric group ids, names them there).

Each named column is declared once (:data:`NAMED`). A table of tickets gains a name column beside
each id column (:meth:`Names.attach`, vectorised; empty where the name is unknown, the id kept);
a page shows :meth:`Names.label` — the name, or the id where there is none. Names are read for
the ids asked only, a thousand at a time, and remembered by the :class:`Names` that read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from supportops.lazy import lazy_module
from supportops.numbers import missing

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from supportops.store.base import Store
    from supportops.workspace import Workspace
else:  # loaded on first use (a command reading a few rows needs neither Arrow nor numpy)
    pa = lazy_module("pyarrow")
    pc = lazy_module("pyarrow.compute")

__all__ = ["NAMED", "Named", "Names", "names"]

_BATCH = 1000


@dataclass(frozen=True)
class Named:
    """A ticket column holding an id the log can name: the column written beside it, and the
    table (``key`` → ``name``) that names it, or None when the names come from the config."""

    column: str
    name_column: str
    table: str | None = None
    key: str = ""


NAMED = (
    Named("assignee_id", "assignee_name", "agents", "agent_id"),
    Named("group", "group_name"),
    Named("organization_id", "organization_name", "accounts", "organization_id"),
)
_BY_COLUMN = {n.column: n for n in NAMED}


class Names:
    """The names of one store (and the config's groups), read as they are asked for."""

    def __init__(self, store: Store, groups: Mapping[str, str] | None = None) -> None:
        self.store = store
        self._known: dict[str, dict[str, str]] = {n.column: {} for n in NAMED}
        self._asked: dict[str, set[str]] = {n.column: set() for n in NAMED}
        self._known["group"].update(groups or {})

    def of(self, column: str, ids: Iterable[Any]) -> dict[str, str]:
        """The known names of ``ids`` in ``column`` (one of :data:`NAMED`), by id."""
        named = _BY_COLUMN[column]
        wanted = {str(i) for i in ids if not missing(i)} - {""}
        fresh = sorted(wanted - self._asked[column])
        if fresh and named.table is not None and self.store.has_table(named.table):
            for first in range(0, len(fresh), _BATCH):
                self._known[column].update(self._read(named, fresh[first : first + _BATCH]))
        self._asked[column].update(fresh)
        known = self._known[column]
        return {i: known[i] for i in wanted if i in known}

    def _read(self, named: Named, ids: list[str]) -> dict[str, str]:
        marks = ", ".join("?" for _ in ids)
        rows = self.store.rows(
            f'SELECT CAST("{named.key}" AS VARCHAR) AS k, CAST(name AS VARCHAR) AS n '
            f'FROM "{named.table}" WHERE CAST("{named.key}" AS VARCHAR) IN ({marks}) '
            "AND name IS NOT NULL AND name <> ''",
            ids,
        )
        return {str(k): str(n) for k, n in rows.values}

    def label(self, column: str, value: Any) -> Any:
        """What a page shows for ``value`` of ``column``: its name, else the value itself."""
        if value is None or column not in _BY_COLUMN:
            return value
        return self.of(column, [value]).get(str(value), value)

    def labels(self, column: str, values: Iterable[Any]) -> dict[Any, Any]:
        """:meth:`label` of each value, by value (one read for them all)."""
        values = list(values)
        found = self.of(column, values) if column in _BY_COLUMN else {}
        return {v: found.get(str(v), v) for v in values}

    def attach(self, table: pa.Table) -> pa.Table:
        """``table`` with a name column right after each id column of :data:`NAMED` it holds
        (null where the log knows no name); a table that already holds them is kept."""
        for named in NAMED:
            if named.column not in table.column_names or named.name_column in table.column_names:
                continue
            ids = pc.cast(table[named.column], pa.string())
            found = self.of(named.column, pc.unique(ids).to_pylist())
            keys = pa.array(list(found), pa.string())
            names = pa.array(list(found.values()), pa.string())
            column = pc.take(names, pc.index_in(ids, value_set=keys))
            at = table.column_names.index(named.column) + 1
            table = table.add_column(at, named.name_column, column)
        return table

    def attach_sql(self, query: str, columns: Sequence[str]) -> tuple[str, list[str]]:
        """:meth:`attach` in SQL, for a store that writes the rows itself: ``query`` (its rows
        have ``columns``) with a name column right after each id column of :data:`NAMED` it
        holds, by left joins to the naming tables and to the config's names (SQL literals).
        Returns the SQL and its columns."""
        select: list[str] = []
        joins: list[str] = []
        out: list[str] = []
        for column in columns:
            select.append(f'q."{column}"')
            out.append(column)
            named = _BY_COLUMN.get(column)
            if named is None or named.name_column in columns:
                continue
            alias = f"so_name_{len(joins)}"
            if named.table is not None and self.store.has_table(named.table):
                found = (
                    f'SELECT CAST("{named.key}" AS VARCHAR) AS k, max(CAST(name AS VARCHAR)) AS n '
                    f"FROM \"{named.table}\" WHERE name IS NOT NULL AND name <> '' GROUP BY 1"
                )
            elif named.table is None and self._known[column]:
                known = self._known[column]
                pairs = ", ".join(f"({_text(k)}, {_text(n)})" for k, n in known.items())
                found = f"SELECT * FROM (VALUES {pairs}) v(k, n)"
            else:
                select.append(f'CAST(NULL AS VARCHAR) AS "{named.name_column}"')
                out.append(named.name_column)
                continue
            joins.append(
                f'LEFT JOIN ({found}) {alias} ON {alias}.k = CAST(q."{column}" AS VARCHAR)'
                f" AND {alias}.k <> ''"
            )
            select.append(f'{alias}.n AS "{named.name_column}"')
            out.append(named.name_column)
        sql = f"SELECT {', '.join(select)} FROM ({query}) q {' '.join(joins)}"
        return sql, out

    def attach_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """:meth:`attach` for a pandas frame (same columns, same order)."""
        out = frame.copy()
        for named in NAMED:
            if named.column not in out.columns or named.name_column in out.columns:
                continue
            found = self.of(named.column, out[named.column].dropna().unique())
            text = out[named.column].astype("string")
            column = text.map(found).astype(object).where(text.isin(list(found)), None)
            at = list(out.columns).index(named.column) + 1
            out.insert(at, named.name_column, column)
        return out


def _text(value: str) -> str:
    """``value`` as an SQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def names(ws: Workspace) -> Names:
    """The names of ``ws``: its store's agents and accounts, and its config's group names."""
    groups = {key: g.name for key, g in ws.config.groups.items() if g.name}
    return Names(ws.store, groups)
