"""Helpers of the warehouse tests (a module of its own: `conftest` is not importable by name)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

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


@contextlib.contextmanager
def platform_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of a private embedded PostgreSQL started by `lakehouse up postgres` (so with the warehouse
    roles applied and their passwords generated, as on the platform); stopped and removed at the end.

    As root the server runs as the account `lakehouse`, which cannot enter pytest's 0700 basetemp: then
    the home is a fresh folder under the system temp dir (as tests/conftest.py does).
    """
    from lakehouse import runtime
    from lakehouse.settings import load_settings

    if os.geteuid() == 0:
        home = Path(tempfile.mkdtemp(prefix="lakehouse-pytest-dbt-role-"))
    else:
        home = tmp_path_factory.mktemp("dbt-role")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(
        lakehouse_home=home, postgres_port=port, warehouse_url=None, warehouse_dbt_password=None
    )
    try:
        runtime.up(["postgres"], settings=settings)
        yield settings
    finally:
        runtime.down(settings=settings)
        if os.geteuid() == 0:
            shutil.rmtree(home, ignore_errors=True)
