"""Fixtures shared by the medallion tests: an isolated lakehouse, the simulator, table readers.

`medallion_env` is `lakehouse_env` (fresh LAKEHOUSE_HOME) with SAIL_PORT pointed at a free port, so
that `lakehouse.spark.session()` (what the pipeline steps use) never connects to a Sail server that
someone else started on this machine. Data comes from the real simulator (`land`), with faults at
rates high enough that every fault class shows up in a few days of 20 meters.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from lakehouse.settings import Settings, get_settings
from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator import FEEDS, FaultRates, SimulatorConfig, produce
from lakehouse.sources.simulator.manifest import day_manifest_path

# Fault rates far above the defaults so that 20 meters x 3 days hit every class (seeded, deterministic).
TEST_RATES = FaultRates(
    duplicates=0.02,
    gaps=0.01,
    malformed=0.01,
    out_of_range=0.01,
    clock_skew=0.05,
    corrections=0.2,
    late_files=0.3,
    extra_column=0.3,
    max_late_days=2,
)


@pytest.fixture
def medallion_env(
    lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch, free_port, spark: Any
) -> Settings:
    monkeypatch.setenv("SAIL_PORT", str(free_port()))
    get_settings.cache_clear()
    utc_session(spark)
    return get_settings()


def utc_session(spark: Any) -> None:
    """The session conf every job session gets (lakehouse.spark.SESSION_CONF): the root `spark` fixture
    does not set it, and with the machine's default zone name (e.g. Etc/UTC) Sail refuses to MERGE
    DataFrame timestamps into tables whose timestamps are tagged UTC."""
    from lakehouse.spark import SESSION_CONF

    for name, value in SESSION_CONF.items():
        spark.conf.set(name, value)


def sim_config(
    first_day: date, *, faults: bool = True, meters: int = 20, **overrides: Any
) -> SimulatorConfig:
    """20 meters in files of 4 (5+ files a day: late files and extra columns hit some, not all)."""
    options: dict[str, Any] = {
        "meters": meters,
        "meters_per_file": 4,
        "first_day": first_day,
        "faults": faults,
    }
    if faults:
        options["rates"] = TEST_RATES
    options.update(overrides)
    return SimulatorConfig(**options)


def land(config: SimulatorConfig, day: date, store: LandingStore | None = None) -> None:
    """What the extract tasks do for day D: every feed of D lands (late files of earlier days too)."""
    store = store or LandingStore()
    for feed in FEEDS:
        produce(feed, day, config, store)


def manifest_files(days: list[date], store: LandingStore | None = None) -> list[dict[str, Any]]:
    """Every file the simulator landed on these arrival days (from its day manifests)."""
    store = store or LandingStore()
    files: list[dict[str, Any]] = []
    for day in days:
        for feed in FEEDS:
            path = day_manifest_path(day, feed)
            if store.exists(path):
                files.extend(json.loads(store.read_bytes(path))["files"])
    return files


def rows(spark: Any, name: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    """A table's rows as sorted tuples, without the run-specific columns in `drop`."""
    from lakehouse.storage import tables

    df = tables.read(spark, name)
    columns = sorted(c for c in df.columns if c not in drop)
    return sorted((tuple(r) for r in df.select(*columns).collect()), key=repr)


@pytest.fixture
def table_rows(spark: Any) -> Callable[..., list[tuple]]:
    return lambda name, drop=(): rows(spark, name, drop)


FAULTY_DAYS = [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)]
# Columns that record when and in which run a row was written: they differ between runs by design.
RUN_COLUMNS = (
    "_ingested_at",
    "_batch_id",
    "_arrival",
    "_detected_at",
    "ingested_at",
    "batch_id",
    "silver_batch_id",
    "silver_at",
)


@pytest.fixture(scope="session")
def faulty_days(tmp_path_factory: pytest.TempPathFactory, spark: Any) -> Iterator[dict[str, Any]]:
    """Three faulty days landed and run one at a time, in order, as Airflow would (shared, read-mostly).

    Yields {"home", "config", "affected": {day: set of ISO dates}, "runs": {day: ingest_day summary}}.
    Tests that use it must call `use_home(monkeypatch, faulty_days["home"])` first.
    """
    from lakehouse.pipeline import medallion_ingest

    home = tmp_path_factory.mktemp("faulty-days")
    utc_session(spark)
    patch = pytest.MonkeyPatch()
    try:
        _point_at(patch, home)
        config = sim_config(FAULTY_DAYS[0])
        runs = {}
        for day in FAULTY_DAYS:
            land(config, day)
            runs[day] = medallion_ingest.ingest_day(day)
        yield {
            "home": home,
            "config": config,
            "runs": runs,
            "affected": {d: set(r["affected_dates"]) for d, r in runs.items()},
        }
    finally:
        patch.undo()
        get_settings.cache_clear()


def _point_at(patch: pytest.MonkeyPatch, home: Any) -> None:
    patch.setenv("LAKEHOUSE_HOME", str(home))
    for name in ("LAKEHOUSE_ROOT", "LANDING_ROOT"):
        patch.delenv(name, raising=False)
    with socket.socket() as sock:  # a free port: never a Sail server someone else started
        sock.bind(("127.0.0.1", 0))
        patch.setenv("SAIL_PORT", str(sock.getsockname()[1]))
    get_settings.cache_clear()


def use_home(monkeypatch: pytest.MonkeyPatch, home: Any) -> Settings:
    """Point this test's settings at an existing LAKEHOUSE_HOME (e.g. the faulty_days one)."""
    _point_at(monkeypatch, home)
    return get_settings()
