"""Helpers of the warehouse tests (a module of its own: `conftest` is not importable by name)."""

from __future__ import annotations

from datetime import date

import psycopg

from lakehouse.settings import Settings

GOLD_DAYS = [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)]


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def delta_rows(settings: Settings, name: str) -> object:
    """A Delta table as a pyarrow Table, through delta-rs (independent of the publish code)."""
    from deltalake import DeltaTable

    from lakehouse.storage.tables import table_uri

    return DeltaTable(table_uri(name, settings)).to_pyarrow_table()
