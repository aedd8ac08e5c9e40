"""Exported text safe to open in a spreadsheet: no cell runs as a formula.

A CSV cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|...``): a ticket
subject is attacker-controlled. As OWASP recommends, such a cell of a *text* column is written
with a leading ``'``, which spreadsheets show as text. Numeric columns are not touched, so a
negative number stays a number. Vectorised: one column operation per text column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from supportops.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:  # only safe_frame needs it: the CSV export of Arrow tables loads no pandas
    pd = lazy_module("pandas")

__all__ = ["FORMULA_CHARS", "FORMULA_START", "safe_frame", "safe_table"]

FORMULA_CHARS = "=+-@\t\r"  # a text cell starting with one of these is quoted ...
FORMULA_START = r"^[=+\-@\t\r]"  # ... which is what this expression matches
TEXT_KINDS = ("string", "mixed", "mixed-integer")  # pandas' inferred kinds that hold text


def _safe_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    risky = pc.fill_null(pc.match_substring_regex(column, FORMULA_START), False)
    if not pc.any(risky).as_py():  # most columns: nothing to quote, no copy
        return column
    quoted = pc.binary_join_element_wise("'", column, "")
    result: pa.ChunkedArray = pc.if_else(risky, quoted, column)
    return result


def safe_table(table: pa.Table) -> pa.Table:
    """``table`` with every risky cell of its string columns prefixed with ``'``."""
    columns = [
        _safe_column(c) if pa.types.is_string(c.type) or pa.types.is_large_string(c.type) else c
        for c in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every risky cell of its text columns prefixed with ``'`` (cells that
    are not strings, in any column, are left as they are)."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.infer_dtype(column, skipna=True) not in TEXT_KINDS:
            continue
        risky = column.str.match(FORMULA_START).astype("boolean").fillna(False).astype(bool)
        if risky.any():
            out[name] = column.mask(risky, "'" + column[risky].astype(str))
    return out
