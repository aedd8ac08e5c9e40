"""The test PostgreSQL server: its URL (``SUPPORTOPS_TEST_PG_URL``, set by ``make test``) and
throwaway schemas on it. Without the URL a test skips locally and fails in CI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

__all__ = ["PG_ENV", "pg_schema", "pg_url"]

PG_ENV = "SUPPORTOPS_TEST_PG_URL"


def pg_url() -> str:
    """The server's URL; skip (fail in CI) when there is none."""
    url = os.environ.get(PG_ENV)
    if not url:
        reason = f"{PG_ENV} is not set: start PostgreSQL with `scripts/postgres.sh` (make test)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@contextmanager
def pg_schema() -> Iterator[str]:
    """A store URL on a fresh schema of the test server, dropped afterwards."""
    import psycopg

    base = pg_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f"DROP SCHEMA {schema} CASCADE")
