"""Fixtures of the SQL tests: a small real lakehouse (20 simulated meters, 4 days around the spring
DST change, faults on, run through the medallion steps), the Trino-protocol endpoint serving it on a
free port, and connections through the official `trino` client."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sql_kit import delta_frame  # noqa: F401

from lakehouse.settings import Settings, get_settings

START = date(2026, 3, 27)
DAYS = [START + timedelta(days=k) for k in range(4)]  # Sun 29 March has 23 hours
PASSWORDS = {"analyst": "analyst-test-pw", "engineer": "engineer-test-pw"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def sql_lakehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """LAKEHOUSE_HOME with bronze/silver/gold of 20 meters x 4 days (built once per session)."""
    from lakehouse.pipeline import medallion_gold, medallion_ingest
    from lakehouse.sources.landing import LandingStore
    from lakehouse.sources.simulator import SimulatorConfig, simulate

    home = tmp_path_factory.mktemp("sql-lakehouse")
    patch = pytest.MonkeyPatch()
    patch.setenv("LAKEHOUSE_HOME", str(home))
    for name in ("LAKEHOUSE_ROOT", "LANDING_ROOT"):
        patch.delenv(name, raising=False)
    patch.setenv("SAIL_PORT", str(_free_port()))
    for user, password in PASSWORDS.items():
        patch.setenv(f"SQL_PASSWORD_{user.upper()}", password)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        simulate(LandingStore(settings=settings), SimulatorConfig(meters=20, faults=True), START, len(DAYS))
        affected: set[str] = set()
        for day in DAYS:
            affected |= set(medallion_ingest.ingest_day(day)["affected_dates"] or [day.isoformat()])
        medallion_gold.gold_all(sorted(affected))
        yield settings
    finally:
        patch.undo()
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def marts_url(sql_lakehouse: Settings, warehouse_url: str) -> Iterator[str]:
    """A database of its own on the test PostgreSQL with gold published and `dbt build` run on it."""
    import psycopg

    from lakehouse.warehouse import dbt_project, publish

    name = f"sql_tests_{os.getpid()}"
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    url = warehouse_url.rsplit("/", 1)[0] + f"/{name}"
    publish.publish_gold(DAYS, url=url, settings=sql_lakehouse)
    dbt_project.build_all(url=url, settings=sql_lakehouse)
    yield url


@pytest.fixture(scope="session")
def endpoint(sql_lakehouse: Settings, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """`lakehouse sql serve` on a free port (uvicorn in a thread) over the session lakehouse.

    The warehouse catalog points at the marts database only when a test asked for `marts_url`.
    """
    import uvicorn

    from lakehouse.settings import load_settings
    from lakehouse.sql.engine import Engine
    from lakehouse.sql.server import create_app

    url = request.getfixturevalue("marts_url") if os.environ.get("SQL_TESTS_NO_MARTS") != "1" else None
    settings = load_settings(lakehouse_home=sql_lakehouse.home, warehouse_url=url)
    engine = Engine(settings, warehouse=url is not None, warehouse_url=url)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the SQL endpoint did not start")
        time.sleep(0.05)
    yield {"port": port, "settings": settings, "engine": engine, "warehouse_url": url}
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def connect(endpoint: dict[str, Any]) -> Callable[..., Any]:
    """connect(user="analyst", password=None) -> a trino.dbapi connection to the endpoint."""
    import trino

    def _connect(user: str = "analyst", password: str | None = None, **options: Any) -> Any:
        return trino.dbapi.connect(
            host="127.0.0.1",
            port=endpoint["port"],
            user=user,
            http_scheme="http",
            auth=trino.auth.BasicAuthentication(user, password or PASSWORDS[user]),
            allow_insecure_auth=True,
            **options,
        )

    return _connect
