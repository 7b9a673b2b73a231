"""Idempotency of bronze and silver: re-running days writes nothing; days run out of order give the
same tables as days run in order (apart from the columns that say when and in which run a row was
written)."""

from __future__ import annotations

from deltalake import DeltaTable

from lakehouse.pipeline import medallion_ingest
from lakehouse.storage import tables
from tests.medallion.conftest import FAULTY_DAYS, RUN_COLUMNS, land, rows, use_home

BRONZE = ("bronze.meter_registry", "bronze.meter_readings", "bronze.weather", "bronze.prices")
SILVER = (
    "silver.meters",
    "silver.meter_readings",
    "silver.weather_hourly",
    "silver.day_ahead_prices",
    "silver.day_ahead_prices_hourly",
    "silver.quarantine",
)
ALL = (*BRONZE, "bronze._ingested_files", *SILVER)


def _versions() -> dict[str, int]:
    return {name: DeltaTable(tables.table_uri(name)).version() for name in ALL}


def test_rerunning_days_writes_nothing(faulty_days, monkeypatch, spark) -> None:
    use_home(monkeypatch, faulty_days["home"])
    before = {name: rows(spark, name) for name in ALL}
    versions = _versions()
    for day in [*FAULTY_DAYS, *reversed(FAULTY_DAYS)]:
        result = medallion_ingest.ingest_day(day)
        assert result["bronze"]["files_ingested"] == 0, result["bronze"]
        assert result["affected_dates"] == []
    assert _versions() == versions, "a re-run committed to a table"
    for name in ALL:
        assert rows(spark, name) == before[name], name


def test_days_out_of_order_give_the_same_tables_as_in_order(
    faulty_days, medallion_env, monkeypatch, spark
) -> None:
    config = faulty_days["config"]
    for day in FAULTY_DAYS:  # everything has landed; the runs come late and out of order
        land(config, day)
    for day in (FAULTY_DAYS[2], FAULTY_DAYS[0], FAULTY_DAYS[1]):
        # no lookback: the run of the last day sees the corrections of the day before ahead of its originals
        medallion_ingest.ingest_day(day, lookback_days=0)
    out_of_order = {name: rows(spark, name, RUN_COLUMNS) for name in ALL}

    use_home(monkeypatch, faulty_days["home"])
    for name in ALL:
        in_order = rows(spark, name, RUN_COLUMNS)
        assert len(in_order) == len(out_of_order[name]), name
        assert in_order == out_of_order[name], name
