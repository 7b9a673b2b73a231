"""Silver meter readings: typed, conformed, one row per (meter_id, interval_start_utc).

Input: the bronze.meter_readings rows of the files silver has not applied yet (exactly once, see
lakehouse.storage.ingested_files) and silver.meters. Output: silver.meter_readings (partitioned by
`date_local`, MERGE on the key, a row updated only by a newer arrival: see spark_jobs/silver_common.py)
and silver.quarantine (source `meters`).

Conforming: `timestamp` is the local interval END with its UTC offset (ISO 8601); the UTC interval START
is that instant minus `interval_min` (15 or 60). `date_local` is the Europe/Belgrade day of the start, so
a 15-minute meter has 92 intervals on the last Sunday of March and 100 on the last Sunday of October.
Region and customer type come from silver.meters. Among several records of one key (duplicates,
resent corrections) the latest arrival wins.

Quarantine reasons (the first that applies): MALFORMED_LINE (wrong field count, from bronze),
BAD_TIMESTAMP (not ISO 8601 with an offset), BAD_INTERVAL (not 15/60), BAD_STATUS (not OK/EST/ERR),
BAD_NUMBER (a value that is not a number), UNKNOWN_METER (not in silver.meters), MISSING_ENERGY (OK/EST
without energy), NEGATIVE_ENERGY, OUT_OF_RANGE (energy >= 10,000 kWh, voltage outside [150, 300] V,
power factor outside [0, 1], negative current), CLOCK_SKEW (interval end off the meter's 15/60-minute
grid, or a day far from the file's folder day).
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.storage import ingested_files as tracker
from lakehouse.storage import scratch, tables
from spark_jobs.silver_common import (
    SilverInputError,
    arrival,
    collapse_latest,
    local_date,
    now,
    pending_bronze,
    quarantine_rows,
    summary,
    superseded,
    upsert_by_date,
    without_arrivals,
    write_quarantine,
)

TABLE = "silver.meter_readings"
BRONZE = "bronze.meter_readings"
METERS = "silver.meters"
STAGE = "silver._staging_meter_readings"  # scratch name: one batch's conformed rows, computed once
FEED = "meters"
KEYS = ["meter_id", "interval_start_utc"]
COLUMNS = (
    "meter_id",
    "timestamp",
    "interval_min",
    "energy_kwh",
    "voltage_v",
    "current_a",
    "power_factor",
    "status",
)
NUMBERS = ("energy_kwh", "voltage_v", "current_a", "power_factor")
STATUSES = ("OK", "EST", "ERR")
ISO_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
MAX_ENERGY_KWH = 10_000.0  # per interval; the head-end's own plausibility bound
VOLTAGE_RANGE = (150.0, 300.0)
# A record's local day may precede its file's folder day by this many days (corrections of D land in
# D+1's folder; resends of older days happen) and follow it by one (tolerance); further is a bad clock.
MAX_DAYS_BEFORE_FILE = 7
MAX_DAYS_AFTER_FILE = 1
# Superseded rows of a batch listed in the driver (see _latest_good); more go through a lazy join.
MAX_LISTED_SUPERSEDED = 200_000
OUTPUT_COLUMNS = (
    "meter_id",
    "interval_start_utc",
    "interval_min",
    "energy_kwh",
    "voltage_v",
    "current_a",
    "power_factor",
    "status",
    "region",
    "customer_type",
    "date_local",
    "_landing_file",
    "_line_number",
    "_landing_date",
    "_ingested_at",
    "_batch_id",
    "_arrival",
)


def _number(name: str) -> Column:
    text = F.trim(F.col(name))
    return F.when(text != "", text.try_cast("double"))


def _not_number(name: str) -> Column:
    text = F.trim(F.col(name))
    return (text != "") & text.try_cast("double").isNull()


def _say(*parts: str | Column) -> Column:
    """A detail message: literal text and column values (NULL shown as NULL)."""
    return F.concat(
        *[F.lit(p) if isinstance(p, str) else F.coalesce(p.cast("string"), F.lit("NULL")) for p in parts]
    )


def conform(bronze: DataFrame, meters: DataFrame, tz: str = "Europe/Belgrade") -> DataFrame:
    """Bronze rows -> typed rows with `reason`/`detail` NULL when good, else the quarantine reason (pure).

    Rejected rows also carry `raw_record` (the record as landed); good rows have it NULL.

    `meters` needs meter_id, region, customer_type (silver.meters).
    """
    stamp = F.trim(F.col("timestamp"))
    end_utc = F.when(stamp.rlike(ISO_WITH_OFFSET), F.try_to_timestamp(stamp))
    interval = F.trim(F.col("interval_min"))
    minutes = F.when(interval.isin("15", "60"), interval.cast("int"))
    start_utc = F.timestamp_seconds(F.unix_timestamp(end_utc) - minutes * 60)
    local_end = F.from_utc_timestamp(end_utc, tz)
    status = F.upper(F.trim(F.col("status")))
    energy, voltage, current, pf = (_number(c) for c in NUMBERS)
    bad_number = F.lit(False)
    for name in NUMBERS:
        bad_number = bad_number | F.coalesce(_not_number(name), F.lit(False))
    day = local_date(start_utc, tz)
    days_before = F.datediff(F.col("_landing_date"), day)

    registry = meters.select(F.col("meter_id").alias("_meter"), "region", "customer_type")
    typed = (
        bronze.drop("region", "customer_type")
        .withColumn("_meter", F.trim(F.col("meter_id")))
        .join(F.broadcast(registry), "_meter", "left")
    ).select(
        F.col("_meter").alias("meter_id"),
        start_utc.alias("interval_start_utc"),
        minutes.alias("interval_min"),
        energy.alias("energy_kwh"),
        voltage.alias("voltage_v"),
        current.alias("current_a"),
        pf.alias("power_factor"),
        status.alias("status"),
        "region",
        "customer_type",
        day.alias("date_local"),
        end_utc.alias("_end_utc"),
        local_end.alias("_local_end"),
        days_before.alias("_days_before"),
        bad_number.alias("_bad_number"),
        F.coalesce(
            F.col("_raw_line"), F.concat_ws(",", *[F.coalesce(F.col(c), F.lit("")) for c in COLUMNS])
        ).alias("_raw_record"),
        F.col("_parse_error"),
        F.col("timestamp").alias("_timestamp"),
        F.col("interval_min").alias("_interval_text"),
        F.col("status").alias("_status_text"),
        "_landing_file",
        "_line_number",
        "_landing_date",
        "_ingested_at",
        "_batch_id",
        arrival().alias("_arrival"),
    )
    c = F.col
    off_grid = (F.second("_local_end") != 0) | (F.minute("_local_end") % c("interval_min") != 0)
    out_of_range = F.coalesce(
        (c("energy_kwh") >= MAX_ENERGY_KWH)
        | ~c("voltage_v").between(*VOLTAGE_RANGE)
        | ~c("power_factor").between(0.0, 1.0)
        | (c("current_a") < 0),
        F.lit(False),
    )
    far = (c("_days_before") > MAX_DAYS_BEFORE_FILE) | (c("_days_before") < -MAX_DAYS_AFTER_FILE)
    values = [part for n in NUMBERS for part in (f" {n}=", c(n))][1:]  # energy, voltage=..., ...
    reasons = [
        (c("_parse_error").isNotNull(), "MALFORMED_LINE", [c("_parse_error")]),
        (c("_end_utc").isNull(), "BAD_TIMESTAMP", ["timestamp=", c("_timestamp")]),
        (c("interval_min").isNull(), "BAD_INTERVAL", ["interval_min=", c("_interval_text")]),
        (
            ~F.coalesce(c("status").isin(*STATUSES), F.lit(False)),
            "BAD_STATUS",
            ["status=", c("_status_text")],
        ),
        (c("_bad_number"), "BAD_NUMBER", ["a value is not a number"]),
        (c("region").isNull(), "UNKNOWN_METER", ["meter_id=", c("meter_id"), " is not in silver.meters"]),
        (
            c("status").isin("OK", "EST") & c("energy_kwh").isNull(),
            "MISSING_ENERGY",
            ["status ", c("status"), " without energy_kwh"],
        ),
        (c("energy_kwh") < 0, "NEGATIVE_ENERGY", ["energy_kwh=", c("energy_kwh")]),
        (out_of_range, "OUT_OF_RANGE", ["energy_kwh=", *values]),
        (
            off_grid,
            "CLOCK_SKEW",
            ["interval end ", c("_timestamp"), " is off the ", c("interval_min"), "-min grid"],
        ),
        (
            far,
            "CLOCK_SKEW",
            ["local day ", c("date_local"), " is far from the file's day ", c("_landing_date")],
        ),
    ]
    reason: Any = F
    detail: Any = F
    for condition, code, parts in reasons:
        reason = reason.when(condition, F.lit(code))
        detail = detail.when(condition, _say(*parts))
    # detail and raw_record only for rejected rows: built for every row, they cost about a third of
    # the conforming on 10M readings, and nothing reads them for good rows.
    rejected = F.col("reason").isNotNull()
    return (
        typed.withColumn("reason", reason)
        .withColumn("detail", F.when(rejected, detail))
        .withColumn("raw_record", F.when(rejected, F.col("_raw_record")))
        .drop("_raw_record")
    )


def readings(conformed: DataFrame) -> DataFrame:
    """Good conformed rows, one per key (the latest arrival), in the silver table's columns (pure)."""
    return collapse_latest(conformed.where(F.col("reason").isNull()).select(*OUTPUT_COLUMNS), KEYS)


def _latest_good(batch: DataFrame) -> DataFrame:
    """`readings(batch)` for a staged batch: the superseded rows are listed first, in the driver.

    A short list (the usual case: no duplicates at all, or a few resent corrections) becomes a small
    local DataFrame, so the batch streams past it into the write with no shuffle; a long one falls
    back to the lazy join of `readings`.
    """
    good = batch.where(F.col("reason").isNull()).select(*OUTPUT_COLUMNS)
    listed = [row["_arrival"] for row in superseded(good, KEYS).limit(MAX_LISTED_SUPERSEDED + 1).collect()]
    if not listed:
        return good
    if len(listed) > MAX_LISTED_SUPERSEDED:
        return collapse_latest(good, KEYS)
    arrivals = batch.sparkSession.createDataFrame([(a,) for a in listed], "_arrival string")
    return without_arrivals(good, arrivals)


def staged_rows(conformed: DataFrame) -> DataFrame:
    """What a batch keeps of its conformed rows: the silver columns and the quarantine fields.

    The helper columns of `conform` are dropped: the staged batch is written once and read three
    times, so every byte left out is saved four times.
    """
    return conformed.select(*OUTPUT_COLUMNS, "reason", "detail", "raw_record")


def rejected(conformed: DataFrame) -> DataFrame:
    """Rows that go to silver.quarantine (pure)."""
    return conformed.where(F.col("reason").isNotNull())


def run(spark: SparkSession, day: date | None = None, settings: Any = None) -> dict[str, Any]:
    """Apply every bronze meter file silver has not applied yet; returns figures and affected dates."""
    from lakehouse.settings import get_settings

    settings = settings or get_settings()
    pending, bronze = pending_bronze(spark, FEED, BRONZE)
    if bronze is None:
        return summary(FEED, pending, bronze_rows=0, affected_dates=[])
    if not tables.exists(METERS):
        raise SilverInputError(
            f"{METERS} does not exist, so meter readings cannot get their region: land the registry "
            "(meters/registry/meters.csv) and run the registry bronze and silver steps first."
        )
    detected = now()
    conformed = conform(bronze, tables.read(spark, METERS), settings.local_timezone)
    staged = scratch.write(staged_rows(conformed), STAGE)  # computed once; read below as Parquet
    batch = staged.df
    figures = batch.agg(
        F.count(F.lit(1)).alias("bronze_rows"),
        F.count("reason").alias("quarantined"),
        F.collect_set(F.when(F.col("reason").isNull(), F.col("date_local"))).alias("dates"),
    ).first()
    affected = sorted(figures["dates"])
    written = upsert_by_date(_latest_good(batch), TABLE, KEYS, affected)
    quarantined = write_quarantine(quarantine_rows(rejected(batch), FEED, detected))
    tracker.record_silver(spark, pending, at=detected)
    staged.clear()
    bronze_rows, bad = int(figures["bronze_rows"]), int(figures["quarantined"])
    kept = written.pop("source_rows")  # the batch's rows written to silver: one per key
    return summary(
        FEED,
        pending,
        bronze_rows=bronze_rows,
        quarantined=quarantined,
        rows=kept,
        **written,
        collapsed_in_batch=bronze_rows - bad - kept,
        affected_dates=[d.isoformat() for d in affected],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Apply pending bronze meter readings to silver.")
    parser.parse_args(argv)
    from lakehouse.spark import session

    print(run(session()))


if __name__ == "__main__":
    main()
