"""Silver meters: the registry snapshot, typed, one row per meter (silver.meters, not partitioned).

Each new registry file in bronze replaces silver.meters whole (the registry is a snapshot). Lines that
cannot be conformed go to silver.quarantine (source `registry`): MALFORMED_LINE (bronze parse error or
no meter_id), BAD_CUSTOMER_TYPE, MISSING_REGION, BAD_NUMBER (latitude/longitude), OUT_OF_RANGE
(coordinates), BAD_DATE (installed_on), DUPLICATE_METER (a meter listed again: the last line wins).
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.storage import ingested_files as tracker
from lakehouse.storage import tables
from spark_jobs.silver_common import (
    arrival,
    latest_per_key,
    now,
    pending_bronze,
    quarantine_rows,
    summary,
    write_quarantine,
)

TABLE = "silver.meters"
BRONZE = "bronze.meter_registry"
FEED = "registry"
CUSTOMER_TYPES = ("residential", "commercial", "industrial")
COLUMNS = (
    "meter_id",
    "region",
    "customer_type",
    "feeder_id",
    "latitude",
    "longitude",
    "installed_on",
    "tariff",
)


def _number(name: str) -> F.Column:
    text = F.trim(F.col(name))
    return F.when(text != "", text.try_cast("double"))


def conform(bronze: DataFrame) -> DataFrame:
    """Bronze registry lines -> typed rows with `reason`/`detail` (NULL when the row is good) (pure)."""
    meter_id, region, ctype = (F.trim(F.col(c)) for c in ("meter_id", "region", "customer_type"))
    lat, lon = _number("latitude"), _number("longitude")
    day_text = F.trim(F.col("installed_on"))  # Sail 0.7.2 has no try_to_date
    installed = F.when(day_text.rlike(r"^\d{4}-\d{2}-\d{2}$"), F.to_date(F.try_to_timestamp(day_text)))
    bad_number = ((F.trim(F.col("latitude")) != "") & lat.isNull()) | (
        (F.trim(F.col("longitude")) != "") & lon.isNull()
    )
    reason = (
        F.when(F.col("_parse_error").isNotNull(), F.lit("MALFORMED_LINE"))
        .when(meter_id.isNull() | (meter_id == ""), F.lit("MALFORMED_LINE"))
        .when(~F.coalesce(ctype.isin(*CUSTOMER_TYPES), F.lit(False)), F.lit("BAD_CUSTOMER_TYPE"))
        .when(region.isNull() | (region == ""), F.lit("MISSING_REGION"))
        .when(bad_number, F.lit("BAD_NUMBER"))
        .when((F.abs(lat) > 90) | (F.abs(lon) > 180), F.lit("OUT_OF_RANGE"))
        .when((F.trim(F.col("installed_on")) != "") & installed.isNull(), F.lit("BAD_DATE"))
    )
    detail = (
        F.when(F.col("_parse_error").isNotNull(), F.col("_parse_error"))
        .when(meter_id.isNull() | (meter_id == ""), F.lit("no meter_id"))
        .otherwise(
            F.concat_ws(
                " ",
                *[F.concat(F.lit(f"{c}="), F.coalesce(F.col(c), F.lit("NULL"))) for c in COLUMNS[1:7]],
            )
        )
    )
    raw = F.coalesce(
        F.col("_raw_line"), F.concat_ws(",", *[F.coalesce(F.col(c), F.lit("")) for c in COLUMNS])
    )
    if "_landing_date" not in bronze.columns:  # the registry is not a dated feed
        bronze = bronze.withColumn("_landing_date", F.lit(None).cast("date"))
    return bronze.select(
        meter_id.alias("meter_id"),
        region.alias("region"),
        ctype.alias("customer_type"),
        F.trim(F.col("feeder_id")).alias("feeder_id"),
        lat.alias("latitude"),
        lon.alias("longitude"),
        installed.alias("installed_on"),
        F.trim(F.col("tariff")).alias("tariff"),
        F.lit(None).cast("date").alias("date_local"),
        "_landing_date",
        "_landing_file",
        "_line_number",
        "_ingested_at",
        "_batch_id",
        arrival().alias("_arrival"),
        reason.alias("reason"),
        F.when(reason.isNotNull(), detail).alias("detail"),
        raw.alias("raw_record"),
    )


def split(conformed: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(one row per meter, rejected rows incl. duplicates of a meter) (pure)."""
    good = conformed.where(F.col("reason").isNull())
    latest = latest_per_key(good, ["meter_id"])
    dupes = good.join(latest.select("meter_id", F.col("_arrival").alias("_kept")), "meter_id").where(
        F.col("_arrival") != F.col("_kept")
    )
    rejected = conformed.where(F.col("reason").isNotNull()).unionByName(
        dupes.drop("_kept")
        .withColumn("reason", F.lit("DUPLICATE_METER"))
        .withColumn("detail", F.lit("meter listed again later in the registry; the last line wins"))
    )
    meters = latest.select(*COLUMNS, "_landing_file", "_ingested_at", "_batch_id")
    return meters, rejected


def run(spark: SparkSession, day: date | None = None) -> dict[str, Any]:
    """Replace silver.meters with the newest registry snapshot that bronze holds (if silver lacks it)."""
    pending, bronze = pending_bronze(spark, FEED, BRONZE)
    if bronze is None:
        return summary(FEED, pending, meters=0, quarantined=0)
    detected = now()
    meters, rejected = split(conform(bronze))
    files = sorted({p.landing_file for p in pending})
    known = []
    if tables.exists(TABLE):
        known = [r[0] for r in tables.read(spark, TABLE).select("_landing_file").distinct().collect()]
    predicate = tracker.in_list("_landing_file", sorted(set(files) | set(known)))
    written = tables.replace_where(meters, TABLE, predicate)
    quarantined = write_quarantine(quarantine_rows(rejected, FEED, detected))
    tracker.record_silver(spark, pending, at=detected)
    return summary(FEED, pending, meters=written.rows_written, quarantined=quarantined)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build silver.meters from the newest bronze registry.")
    parser.parse_args(argv)
    from lakehouse.spark import session

    print(run(session()))


if __name__ == "__main__":
    main()
