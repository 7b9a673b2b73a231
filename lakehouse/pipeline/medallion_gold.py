"""Gold steps of the pipeline: rebuild every local day that changed, for each gold table.

The DAG (and `lakehouse run`, tests, the benchmark) call these with the local days whose silver rows
changed: day D itself, plus any earlier day a late file or correction touched. Each step returns a
small summary dict (rows, versions, missing inputs) for the task log and the Asset event.

    silver.meter_readings + weather_hourly + day_ahead_prices_hourly
        -> gold.region_load_hourly -> gold.load_features (D .. D+8: lags look back 8 days)
        -> gold.meter_daily
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Local days to rebuild: one day, or several; date objects or ISO strings ("2026-03-29").
Days = Iterable[date | str] | date | str

GOLD_TABLES: tuple[str, ...] = ("gold.region_load_hourly", "gold.meter_daily", "gold.load_features")
# step name -> tables it writes (the DAG declares them as outlets / Assets)
ASSETS: dict[str, tuple[str, ...]] = {
    "gold_region_load_hourly": ("gold.region_load_hourly",),
    "gold_meter_daily": ("gold.meter_daily",),
    "gold_load_features": ("gold.load_features",),
}


def _days(dates: Days) -> list[date]:
    """Distinct sorted days; ISO strings accepted (silver summaries list `affected_dates` as ISO)."""
    items = [dates] if isinstance(dates, date | str) else list(dates)
    return sorted({d if isinstance(d, date) else date.fromisoformat(d) for d in items})


def _spark(spark: SparkSession | None) -> SparkSession:
    if spark is not None:
        return spark
    from lakehouse.spark import session

    return session()


def _timed(step: str, call: Any) -> dict[str, Any]:
    started = time.perf_counter()
    result = call()
    return {"step": step, **result, "seconds": round(time.perf_counter() - started, 3)}


def _job(name: str) -> Any:
    from lakehouse.pipeline.daily import spark_job

    return spark_job(name)


def gold_region_load_hourly(dates: Days, spark: SparkSession | None = None) -> dict[str, Any]:
    """Rebuild gold.region_load_hourly for the given local days."""
    job = _job("gold_region_load_hourly")
    return _timed("gold_region_load_hourly", lambda: job.run(_spark(spark), _days(dates)))


def gold_meter_daily(dates: Days, spark: SparkSession | None = None) -> dict[str, Any]:
    """Rebuild gold.meter_daily for the given local days."""
    job = _job("gold_meter_daily")
    return _timed("gold_meter_daily", lambda: job.run(_spark(spark), _days(dates)))


def gold_load_features(dates: Days, spark: SparkSession | None = None) -> dict[str, Any]:
    """Rebuild gold.load_features for the given days and every later existing day their lags reach."""
    spark = _spark(spark)
    job = _job("gold_load_features")

    def run() -> dict[str, Any]:
        days = job.affected_dates(spark, _days(dates))
        if not days:
            return {"table": job.TABLE, "dates": [], "rows": 0, "skipped": "no region_load_hourly rows yet"}
        return job.run(spark, days)

    return _timed("gold_load_features", run)


def gold_all(dates: Days, spark: SparkSession | None = None) -> dict[str, dict[str, Any]]:
    """Every gold table for the given local days, in dependency order; summaries by table name.

    `spark` defaults to lakehouse.spark.session() (tests and the benchmark pass their own).
    """
    days = _days(dates)
    if not days:
        return {}
    spark = _spark(spark)
    return {
        "gold.region_load_hourly": gold_region_load_hourly(days, spark),
        "gold.meter_daily": gold_meter_daily(days, spark),
        "gold.load_features": gold_load_features(days, spark),
    }
