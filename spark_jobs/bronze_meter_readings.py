"""Bronze meter readings: landed head-end export files, records as landed, nothing dropped.

Input: `meters/readings/date=D/*.csv[.gz]` under LANDING_ROOT (DESIGN.md "Landing formats").
Output: `bronze.meter_readings`, partitioned by `_landing_date` (the file's folder day); every field
a string as landed, plus where each record came from (`_landing_file`, `_line_number`), when and in
which batch it was ingested, and `_parse_error` / `_raw_line` for lines that do not fit their
file's header.

Exactly once per file (spark_jobs/bronze_files.py): a run for day D ingests the files of D's folder
and of the `lookback_days` folders before it that bronze does not hold with the same content yet
(late files land in their own day's folder days later); a re-ingested file's rows are replaced.

Lines are read as text and split here rather than by Spark's CSV reader: Sail's CSV reader stops at
the first line with a wrong field count, and has neither `input_file_name()` nor `_metadata`, so
each file is read on its own and tagged with its path. Files are read with Spark (gzip included),
so a day of millions of readings never passes through the driver.

Runnable with spark-submit or python: `spark_jobs/bronze_meter_readings.py --date 2026-03-29`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_jobs.bronze_files import (
    Batch,
    dated_files,
    folder_days,
    ingest_dated,
    landing_date_from_path,
    main_for,
)

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


def number_lines(lines: DataFrame) -> DataFrame:
    """Add `_line_number` (1-based) to lines read from files that Spark reads as ONE partition each.

    Holds for gzip files (not splittable). Sail splits larger plain files into byte ranges whose
    partition order does not follow the file order, so plain files go through `_plain_file_lines`.
    """
    ids = lines.withColumn("_row_id", F.monotonically_increasing_id())
    first = ids.groupBy("_landing_file").agg(F.min("_row_id").alias("_first_id"))
    return (
        ids.join(first, "_landing_file")
        .withColumn("_line_number", (F.col("_row_id") - F.col("_first_id") + 1).cast("long"))
        .drop("_row_id", "_first_id")
    )


def _plain_file_lines(spark: SparkSession, uri: str, relpath: str) -> DataFrame:
    """Lines of an uncompressed file with exact line numbers: the file as one value, split in order.

    `limit(1)`: Sail 0.7 returns a large file's content once per byte-range partition.
    """
    content = spark.read.format("binaryFile").load(uri).limit(1)
    # A final newline ends the last line; it does not start an empty one.
    text = F.regexp_replace(F.decode("content", "UTF-8"), "\n$", "")
    return content.select(F.posexplode(F.split(text, "\n")).alias("_pos", "value")).select(
        "value",
        F.lit(relpath).alias("_landing_file"),
        (F.col("_pos") + 1).cast("long").alias("_line_number"),
    )


def read_lines(spark: SparkSession, store: Any, files: list[str]) -> DataFrame:
    """`value`, `_landing_file` (relpath), `_line_number` of every line of the given landed files.

    One read per file: Sail refuses mixed compression in one read and has no input_file_name().
    """
    frames = []
    for relpath in files:
        uri = store.uri(relpath)
        if relpath.endswith(".gz"):
            text = spark.read.text(uri).withColumn("_landing_file", F.lit(relpath))
            frames.append(number_lines(text))
        else:
            frames.append(_plain_file_lines(spark, uri, relpath))
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


def to_bronze(
    lines: DataFrame,
    *,
    landing_date: date | None = None,
    batch_id: str,
    ingested_at: datetime,
    columns: tuple[str, ...] = COLUMNS,
) -> DataFrame:
    """Landed lines (`value`, `_landing_file`, `_line_number`) -> bronze rows, one per record line.

    `_landing_date` is `landing_date`, or else the `date=YYYY-MM-DD/` folder of each line's file.
    `columns` is the expected header (the meter registry job reuses this with its own columns).

    Fields are mapped by the file's own header, so a file with reordered or extra columns still
    lands; a line whose field count differs from its header keeps its text in `_raw_line` with the
    reason in `_parse_error`, as does every line of a file whose header is not the expected one.
    """
    numbered = lines.withColumn("_text", F.regexp_replace("value", "\r$", ""))
    headers = numbered.filter(F.col("_line_number") == 1).select(
        "_landing_file",
        F.split("_text", ",").alias("_header"),
        (F.col("_text") != F.lit(",".join(columns))).alias("_odd_header"),
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
        for name in columns
    ]
    return records.select(
        *mapped,
        F.when(parse_error.isNotNull() | F.col("_odd_header"), F.col("value")).alias("_raw_line"),
        parse_error.alias("_parse_error"),
        F.col("_landing_file"),
        F.col("_line_number"),
        (F.lit(landing_date).cast("date") if landing_date else landing_date_from_path()).alias(
            "_landing_date"
        ),
        F.lit(batch_id).alias("_batch_id"),
        F.lit(ingested_at).cast("timestamp").alias("_ingested_at"),
    )


def landed_files(day: date, settings: Any = None, lookback_days: int = 0) -> list[str]:
    """Relpaths of the meter export files in the folders of `day` and the `lookback_days` before, sorted."""
    from lakehouse.sources.landing import LandingStore

    return dated_files(
        LandingStore(settings=settings), PREFIX, (".csv", ".csv.gz"), folder_days(day, lookback_days)
    )


def build(spark: SparkSession, store: Any, files: list[Any], batch: Batch) -> DataFrame:
    """Bronze rows of the given landing files (bronze_files.Builder)."""
    lines = read_lines(spark, store, [f.landing_file for f in files])
    return to_bronze(lines, batch_id=batch.batch_id, ingested_at=batch.ingested_at)


def run(
    spark: SparkSession,
    day: date,
    settings: Any = None,
    lookback_days: int | None = None,
    batch: Batch | None = None,
) -> dict[str, Any]:
    """Ingest the new or changed meter files of day `day`'s folder and the lookback folders (exactly once)."""
    return ingest_dated(
        spark, day, feed="meters", table=TABLE, prefix=PREFIX, suffixes=(".csv", ".csv.gz"), build=build,
        settings=settings, lookback_days=lookback_days, batch=batch,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    main_for(run, "Ingest one local day of landed meter files into bronze.", argv)


if __name__ == "__main__":
    main()
