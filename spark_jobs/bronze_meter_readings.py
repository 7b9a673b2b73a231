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

import gzip
import io
import re
import zlib
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


# monotonically_increasing_id() is (partition index << 33) + the row's position in its partition.
_ROW_IN_PARTITION = (1 << 33) - 1


def number_lines(lines: DataFrame) -> DataFrame:
    """Add `_line_number` (1-based) to the lines of ONE file that Spark reads as ONE partition.

    Holds for gzip files (not splittable). The number is the row's position in its partition (the low
    33 bits of monotonically_increasing_id), computed as the file is read: no second pass over the file.
    Sail splits larger plain files into byte ranges whose partition order does not follow the file
    order, so plain files go through `_plain_file_lines`.
    """
    row = F.monotonically_increasing_id().bitwiseAND(F.lit(_ROW_IN_PARTITION))
    return lines.withColumn("_line_number", (row + 1).cast("long"))


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
    headers: dict[str, str] | None = None,
) -> DataFrame:
    """Landed lines (`value`, `_landing_file`, `_line_number`) -> bronze rows, one per record line.

    `_landing_date` is `landing_date`, or else the `date=YYYY-MM-DD/` folder of each line's file.
    `columns` is the expected header (the meter registry job reuses this with its own columns).
    `headers` (landing file -> its first line, as `first_line` reads it from the bytes the driver
    already holds; every file of `lines` must be in it) spares Spark a second pass over the files to
    find line 1, and when all of them are the expected header, the join with the headers as well;
    without it the header is taken from `lines`.

    Fields are mapped by the file's own header, so a file with reordered or extra columns still
    lands; a line whose field count differs from its header keeps its text in `_raw_line` with the
    reason in `_parse_error`, as does every line of a file whose header is not the expected one.
    """
    numbered = lines.withColumn("_text", F.regexp_replace("value", "\r$", ""))
    fields = F.split("_text", ",")
    got = F.size(fields)
    expected_header = ",".join(columns)
    given = None if headers is None else {name: re.sub("\r$", "", text) for name, text in headers.items()}
    if given is not None and all(text == expected_header for text in given.values()):
        # Every file has the expected header (the usual case): fields by position, no join at all.
        records = numbered.filter(F.col("_line_number") > 1).withColumn("_odd_header", F.lit(False))
        expected: Any = F.lit(len(columns))
        positions: dict[str, Any] = {name: F.lit(i) for i, name in enumerate(columns)}
    else:
        if given is None:
            firsts = numbered.filter(F.col("_line_number") == 1).select("_landing_file", "_text")
        else:
            firsts = lines.sparkSession.createDataFrame(
                sorted(given.items()), "_landing_file string, _text string"
            )
        headers_df = firsts.select(
            "_landing_file",
            F.split("_text", ",").alias("_header"),
            (F.col("_text") != F.lit(expected_header)).alias("_odd_header"),
        )
        records = numbered.filter(F.col("_line_number") > 1).join(
            F.broadcast(headers_df), "_landing_file", "left"
        )
        expected = F.size("_header")
        positions = {name: F.array_position("_header", name).cast("int") - 1 for name in columns}
    parse_error = F.when(
        got != expected,
        F.concat(F.lit("expected "), expected.cast("string"), F.lit(" fields, got "), got.cast("string")),
    )
    mapped = [F.when(parse_error.isNull(), F.get(fields, positions[name])).alias(name) for name in columns]
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


def first_line(relpath: str, data: bytes) -> str:
    """The first line of a landed file's bytes (gunzipped for `.gz`), decoded as Spark's text reader does."""
    if relpath.endswith(".gz"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                head = stream.readline()
        except (OSError, EOFError, zlib.error):
            return ""  # not readable as gzip: Spark's read of the file reports the error itself
    else:
        head = data.split(b"\n", 1)[0]
    return head.removesuffix(b"\n").decode("utf-8", errors="replace")


def build(spark: SparkSession, store: Any, files: list[Any], batch: Batch) -> DataFrame:
    """Bronze rows of the given landing files (bronze_files.Builder)."""
    lines = read_lines(spark, store, [f.landing_file for f in files])
    headers = {f.landing_file: first_line(f.landing_file, f.data) for f in files}
    return to_bronze(lines, batch_id=batch.batch_id, ingested_at=batch.ingested_at, headers=headers)


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
