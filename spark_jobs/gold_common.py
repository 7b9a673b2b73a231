"""What the gold jobs share: local-day arithmetic in Spark, the date_local predicate, input reads.

Tables store UTC (the session time zone is UTC); `date_local` is the local (Europe/Belgrade by
default) calendar day of a row's hour start. Local offsets are whole hours, so every reading of a
UTC hour has the hour's `date_local`, and a gold hour never straddles two local days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

if TYPE_CHECKING:
    from lakehouse.settings import Settings

# Contract columns of the silver inputs the gold jobs read (medallion brief "Table contracts").
READINGS_SCHEMA = (
    "meter_id string, interval_start_utc timestamp, interval_min int, energy_kwh double, "
    "voltage_v double, current_a double, power_factor double, status string, region string, "
    "customer_type string, date_local date"
)
WEATHER_SCHEMA = (
    "city string, hour_utc timestamp, temperature_c double, relative_humidity_pct double, "
    "wind_speed_kmh double, cloud_cover_pct double, shortwave_radiation_wm2 double, date_local date"
)
PRICES_HOURLY_SCHEMA = "bidding_zone string, hour_utc timestamp, price_eur_mwh double, date_local date"


class GoldInputError(RuntimeError):
    """A gold job cannot run because a silver table it needs does not exist yet."""


def local_date(ts: Column | str, tz: str) -> Column:
    """The local calendar day of a UTC timestamp."""
    return F.to_date(F.from_utc_timestamp(ts, tz))


def local_day_hours(day: Column | str, tz: str) -> Column:
    """Length of local day `day` in hours: 23 or 25 on DST-change days, else 24 (int)."""
    day = F.col(day) if isinstance(day, str) else day
    start = F.unix_timestamp(F.to_utc_timestamp(day.cast("timestamp"), tz))
    end = F.unix_timestamp(F.to_utc_timestamp(F.date_add(day, 1).cast("timestamp"), tz))
    return ((end - start) / 3600).cast("int")


def normalize_dates(dates: Iterable[date]) -> list[date]:
    """Sorted distinct days; a ValueError when there is none (a write would have no predicate)."""
    days = sorted(set(dates))
    if not days:
        raise ValueError("no local dates given: pass at least one day to rebuild")
    return days


def dates_predicate(dates: Iterable[date], column: str = "date_local") -> str:
    """`date_local IN (DATE'2026-03-29', ...)`: the replace_where slice of the given local days."""
    days = normalize_dates(dates)
    literals = ", ".join(f"DATE'{d.isoformat()}'" for d in days)
    return f"{column} IN ({literals})"


def read_silver(
    spark: SparkSession,
    name: str,
    dates: Iterable[date],
    *,
    empty_schema: str | None = None,
    settings: Settings | None = None,
) -> DataFrame:
    """Rows of silver table `name` whose date_local is one of `dates` (partition pruned).

    A missing table is an empty DataFrame of `empty_schema` when one is given (an optional input:
    gold columns from it stay NULL and the job's summary counts them), else GoldInputError.
    """
    from lakehouse.storage import tables

    days = normalize_dates(dates)
    if not tables.exists(name, settings):
        if empty_schema is None:
            raise GoldInputError(
                f"{name} does not exist yet, so gold cannot be built: run the bronze and silver steps "
                "for these days first (lakehouse run, or the smartgrid_daily DAG)."
            )
        return spark.createDataFrame([], empty_schema)
    return tables.read(spark, name).where(F.col("date_local").isin(days))


def main_for(run: Any, table: str, argv: list[str] | None = None) -> None:
    """The spark-submit entry of a gold job: `--date D [--date D ...]` rebuilds those local days."""
    import argparse

    parser = argparse.ArgumentParser(description=f"Rebuild local days of {table}.")
    parser.add_argument("--date", required=True, action="append", type=date.fromisoformat, help="YYYY-MM-DD")
    args = parser.parse_args(argv)
    from lakehouse.spark import session

    print(run(session(), args.date))
