"""DST days in Europe/Belgrade: the local day of 2026-03-29 has 23 hours (92 quarter-hours), that of
2026-10-25 has 25 hours (100 quarter-hours). Silver must hold exactly those intervals per meter, from
local midnight to local midnight, with the UTC interval starts the local interval ends imply."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pyspark.sql import functions as F

from lakehouse.pipeline import medallion_ingest
from lakehouse.storage import tables
from tests.medallion.conftest import land, sim_config

TZ = ZoneInfo("Europe/Belgrade")
CASES = {date(2026, 3, 29): 23, date(2026, 10, 25): 25}


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def test_dst_days_have_92_and_100_quarter_hours(medallion_env, spark) -> None:
    for day in CASES:
        land(sim_config(day, faults=False), day)
        medallion_ingest.ingest_day(day)

    readings = tables.read(spark, "silver.meter_readings")
    for day, hours in CASES.items():
        per_meter = (
            readings.where(F.col("date_local") == F.lit(day))
            .groupBy("meter_id", "interval_min")
            .agg(
                F.count(F.lit(1)).alias("n"),
                F.countDistinct("interval_start_utc").alias("distinct"),
                F.min("interval_start_utc").alias("first"),
                F.max("interval_start_utc").alias("last"),
            )
            .collect()
        )
        quarter = [r for r in per_meter if r["interval_min"] == 15]
        hourly = [r for r in per_meter if r["interval_min"] == 60]
        assert quarter and hourly, "the fleet should have both 15- and 60-minute meters"
        start, end = _utc_midnight(day), _utc_midnight(day + timedelta(days=1))
        print(f"{day}: {len(quarter)} 15-min meters x {quarter[0]['n']} intervals, ", end="")
        print(f"{len(hourly)} 60-min meters x {hourly[0]['n']} intervals")
        for r in quarter:
            assert (r["n"], r["distinct"]) == (hours * 4, hours * 4), (day, r)
            assert (r["first"], r["last"]) == (start, end - timedelta(minutes=15)), (day, r)
        for r in hourly:
            assert (r["n"], r["distinct"]) == (hours, hours), (day, r)
            assert (r["first"], r["last"]) == (start, end - timedelta(hours=1)), (day, r)

        weather = tables.read(spark, "silver.weather_hourly").where(F.col("date_local") == F.lit(day))
        per_city = {r[0]: r[1] for r in weather.groupBy("city").count().collect()}
        assert set(per_city.values()) == {hours}, (day, per_city)
        prices = tables.read(spark, "silver.day_ahead_prices_hourly").where(F.col("date_local") == F.lit(day))
        assert prices.count() == hours, day
