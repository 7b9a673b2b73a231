"""Helpers of the report tests (a module of its own: `conftest` is not importable by name).

`build_week()` makes real marts for the report: 10 simulated meters (2 per region, faults on) over
the eight local days REPORT_DAY-7 .. REPORT_DAY plus PARTIAL_DAY, landed in the real formats and run
through the pipeline's own steps: bronze and silver, quality gates of REPORT_DAY (silver readings,
gold), gold, a day-ahead forecast of REPORT_DAY (the project's previous-day baseline, scored by
the pipeline's scoring step), meter anomalies, publish to PostgreSQL and the dbt marts. PARTIAL_DAY
lands without MISSING_REGION's meter exports, so its report must carry the "data incomplete" banner.
Day-ahead forecasts also exist for PARTIAL_DAY (a region without actuals) and BLOCKED_DAY (no actuals
at all; published by PARTIAL_DAY's publish, as the D+1 forecast of D's run). BLOCKED_DAY lands and
reaches silver, but the real silver gate blocks it (voltage beyond +-20 %): no gold, no publish, no
marts for it, and its quality results are not published (the report test publishes them).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from lakehouse.settings import Settings

# 2026-03-29 is the 23-hour day of the spring clock change; a week before it has 24 hours.
REPORT_DAY = date(2026, 3, 29)
FIRST_DAY = REPORT_DAY - timedelta(days=7)
PARTIAL_DAY = REPORT_DAY + timedelta(days=1)
BLOCKED_DAY = REPORT_DAY + timedelta(days=2)  # silver gate blocks it
EMPTY_DAY = REPORT_DAY + timedelta(days=5)  # nothing landed at all
BLOCKING_EXPECTATION = "voltage_within_20pct"
MISSING_REGION = "Gjilan"
METERS = 10
DAYS = [FIRST_DAY + timedelta(days=i) for i in range((PARTIAL_DAY - FIRST_DAY).days + 1)]


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def _forecast(day: date, settings: Settings) -> None:
    """gold.load_forecast of `day` from the previous-day baseline (same hour last week where
    yesterday has no load), as the pipeline's forecast step writes it."""
    import pandas as pd

    from lakehouse.forecasting.inference import FORECAST_SCHEMA, FORECAST_TABLE, day_features
    from lakehouse.forecasting.io import write_days
    from lakehouse.forecasting.models import previous_day, seasonal_naive

    features = day_features(day, settings).reset_index(drop=True)
    rows = features[["region", "hour_utc", "date_local", "weather_source", "price_source"]].copy()
    point = previous_day(features).fillna(seasonal_naive(features))
    rows["forecast_mwh"] = point
    rows["p10_mwh"] = point * 0.9
    rows["p90_mwh"] = point * 1.1
    rows["model_version"] = "baseline-previous-day"
    rows["created_at"] = pd.Timestamp(datetime.now(UTC))
    write_days(rows, FORECAST_TABLE, [day], FORECAST_SCHEMA)


def _block_silver(day: date) -> None:
    """Sag three readings of `day` below -20 % voltage in silver, then run the real silver gate."""
    from pyspark.sql import functions as F

    from lakehouse.pipeline import quality_steps
    from lakehouse.quality import QualityGateError
    from lakehouse.spark import session
    from lakehouse.storage import tables

    spark = session()
    readings = tables.read(spark, "silver.meter_readings").where(F.col("date_local") == F.lit(day))
    sagging = (
        readings.orderBy("meter_id", "interval_start_utc").limit(3).withColumn("voltage_v", F.lit(180.0))
    )
    tables.merge(
        sagging, "silver.meter_readings", keys=["meter_id", "interval_start_utc"], partition_by=["date_local"]
    )
    try:
        quality_steps.validate_tables(("silver.meter_readings",), day)
    except QualityGateError as error:
        assert error.expectations == [BLOCKING_EXPECTATION], error.expectations
    else:
        raise AssertionError(f"the silver gate did not block {day}")


def build_week(settings: Settings, url: str) -> dict[str, Any]:
    """Land, refine and model DAYS into LAKEHOUSE_HOME and the database at `url` (see module doc)."""
    from lakehouse.pipeline import medallion_gold, medallion_ingest, quality_steps
    from lakehouse.pipeline.forecast_steps import score_forecasts
    from lakehouse.sources.landing import LandingStore
    from lakehouse.sources.simulator import FEEDS, FaultRates, SimulatorConfig, produce
    from lakehouse.warehouse import dbt_project
    from lakehouse.warehouse.publish import publish_gold

    timings: dict[str, float] = {}
    start = time.monotonic()
    config = SimulatorConfig(
        meters=METERS,
        meters_per_file=2,
        first_day=FIRST_DAY,
        faults=True,
        rates=FaultRates(malformed=0.01, out_of_range=0.01, clock_skew=0.05, duplicates=0.02),
    )
    store = LandingStore(settings=settings)
    for day in [*DAYS, BLOCKED_DAY]:
        for feed in FEEDS:
            produce(feed, day, config, store)
        if day == PARTIAL_DAY:
            prefix = f"meters/readings/date={day.isoformat()}/headend-{MISSING_REGION.lower()}-"
            for relpath in store.list(prefix):
                _remove(store, relpath)
        medallion_ingest.bronze_all(day)
    # silver once over every pending bronze batch (what a catch-up run does; the benchmark's pattern)
    changed = set(medallion_ingest.silver_all(BLOCKED_DAY)["affected_dates"]) - {BLOCKED_DAY.isoformat()}
    timings["land_bronze_silver"] = time.monotonic() - start

    mark = time.monotonic()
    # the gates the DAG runs, on the report day (readings only in silver: the costly part is GE's set-up)
    quality_steps.validate_tables(("silver.meter_readings",), REPORT_DAY)
    timings["silver_gate"] = time.monotonic() - mark
    mark = time.monotonic()
    medallion_gold.gold_all(sorted(changed))
    timings["gold"] = time.monotonic() - mark
    mark = time.monotonic()
    quality_steps.validate_gold(REPORT_DAY)
    timings["gold_gate"] = time.monotonic() - mark
    mark = time.monotonic()
    _block_silver(BLOCKED_DAY)  # what the DAG's validate_silver does; gold, publish, marts never run
    timings["blocked_gate"] = time.monotonic() - mark

    mark = time.monotonic()
    for day in (REPORT_DAY, PARTIAL_DAY, BLOCKED_DAY):
        _forecast(day, settings)
    score_forecasts(REPORT_DAY)
    score_forecasts(PARTIAL_DAY)  # BLOCKED_DAY: blocked before the forecasting steps
    from lakehouse.anomalies.detect import detect_anomalies

    detect_anomalies(REPORT_DAY, settings=settings)
    timings["forecast_anomalies"] = time.monotonic() - mark

    mark = time.monotonic()
    # the days up to PARTIAL_DAY: the D+1 rule publishes BLOCKED_DAY's forecast with PARTIAL_DAY
    publish_gold(sorted(changed | {d.isoformat() for d in DAYS}), url=url, settings=settings)
    # the marts (seeds, snapshot, models); their tests run in tests/warehouse
    result = dbt_project.run_dbt(
        ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
        url=url,
        settings=settings,
    )
    counts: dict[str, int] = {}
    for item in result.result.results:
        key = f"{item.node.resource_type}:{item.status}"
        counts[key] = counts.get(key, 0) + 1
    timings["publish_dbt"] = time.monotonic() - mark
    timings["total"] = time.monotonic() - start
    return {"timings": timings, "dbt": counts, "changed": sorted(changed)}


def _remove(store: Any, relpath: str) -> None:
    """Delete one landed file (the test's way of making a head-end export go missing)."""
    from pathlib import Path

    Path(store.uri(relpath)).unlink()
