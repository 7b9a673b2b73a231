"""One day of smartgrid_daily through real Airflow (`airflow dags test`), against real PostgreSQL and Sail.

The metadata database is a fresh database on the `warehouse_url` fixture's server, dropped after.
Nothing listens on SAIL_PORT, so the task process starts its own Sail server, as on a fresh machine.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import pytest

from lakehouse.settings import Settings, get_settings

DAY = date(2026, 3, 29)  # the 23-hour day of spring 2026


@pytest.fixture
def airflow_db(warehouse_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    name = f"airflow_test_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(warehouse_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", url)
    yield url
    server = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _landed_records(settings: Settings) -> int:
    from lakehouse.sources.landing import LandingStore

    store = LandingStore(settings=settings)
    total = 0
    for relpath in store.list(f"meters/readings/date={DAY.isoformat()}/"):
        data = store.read_bytes(relpath)
        text = (gzip.decompress(data) if relpath.endswith(".gz") else data).decode()
        total += len(text.splitlines()) - 1  # minus the header
    return total


def _bronze_rows(settings: Settings) -> int:
    from deltalake import DeltaTable

    from lakehouse.storage.tables import table_uri

    dataset = DeltaTable(table_uri("bronze.meter_readings", settings)).to_pyarrow_dataset()
    days = dataset.to_table(columns=["_landing_date"]).column("_landing_date").to_pylist()
    return sum(1 for d in days if d == DAY)


def _gold_hours(settings: Settings) -> int:
    from deltalake import DeltaTable

    from lakehouse.storage.tables import table_uri

    table = DeltaTable(table_uri("gold.region_load_hourly", settings)).to_pyarrow_table()
    return sum(1 for d in table.column("date_local").to_pylist() if d == DAY)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_one_day_through_airflow_lands_every_line_in_bronze(
    lakehouse_env: Settings, airflow_db: str, monkeypatch: pytest.MonkeyPatch, free_port
) -> None:
    from lakehouse.orchestration.airflow import migrate_metadata_db
    from lakehouse.orchestration.runner import run_day

    monkeypatch.setenv("SAIL_PORT", str(free_port()))
    monkeypatch.setenv("WAREHOUSE_URL", airflow_db)  # publish_gold writes lakehouse_gold there
    monkeypatch.setenv("SIMULATOR_METERS", "12")
    # No champion model in a fresh registry: the forecast task skips, saying so.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{lakehouse_env.home}/mlflow.db")
    get_settings.cache_clear()
    settings = get_settings()

    assert migrate_metadata_db(settings) == "migrated"
    assert migrate_metadata_db(settings) == "up to date"

    lines: list[str] = []
    # The dbt marts are built and tested by tests/warehouse, the report (which reads the marts) by
    # tests/report, the whole DAG by tests/ui; here they are marked done, not run.
    after_marts = r"marts\..*|report|deliver|dbt_docs"
    result = run_day(DAY, settings, echo=lines.append, mark_success_pattern=after_marts)
    print("\n".join(lines))
    assert result.state == "success"
    states = {
        t.task: t.state
        for t in result.tasks
        if not t.task.startswith(("marts.", "report", "deliver", "dbt_docs"))
    }
    layers = {
        f"{layer}.{table}": "success"
        for layer, names in {
            "bronze": ("meter_registry", "meter_readings", "weather", "prices"),
            "silver": ("meters", "meter_readings", "weather", "prices"),
        }.items()
        for table in names
    }
    assert states == {
        "sources.extract[meters]": "success",
        "sources.extract[weather]": "success",
        "sources.extract[prices]": "success",
        **layers,
        "gold.build": "success",
        "forecasting.forecast_next_day": "skipped",
        "forecasting.score_forecasts": "success",
        "detect_anomalies": "success",
        "validate_bronze": "success",
        "validate_silver": "success",
        "validate_gold": "success",
        "publish_gold": "success",
    }
    assert any("bronze.meter_readings" in line and "success" in line for line in lines)

    landed = _landed_records(settings)
    assert landed > 0
    assert _bronze_rows(settings) == landed
    hourly = _gold_hours(settings)
    assert hourly == 23 * 5  # the 23-hour day, five regions

    # Re-running the day replaces its run and its rows: same count, no duplicates.
    # (the re-run checks the data path; gates, models and marts were exercised by the first run)
    data_path_only = after_marts + r"|validate_.*|forecasting\..*|detect_anomalies|publish_gold"
    run_day(DAY, settings, echo=lines.append, mark_success_pattern=data_path_only)
    assert _bronze_rows(settings) == landed
    assert _gold_hours(settings) == hourly
