"""Gold region load per hour: energy of every region's meters per UTC hour, with weather and price.

Input: silver.meter_readings (15- and 60-minute meters alike: a reading belongs to the hour its
interval starts in, so four quarter-hours or one hourly reading make up a meter's hour),
silver.weather_hourly (the region's city: regions and weather cities share names) and
silver.day_ahead_prices_hourly (the configured bidding zone).
Output: gold.region_load_hourly, partitioned by date_local, rebuilt per local day with replace_where.

Runnable with spark-submit or python: `spark_jobs/gold_region_load_hourly.py --date 2026-03-29`.
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

TABLE = "gold.region_load_hourly"
PARTITION_BY = ["date_local"]


def region_load_hourly(
    readings: DataFrame,
    weather_hourly: DataFrame,
    prices_hourly: DataFrame,
    *,
    tz: str,
    bidding_zone: str,
) -> DataFrame:
    """Silver readings, weather and hourly prices -> one row per (region, hour_utc) with readings.

    energy_mwh sums the hour's readings (ERR readings carry no energy); meters_reporting counts the
    distinct meters with an energy value in the hour; temperature_c and price_eur_mwh are NULL when
    the hour's weather or price is missing (the quality gate and the job summary report them).
    """
    has_energy = F.col("energy_kwh").isNotNull()
    hourly = (
        readings.withColumn("hour_utc", F.date_trunc("hour", "interval_start_utc"))
        .groupBy("region", "hour_utc")
        .agg(
            (F.sum("energy_kwh") / 1000.0).alias("energy_mwh"),
            F.count_distinct(F.when(has_energy, F.col("meter_id"))).alias("meters_reporting"),
            F.count("energy_kwh").alias("readings"),
            F.sum(F.when(F.col("status") == "EST", 1).otherwise(0)).cast("long").alias("estimated_readings"),
        )
    )
    weather = weather_hourly.select(
        F.col("city").alias("region"), "hour_utc", F.col("temperature_c").cast("double")
    )
    prices = prices_hourly.where(F.col("bidding_zone") == bidding_zone).select(
        "hour_utc", F.col("price_eur_mwh").cast("double")
    )
    return (
        hourly.join(weather, ["region", "hour_utc"], "left")
        .join(F.broadcast(prices), "hour_utc", "left")
        .select(
            "region",
            "hour_utc",
            F.col("energy_mwh").cast("double"),
            F.col("meters_reporting").cast("long"),
            "temperature_c",
            "price_eur_mwh",
            common.local_date("hour_utc", tz).alias("date_local"),
            F.col("readings").cast("long"),
            "estimated_readings",
        )
    )


def run(spark: SparkSession, dates: Iterable[date], settings: Any = None) -> dict[str, Any]:
    """Rebuild the given local days of gold.region_load_hourly from silver (idempotent)."""
    from lakehouse.settings import get_settings
    from lakehouse.storage import tables

    settings = settings or get_settings()
    days = common.normalize_dates(dates)
    readings = common.read_silver(spark, "silver.meter_readings", days, settings=settings)
    weather = common.read_silver(
        spark, "silver.weather_hourly", days, empty_schema=common.WEATHER_SCHEMA, settings=settings
    )
    prices = common.read_silver(
        spark,
        "silver.day_ahead_prices_hourly",
        days,
        empty_schema=common.PRICES_HOURLY_SCHEMA,
        settings=settings,
    )
    gold = region_load_hourly(
        readings, weather, prices, tz=settings.local_timezone, bidding_zone=settings.bidding_zone
    )
    result = tables.replace_where(gold, TABLE, common.dates_predicate(days), partition_by=PARTITION_BY)
    stats = (
        tables.read(spark, TABLE)
        .where(F.col("date_local").isin(days))
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum(F.col("temperature_c").isNull().cast("int")).alias("hours_without_weather"),
            F.sum(F.col("price_eur_mwh").isNull().cast("int")).alias("hours_without_price"),
            F.sum("energy_mwh").alias("energy_mwh"),
        )
        .first()
    )
    return {
        "table": TABLE,
        "dates": [d.isoformat() for d in days],
        "version": result.version,
        "rows": int(stats["rows"]),
        "energy_mwh": round(float(stats["energy_mwh"] or 0.0), 3),
        "hours_without_weather": int(stats["hours_without_weather"] or 0),
        "hours_without_price": int(stats["hours_without_price"] or 0),
    }


def main(argv: list[str] | None = None) -> None:
    common.main_for(run, TABLE, argv)


if __name__ == "__main__":
    main()
