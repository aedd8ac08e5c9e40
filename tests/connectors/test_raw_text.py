"""A raw record's kept text (``sync_log.canonical``): the JSON with sorted keys, written by
orjson, and the very text ``json.dumps`` wrote before, so the digests of records stored by an
earlier version stay the same and a sync after an upgrade writes nothing new."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from supportops.store.sync_log import canonical


def _before(record: Any) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)


def _recorded(api: Path) -> list[Any]:
    found: list[Any] = []
    for path in sorted(api.rglob("*")):
        if path.suffix == ".jsonl":
            found += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        elif path.suffix == ".json":
            found.append(json.loads(path.read_text("utf-8")))
    return found


def test_every_recorded_vendor_record_keeps_the_text_json_wrote(shared_data: Path) -> None:
    records = _recorded(shared_data / "api")
    assert len(records) > 100
    assert any(not json.dumps(r, ensure_ascii=False).isascii() for r in records)  # accents
    assert [canonical(r) for r in records] == [_before(r) for r in records]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]))  # any character
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_any_record_of_text_numbers_and_nesting_keeps_the_text_json_wrote(record: Any) -> None:
    assert canonical(record) == _before(record)


def test_small_and_large_floats_keep_the_text_json_wrote() -> None:
    numbers = [1e-7, 1.5e-5, 1e-5, -3e-5, 9.9e-5, 1e-4, 0.1, 1e15, 1e16, 1.5e300, 5e-324]
    for number in numbers:
        record = {"score": number, "parts": [number, {"n": number}]}
        assert canonical(record) == _before(record), number


def test_astral_characters_and_delete_are_escaped_as_json_escaped_them() -> None:
    record = {"b": "\U0001f600 \x7f é \u2028", "a": [1.5, None, True]}
    assert (
        canonical(record)
        == _before(record)
        == ('{"a":[1.5,null,true],"b":"\\ud83d\\ude00 \\u007f \\u00e9 \\u2028"}')
    )


def test_a_pages_raw_records_merge_reads_only_the_stored_rows_near_their_ids() -> None:
    import pyarrow as pa

    from supportops.store.duckdb_store import _near
    from supportops.store.sync_log import RAW_RECORDS

    page = pa.table(
        {
            "source": ["z", "z"],
            "stream": ["ticket_events", "ticket_events"],
            "part": ["ticket_events", "ticket_events"],
            "vendor_id": ["101", "102"],
            "digest": ["a", "b"],
        }
    )
    assert _near(RAW_RECORDS, page) == '"vendor_id" IN (SELECT "vendor_id" FROM _incoming)'
