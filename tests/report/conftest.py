"""Fixtures of the report tests: a week of real marts (report_kit.build_week) in a private database.

`report_week`: LAKEHOUSE_HOME with bronze..gold for report_kit.DAYS and a new database on the
`warehouse_url` server holding lakehouse_gold and the dbt marts (dropped at the end); WAREHOUSE_URL
points at it, so `build_report` and `lakehouse report` read it as they would in production.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from report_kit import build_week

from lakehouse.settings import Settings, get_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def report_week(tmp_path_factory: pytest.TempPathFactory, warehouse_url: str) -> Iterator[Settings]:
    """Settings whose lakehouse and WAREHOUSE_URL hold the simulated week (built once, ~1-2 min)."""
    home = tmp_path_factory.mktemp("report-week")
    admin = urlunsplit(urlsplit(warehouse_url)._replace(path="/postgres"))
    name = f"report_test_{uuid.uuid4().hex[:12]}"
    url = urlunsplit(urlsplit(warehouse_url)._replace(path=f"/{name}"))
    patch = pytest.MonkeyPatch()
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'create database "{name}"')
    try:
        patch.setenv("LAKEHOUSE_HOME", str(home))
        for var in ("LAKEHOUSE_ROOT", "LANDING_ROOT", "REPORTS_ROOT", "WEBHOOK_URL"):
            patch.delenv(var, raising=False)
        patch.setenv("SAIL_PORT", str(_free_port()))  # never someone else's Sail server
        patch.setenv("WAREHOUSE_URL", url)
        get_settings.cache_clear()
        settings = get_settings()
        summary = build_week(settings, url)
        print("report week built:", {k: round(v, 1) for k, v in summary["timings"].items()}, summary["dbt"])
        # The environment is restored at once: a session-long WAREHOUSE_URL would leak into every
        # later test of the run (report_env sets it again for the tests that use the week).
        patch.undo()
        get_settings.cache_clear()
        yield settings
    finally:
        patch.undo()
        get_settings.cache_clear()
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def report_engine(report_week: Settings) -> Iterator[object]:
    """One analysts' SQL engine over the week for the tests that build several reports (the CLI
    test builds without it, as production does)."""
    from lakehouse.sql import Engine

    engine = Engine(report_week)
    yield engine
    engine.con.close()


@pytest.fixture
def report_env(report_week: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The week's settings with a fresh REPORTS_ROOT per test."""
    monkeypatch.setenv("LAKEHOUSE_HOME", str(report_week.lakehouse_home))
    for var in ("LAKEHOUSE_ROOT", "LANDING_ROOT", "WEBHOOK_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SAIL_PORT", str(report_week.sail_port))
    monkeypatch.setenv("WAREHOUSE_URL", str(report_week.warehouse_url))
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
