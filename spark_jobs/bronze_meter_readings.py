"""Bronze meter readings: day D's landed head-end export files, records as landed, nothing dropped.

Input: `meters/readings/date=D/*.csv[.gz]` under LANDING_ROOT (DESIGN.md "Landing formats").
Output: `bronze.meter_readings`, partitioned by `_landing_date`; every field a string as landed,
plus where each record came from (`_landing_file`, `_line_number`), when and in which batch it
was ingested, and `_parse_error` / `_raw_line` for lines that do not fit their file's header.

Lines are read as text and split here rather than by Spark's CSV reader: Sail's CSV reader stops at
the first line with a wrong field count, and has neither `input_file_name()` nor `_metadata`, so
each file is read on its own and tagged with its path. Files are read with Spark (gzip included),
so a day of millions of readings never passes through the driver.

Runnable with spark-submit or python: `spark_jobs/bronze_meter_readings.py --date 2026-03-29`.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, date, datetime
from typing import Any

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

TABLE = "bronze.meter_readings"
PREFIX = "meters/readings"
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
EXPECTED_HEADER = ",".join(COLUMNS)
_PARTITION_BITS = 33  # monotonically_increasing_id(): partition index << 33 | row index in partition


def number_lines(lines: DataFrame) -> DataFrame:
    """Add `_line_number`, the 1-based position of each line in its `_landing_file`.

    Spark reads a large file as several partitions, in order, so the line number is the line's
    index in its partition plus the lines of that file in the partitions before it.
    """
    ids = lines.withColumn("_row_id", F.monotonically_increasing_id()).withColumn(
        "_part", F.shiftright("_row_id", _PARTITION_BITS)
    )
    per_part = ids.groupBy("_landing_file", "_part").agg(
        F.count(F.lit(1)).alias("_n"), F.min("_row_id").alias("_first_id")
    )
    before = Window.partitionBy("_landing_file").orderBy("_part").rowsBetween(Window.unboundedPreceding, -1)
    offsets = per_part.select(
        "_landing_file",
        "_part",
        "_first_id",
        F.coalesce(F.sum("_n").over(before), F.lit(0)).alias("_offset"),
    )
    return (
        ids.join(F.broadcast(offsets), ["_landing_file", "_part"])
        .withColumn(
            "_line_number", (F.col("_offset") + F.col("_row_id") - F.col("_first_id") + 1).cast("long")
        )
        .drop("_row_id", "_part", "_first_id", "_offset")
    )


def to_bronze(lines: DataFrame, *, landing_date: date, batch_id: str, ingested_at: datetime) -> DataFrame:
    """Landed lines (`value`, `_landing_file`) -> bronze rows: one per record line, header lines excluded.

    Fields are mapped by the file's own header, so a file with reordered or extra columns still
    lands; a line whose field count differs from its header keeps its text in `_raw_line` with the
    reason in `_parse_error`, as does every line of a file whose header is not the expected one.
    """
    numbered = number_lines(lines).withColumn("_text", F.regexp_replace("value", "\r$", ""))
    headers = numbered.filter(F.col("_line_number") == 1).select(
        "_landing_file",
        F.split("_text", ",").alias("_header"),
        (F.col("_text") != F.lit(EXPECTED_HEADER)).alias("_odd_header"),
    )
    records = numbered.filter(F.col("_line_number") > 1).join(F.broadcast(headers), "_landing_file", "left")
    fields = F.split("_text", ",")
    got, expected = F.size(fields), F.size("_header")
    parse_error = F.when(
        got != expected,
        F.concat(F.lit("expected "), expected.cast("string"), F.lit(" fields, got "), got.cast("string")),
    )
    mapped = [
        F.when(parse_error.isNull(), F.get(fields, F.array_position("_header", name).cast("int") - 1)).alias(
            name
        )
        for name in COLUMNS
    ]
    return records.select(
        *mapped,
        F.when(parse_error.isNotNull() | F.col("_odd_header"), F.col("value")).alias("_raw_line"),
        parse_error.alias("_parse_error"),
        F.col("_landing_file"),
        F.col("_line_number"),
        F.lit(landing_date).cast("date").alias("_landing_date"),
        F.lit(batch_id).alias("_batch_id"),
        F.lit(ingested_at).cast("timestamp").alias("_ingested_at"),
    )


def landed_files(day: date, settings: Any = None) -> list[str]:
    """Relpaths of day `day`'s meter export files in the landing zone, sorted."""
    from lakehouse.sources.landing import LandingStore

    store = LandingStore(settings=settings)
    files = store.list(f"{PREFIX}/date={day.isoformat()}/")
    return sorted(f for f in files if f.endswith((".csv", ".csv.gz")))


def read_lines(spark: SparkSession, files: list[str], settings: Any = None) -> DataFrame:
    """One text read per file (Sail refuses mixed compression in one read), tagged with its relpath."""
    from lakehouse.sources.landing import LandingStore

    store = LandingStore(settings=settings)
    frames = [
        spark.read.text(store.uri(relpath)).withColumn("_landing_file", F.lit(relpath)) for relpath in files
    ]
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


def run(spark: SparkSession, day: date, settings: Any = None) -> dict[str, Any]:
    """Ingest day `day`'s landed meter files; re-running the day replaces its rows (idempotent)."""
    from lakehouse.storage import tables

    files = landed_files(day, settings)
    summary: dict[str, Any] = {"table": TABLE, "day": day.isoformat(), "files": len(files)}
    if not files:
        return {**summary, "rows": 0, "malformed": 0}
    batch_id = uuid.uuid4().hex
    bronze = to_bronze(
        read_lines(spark, files, settings),
        landing_date=day,
        batch_id=batch_id,
        ingested_at=datetime.now(UTC).replace(tzinfo=None),
    )
    tables.replace_where(
        bronze, TABLE, f"_landing_date = DATE'{day.isoformat()}'", partition_by=["_landing_date"]
    )
    counts = (
        tables.read(spark, TABLE)
        .filter(F.col("_landing_date") == F.lit(day))
        .agg(F.count(F.lit(1)).alias("rows"), F.count("_parse_error").alias("malformed"))
        .first()
    )
    return {
        **summary,
        "rows": int(counts["rows"]),
        "malformed": int(counts["malformed"]),
        "batch_id": batch_id,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Ingest one local day of landed meter files into bronze.")
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="local day D, YYYY-MM-DD")
    args = parser.parse_args(argv)
    from lakehouse.spark import session

    print(run(session(), args.date))


if __name__ == "__main__":
    main()
