"""Gold meter day: every meter's energy and cost per local day, and how complete its readings are.

Input: silver.meter_readings and silver.day_ahead_prices_hourly (the configured bidding zone).
Cost is priced per hour: each reading's kWh times the price of the UTC hour it starts in, / 1000
(EUR/MWh -> EUR/kWh), which equals summing the hour's kWh x price over the day's hours.
Output: gold.meter_daily, partitioned by date_local, rebuilt per local day with replace_where.

Runnable with spark-submit or python: `spark_jobs/gold_meter_daily.py --date 2026-03-29`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

try:  # run as a module (package import) or as a script by spark-submit (folder on sys.path)
    from spark_jobs import gold_common as common
except ModuleNotFoundError:  # pragma: no cover - spark-submit of the file itself
    import gold_common as common  # type: ignore[no-redef]

TABLE = "gold.meter_daily"
PARTITION_BY = ["date_local"]


def meter_daily(readings: DataFrame, prices_hourly: DataFrame, *, tz: str, bidding_zone: str) -> DataFrame:
    """Silver readings and hourly prices -> one row per (meter_id, date_local).

    intervals counts the day's readings (any status); expected_intervals is what a complete day
    holds for the meter's interval (92/96/100 quarter-hours or 23/24/25 hours on DST days).
    cost_eur covers the priced hours; energy in hours without a price is in unpriced_energy_kwh.
    """
    prices = prices_hourly.where(F.col("bidding_zone") == bidding_zone).select(
        "hour_utc", F.col("price_eur_mwh").cast("double")
    )
    priced = readings.withColumn("hour_utc", F.date_trunc("hour", "interval_start_utc")).join(
        F.broadcast(prices), "hour_utc", "left"
    )
    energy = F.col("energy_kwh")
    daily = priced.groupBy("meter_id", "date_local").agg(
        F.max("region").alias("region"),
        F.max("customer_type").alias("customer_type"),
        F.sum(energy).alias("energy_kwh"),
        F.sum(energy * F.col("price_eur_mwh") / 1000.0).alias("cost_eur"),
        F.sum(F.when(F.col("price_eur_mwh").isNull(), energy)).alias("unpriced_energy_kwh"),
        F.count(F.lit(1)).alias("intervals"),
        F.count(energy).alias("intervals_with_energy"),
        F.sum(F.when(F.col("status") == "EST", 1).otherwise(0)).alias("estimated_intervals"),
        F.max("interval_min").alias("interval_min"),
    )
    expected = (common.local_day_hours("date_local", tz) * 60 / F.col("interval_min")).cast("long")
    return daily.select(
        "meter_id",
        "region",
        "customer_type",
        "date_local",
        F.col("energy_kwh").cast("double"),
        F.col("cost_eur").cast("double"),
        F.col("intervals").cast("long"),
        expected.alias("expected_intervals"),
        F.col("interval_min").cast("int"),
        F.col("intervals_with_energy").cast("long"),
        F.col("estimated_intervals").cast("long"),
        F.coalesce(F.col("unpriced_energy_kwh"), F.lit(0.0)).cast("double").alias("unpriced_energy_kwh"),
    )


def run(spark: SparkSession, dates: Iterable[date], settings: Any = None) -> dict[str, Any]:
    """Rebuild the given local days of gold.meter_daily from silver (idempotent)."""
    from lakehouse.settings import get_settings
    from lakehouse.storage import tables

    settings = settings or get_settings()
    days = common.normalize_dates(dates)
    readings = common.read_silver(spark, "silver.meter_readings", days, settings=settings)
    prices = common.read_silver(
        spark,
        "silver.day_ahead_prices_hourly",
        days,
        empty_schema=common.PRICES_HOURLY_SCHEMA,
        settings=settings,
    )
    gold = meter_daily(readings, prices, tz=settings.local_timezone, bidding_zone=settings.bidding_zone)
    result = tables.replace_where(gold, TABLE, common.dates_predicate(days), partition_by=PARTITION_BY)
    stats = (
        tables.read(spark, TABLE)
        .where(F.col("date_local").isin(days))
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum("energy_kwh").alias("energy_kwh"),
            F.sum("cost_eur").alias("cost_eur"),
            F.sum((F.col("intervals") < F.col("expected_intervals")).cast("int")).alias("incomplete"),
            F.sum("unpriced_energy_kwh").alias("unpriced_energy_kwh"),
        )
        .first()
    )
    return {
        "table": TABLE,
        "dates": [d.isoformat() for d in days],
        "version": result.version,
        "rows": int(stats["rows"]),
        "energy_kwh": round(float(stats["energy_kwh"] or 0.0), 3),
        "cost_eur": round(float(stats["cost_eur"] or 0.0), 2),
        "incomplete_meter_days": int(stats["incomplete"] or 0),
        "unpriced_energy_kwh": round(float(stats["unpriced_energy_kwh"] or 0.0), 3),
    }


def main(argv: list[str] | None = None) -> None:
    common.main_for(run, TABLE, argv)


if __name__ == "__main__":
    main()
