"""Exported cells are safe to open in a spreadsheet: formulas become text, numbers stay numbers."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pytest

from supportops.metrics.ticket_files import csv_bytes
from supportops.spreadsheet import safe_frame, safe_table

CELLS = {  # as given → as written (OWASP: a leading ' makes a formula inert)
    '=HYPERLINK("http://x.test","click")': '\'=HYPERLINK("http://x.test","click")',
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tx": "'\tx",
    "\rx": "'\rx",
    "plain subject": "plain subject",
    "a=b": "a=b",
}


def test_text_cells_that_start_a_formula_are_quoted() -> None:
    table = pa.table({"subject": list(CELLS), "delta": [-5.0] * len(CELLS)})
    safe = safe_table(table)
    assert safe.column("subject").to_pylist() == list(CELLS.values())
    assert safe.column("delta").to_pylist() == [-5.0] * len(CELLS)


def test_the_web_and_cli_csv_of_tickets_are_safe_and_keep_negative_numbers() -> None:
    table = pa.table(
        {"subject": ["=1+1", None], "tags": [["@x", "y"], []], "wait_s": [-30, 2]},
    )
    text = csv_bytes(table, header=True).decode()
    rows = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert rows["subject"].tolist() == ["'=1+1", ""]
    assert rows["tags"].tolist() == ["'@x;y", ""]
    assert rows["wait_s"].tolist() == [-30, 2]


@pytest.mark.parametrize(("given", "written"), CELLS.items())
def test_a_frame_cell(given: str, written: str) -> None:
    frame = pd.DataFrame({"name": [given, None], "count": [-1, 3], "mixed": [given, 7]})
    safe = safe_frame(frame)
    assert safe["name"].tolist()[0] == written and pd.isna(safe["name"].tolist()[1])
    assert safe["mixed"].tolist() == [written, 7]
    assert safe["count"].tolist() == [-1, 3]
    assert frame["name"].tolist()[0] == given  # the caller's frame is not changed


def test_the_formula_characters_are_those_the_expression_matches() -> None:
    """The store's CSV statement tests a cell's first character against FORMULA_CHARS; the
    Arrow path matches FORMULA_START: both quote the same cells."""
    import re

    from supportops.spreadsheet import FORMULA_CHARS, FORMULA_START

    for code in range(0x3000):
        char = chr(code)
        assert (char in FORMULA_CHARS) == bool(re.match(FORMULA_START, char + "x")), repr(char)
