"""Fixtures of the warehouse tests: real gold from the real medallion chain, and private databases.

`gold_home`: ~20 simulated meters x 3 faulty days landed, refined to silver and gold by the pipeline
steps, in a session LAKEHOUSE_HOME (built once, ~25 s). `fresh_database()`: a new database on the
`warehouse_url` server (the embedded PostgreSQL, or WAREHOUSE_URL's server), dropped at the end, so
these tests never collide with anyone else's schemas.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from warehouse_kit import GOLD_DAYS, delta_rows, query  # noqa: F401

from lakehouse.settings import Settings, get_settings

METERS = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def gold_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of a LAKEHOUSE_HOME holding silver and gold for GOLD_DAYS (faults on: quarantine rows too)."""
    from lakehouse.pipeline import medallion_gold, medallion_ingest
    from lakehouse.sources.landing import LandingStore
    from lakehouse.sources.simulator import FEEDS, FaultRates, SimulatorConfig, produce

    home = tmp_path_factory.mktemp("warehouse-gold")
    patch = pytest.MonkeyPatch()
    try:
        patch.setenv("LAKEHOUSE_HOME", str(home))
        for name in ("LAKEHOUSE_ROOT", "LANDING_ROOT"):
            patch.delenv(name, raising=False)
        patch.setenv("SAIL_PORT", str(_free_port()))  # never someone else's Sail server
        get_settings.cache_clear()
        config = SimulatorConfig(
            meters=METERS,
            meters_per_file=5,
            first_day=GOLD_DAYS[0],
            faults=True,
            rates=FaultRates(malformed=0.01, out_of_range=0.01, clock_skew=0.05, duplicates=0.02),
        )
        store = LandingStore()
        changed: set[str] = set()
        for day in GOLD_DAYS:
            for feed in FEEDS:
                produce(feed, day, config, store)
            changed |= set(medallion_ingest.ingest_day(day)["affected_dates"])
        medallion_gold.gold_all(sorted(changed))
        yield get_settings()
    finally:
        patch.undo()
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def fresh_database(warehouse_url: str) -> Iterator[Callable[[], str]]:
    """A factory of new, empty databases on the warehouse server (all dropped at session end)."""
    created: list[str] = []
    admin = urlunsplit(urlsplit(warehouse_url)._replace(path="/postgres"))

    def make() -> str:
        name = f"wh_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'create database "{name}"')
        created.append(name)
        return urlunsplit(urlsplit(warehouse_url)._replace(path=f"/{name}"))

    yield make
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        for name in created:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def sql() -> Callable[..., list[tuple]]:
    return query


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]
