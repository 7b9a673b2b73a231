"""The session fixture other areas use for PostgreSQL: WAREHOUSE_URL, or the embedded server."""

from __future__ import annotations

import psycopg


def test_warehouse_url_fixture_serves_the_warehouse_database(warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url, connect_timeout=10) as conn:
        assert conn.execute("SELECT current_database(), 1").fetchone() == ("warehouse", 1)
