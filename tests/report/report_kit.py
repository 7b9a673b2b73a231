"""Helpers of the report tests (a module of its own: `conftest` is not importable by name).

`build_week()` makes real marts for the report: 10 simulated meters (2 per region, faults on) over
the eight local days REPORT_DAY-7 .. REPORT_DAY plus PARTIAL_DAY, landed in the real formats and run
through the pipeline's own steps: bronze and silver, quality gates of REPORT_DAY (silver readings,
gold), gold, a day-ahead forecast of REPORT_DAY (the project's previous-day baseline, scored by
the pipeline's scoring step), meter anomalies, publish to PostgreSQL and the dbt marts. PARTIAL_DAY
lands without MISSING_REGION's meter exports, so its report must carry the "data incomplete" banner.
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
EMPTY_DAY = REPORT_DAY + timedelta(days=5)  # nothing landed at all
MISSING_REGION = "Gjilan"
METERS = 10
DAYS = [FIRST_DAY + timedelta(days=i) for i in range((PARTIAL_DAY - FIRST_DAY).days + 1)]


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def _forecast_report_day(settings: Settings) -> None:
    """gold.load_forecast of REPORT_DAY from the previous-day baseline, then the pipeline's scoring."""
    import pandas as pd

    from lakehouse.forecasting.inference import FORECAST_SCHEMA, FORECAST_TABLE, day_features
    from lakehouse.forecasting.io import write_days
    from lakehouse.forecasting.models import previous_day
    from lakehouse.pipeline.forecast_steps import score_forecasts

    features = day_features(REPORT_DAY, settings)
    rows = features[["region", "hour_utc", "date_local", "weather_source", "price_source"]].reset_index(
        drop=True
    )
    point = previous_day(features).reset_index(drop=True)
    rows["forecast_mwh"] = point
    rows["p10_mwh"] = point * 0.9
    rows["p90_mwh"] = point * 1.1
    rows["model_version"] = "baseline-previous-day"
    rows["created_at"] = pd.Timestamp(datetime.now(UTC))
    write_days(rows, FORECAST_TABLE, [REPORT_DAY], FORECAST_SCHEMA)
    score_forecasts(REPORT_DAY)


def build_week(settings: Settings, url: str) -> dict[str, Any]:
    """Land, refine and model DAYS into LAKEHOUSE_HOME and the database at `url` (see module doc)."""
    from lakehouse.pipeline import medallion_gold, medallion_ingest, quality_steps
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
    for day in DAYS:
        for feed in FEEDS:
            produce(feed, day, config, store)
        if day == PARTIAL_DAY:
            prefix = f"meters/readings/date={day.isoformat()}/headend-{MISSING_REGION.lower()}-"
            for relpath in store.list(prefix):
                _remove(store, relpath)
        medallion_ingest.bronze_all(day)
    # silver once over every pending bronze batch (what a catch-up run does; the benchmark's pattern)
    changed = set(medallion_ingest.silver_all(DAYS[-1])["affected_dates"])
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
    _forecast_report_day(settings)
    from lakehouse.anomalies.detect import detect_anomalies

    detect_anomalies(REPORT_DAY, settings=settings)
    timings["forecast_anomalies"] = time.monotonic() - mark

    mark = time.monotonic()
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
