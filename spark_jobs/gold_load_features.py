"""Gold load features: one row per region and UTC hour, ready for the day-ahead load forecast.

Input: gold.region_load_hourly (the days asked for plus LOOKBACK_DAYS before them, for the lags
and rolling statistics), silver.weather_hourly (the region city's weather) and Kosovo's public
holidays from the `holidays` package (a small DataFrame built in the driver).
Output: gold.load_features, partitioned by date_local, rebuilt per local day with replace_where.

Every load-derived feature looks at least 24 hours back (lags of 24 h and 168 h; rolling statistics
over the 24 h and 168 h windows that END at the 24 h lag), so all of them are known when the
forecast for the next day is made at the end of the current one. Lags are exact UTC offsets looked
up by time, not row positions, so a missing hour gives NULL instead of a shifted value; on DST days
the 24 h lag is therefore the previous day's hour one local hour apart, as physics would have it.

A change to region_load_hourly of day X changes the features of X .. X+LOOKBACK_DAYS-1:
`affected_dates` lists the existing ones, and the pipeline rebuilds them all.

Runnable with spark-submit or python: `spark_jobs/gold_load_features.py --date 2026-03-29`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

try:  # run as a module (package import) or as a script by spark-submit (folder on sys.path)
    from spark_jobs import gold_common as common
except ModuleNotFoundError:  # pragma: no cover - spark-submit of the file itself
    import gold_common as common  # type: ignore[no-redef]

TABLE = "gold.load_features"
SOURCE = "gold.region_load_hourly"
PARTITION_BY = ["date_local"]
HOLIDAY_COUNTRY = "XK"  # Kosovo, as in the simulator's day types
HEATING_BASE_C = 18.0
# The 168 h rolling window ends 24 h back, so it reaches 191 h (8 days) back: 9 covers DST too.
LOOKBACK_DAYS = 9
HOUR = 3600
HOLIDAYS_SCHEMA = "date_local date, holiday_name string"


def holiday_frame(spark: SparkSession, years: Iterable[int], country: str = HOLIDAY_COUNTRY) -> DataFrame:
    """Public holidays of `country` in `years` as (date_local, holiday_name): a few dozen rows."""
    import holidays

    table = holidays.country_holidays(country, years=sorted(set(years)))
    rows = sorted(table.items())
    return spark.createDataFrame(rows, HOLIDAYS_SCHEMA)


def load_features(hourly: DataFrame, weather_hourly: DataFrame, holidays: DataFrame, *, tz: str) -> DataFrame:
    """region_load_hourly rows (with enough history) + weather + holidays -> one feature row per hour.

    Returns a row for every input hour; rows near the start of the history have NULL lags.
    """
    epoch = F.unix_timestamp("hour_utc")
    by_region = Window.partitionBy("region").orderBy(epoch.alias("_epoch"))

    def back(start_hours: int, end_hours: int) -> Window:
        return by_region.rangeBetween(-start_hours * HOUR, -end_hours * HOUR)

    day_ago, last_day, last_week = back(24, 24), back(47, 24), back(191, 24)
    load = F.col("energy_mwh")
    features = hourly.select(
        "region",
        "hour_utc",
        "date_local",
        "energy_mwh",
        "meters_reporting",
        F.max(load).over(day_ago).alias("lag_24h_mwh"),
        F.max(load).over(back(168, 168)).alias("lag_168h_mwh"),
        F.avg(load).over(last_day).alias("rolling_mean_24h_mwh"),
        F.stddev_samp(load).over(last_day).alias("rolling_std_24h_mwh"),
        F.min(load).over(last_day).alias("rolling_min_24h_mwh"),
        F.max(load).over(last_day).alias("rolling_max_24h_mwh"),
        F.avg(load).over(last_week).alias("rolling_mean_168h_mwh"),
        F.count(load).over(last_week).alias("rolling_hours_168h"),
        "temperature_c",
        "price_eur_mwh",
    )
    weather = weather_hourly.select(
        F.col("city").alias("region"),
        "hour_utc",
        F.col("shortwave_radiation_wm2").cast("double"),
        F.col("relative_humidity_pct").cast("double"),
        F.col("wind_speed_kmh").cast("double"),
        F.col("cloud_cover_pct").cast("double"),
    )
    local = F.from_utc_timestamp("hour_utc", tz)
    weekday = ((F.dayofweek(local) + 5) % 7 + 1).cast("int")  # ISO: Monday 1 .. Sunday 7
    day_hours = common.local_day_hours("date_local", tz)
    temperature = F.col("temperature_c").cast("double")
    return (
        features.join(weather, ["region", "hour_utc"], "left")
        .join(F.broadcast(holidays), "date_local", "left")
        .select(
            "region",
            "hour_utc",
            "date_local",
            F.col("energy_mwh").cast("double"),
            F.col("meters_reporting").cast("long"),
            F.col("lag_24h_mwh").cast("double"),
            F.col("lag_168h_mwh").cast("double"),
            F.col("rolling_mean_24h_mwh").cast("double"),
            F.col("rolling_std_24h_mwh").cast("double"),
            F.col("rolling_min_24h_mwh").cast("double"),
            F.col("rolling_max_24h_mwh").cast("double"),
            F.col("rolling_mean_168h_mwh").cast("double"),
            F.col("rolling_hours_168h").cast("long"),
            F.hour(local).cast("int").alias("hour_local"),
            weekday.alias("weekday_local"),
            F.month(local).cast("int").alias("month_local"),
            (weekday >= 6).alias("is_weekend"),
            F.col("holiday_name").isNotNull().alias("is_holiday"),
            "holiday_name",
            day_hours.alias("day_hours"),
            (day_hours != 24).alias("is_dst_day"),
            temperature.alias("temperature_c"),
            F.greatest(F.lit(HEATING_BASE_C) - temperature, F.lit(0.0)).alias("heating_degree_hours"),
            "shortwave_radiation_wm2",
            "relative_humidity_pct",
            "wind_speed_kmh",
            "cloud_cover_pct",
            F.col("price_eur_mwh").cast("double"),
        )
    )


def affected_dates(spark: SparkSession, changed: Iterable[date], settings: Any = None) -> list[date]:
    """The days whose features depend on the `changed` days of region_load_hourly and that exist."""
    from lakehouse.storage import tables

    changed = common.normalize_dates(changed)
    window = sorted({d + timedelta(days=k) for d in changed for k in range(LOOKBACK_DAYS)})
    if not tables.exists(SOURCE, settings):
        return []
    present = (
        tables.read(spark, SOURCE).where(F.col("date_local").isin(window)).select("date_local").distinct()
    )
    return sorted({row["date_local"] for row in present.collect()} | set(changed))


def run(spark: SparkSession, dates: Iterable[date], settings: Any = None) -> dict[str, Any]:
    """Rebuild the given local days of gold.load_features from gold.region_load_hourly (idempotent).

    Callers that changed region_load_hourly of some days pass `affected_dates(spark, days)`.
    """
    from lakehouse.settings import get_settings
    from lakehouse.storage import tables

    settings = settings or get_settings()
    days = common.normalize_dates(dates)
    if not tables.exists(SOURCE, settings):
        raise common.GoldInputError(
            f"{SOURCE} does not exist yet: build it first (gold_region_load_hourly.run for these days)."
        )
    history = sorted({d - timedelta(days=k) for d in days for k in range(LOOKBACK_DAYS + 1)})
    hourly = tables.read(spark, SOURCE).where(F.col("date_local").isin(history))
    weather = common.read_silver(
        spark, "silver.weather_hourly", days, empty_schema=common.WEATHER_SCHEMA, settings=settings
    )
    years = {d.year for d in history} | {d.year + 1 for d in days}
    features = load_features(hourly, weather, holiday_frame(spark, years), tz=settings.local_timezone)
    gold = features.where(F.col("date_local").isin(days))
    result = tables.replace_where(gold, TABLE, common.dates_predicate(days), partition_by=PARTITION_BY)
    stats = (
        tables.read(spark, TABLE)
        .where(F.col("date_local").isin(days))
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum(F.col("lag_168h_mwh").isNull().cast("int")).alias("without_lag_168h"),
            F.sum(F.col("is_holiday").cast("int")).alias("holiday_hours"),
        )
        .first()
    )
    return {
        "table": TABLE,
        "dates": [d.isoformat() for d in days],
        "version": result.version,
        "rows": int(stats["rows"]),
        "rows_without_lag_168h": int(stats["without_lag_168h"] or 0),
        "holiday_hours": int(stats["holiday_hours"] or 0),
    }


def main(argv: list[str] | None = None) -> None:
    common.main_for(run, TABLE, argv)


if __name__ == "__main__":
    main()
