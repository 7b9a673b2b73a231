"""What every silver job shares: arrival order, the quarantine table, and reading pending bronze rows.

Arrival order decides which of several records for one key wins (a duplicate, a resent correction):
`_arrival` = (landing folder day, landing file, line number, ingestion time) as one sortable string.
The folder day comes first because exports are filed by the day they were produced (the corrections
of D land in D+1's folder; a late file of D still lands in D's folder with D's data). It does not
depend on which run ingested a file first, so days run out of order give the same silver rows as
days run in order; the ingestion time only breaks ties when a file is re-ingested with new content.
Silver MERGEs update a row only when `s._arrival >= t._arrival`, so replaying an older batch never
reverts a correction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from pyspark.sql import Column
from pyspark.sql import functions as F

from lakehouse.storage import ingested_files as tracker
from lakehouse.storage import tables

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

QUARANTINE = "silver.quarantine"
QUARANTINE_KEYS = ["source", "landing_file", "line_number", "reason"]
QUARANTINE_COLUMNS = (
    "source",
    "reason",
    "detail",
    "raw_record",
    "landing_file",
    "line_number",
    "date_local",
    "landing_date",
    "_batch_id",
    "_detected_at",
)
NEWER_ARRIVAL = "s._arrival >= t._arrival"


class SilverInputError(RuntimeError):
    """Silver cannot run: an input table it needs is missing; the message says what to run first."""


def arrival() -> Column:
    """`_arrival`: a string whose order is arrival order (see the module docstring)."""
    return F.concat_ws(
        "|",
        F.coalesce(F.date_format("_landing_date", "yyyy-MM-dd"), F.lit("0000-00-00")),
        F.col("_landing_file"),
        F.lpad(F.col("_line_number").cast("string"), 10, "0"),
        F.lpad(F.unix_micros("_ingested_at").cast("string"), 20, "0"),
    )


def local_date(utc: Column | str, tz: str) -> Column:
    """The local calendar day (DateType) of a UTC timestamp."""
    return F.to_date(F.from_utc_timestamp(utc, tz))


def latest_per_key(df: DataFrame, keys: list[str]) -> DataFrame:
    """One row per key: the latest arrival (duplicates and superseded records collapse)."""
    from pyspark.sql import Window

    order = Window.partitionBy(*keys).orderBy(F.col("_arrival").desc())
    return df.withColumn("_rank", F.row_number().over(order)).where(F.col("_rank") == 1).drop("_rank")


def quarantine_rows(rejected: DataFrame, source: str, detected_at: datetime) -> DataFrame:
    """Rejected rows (with `reason`, `detail`, `raw_record`, bronze lineage) -> silver.quarantine rows."""
    return rejected.select(
        F.lit(source).alias("source"),
        F.col("reason"),
        F.col("detail"),
        F.col("raw_record"),
        F.col("_landing_file").alias("landing_file"),
        F.col("_line_number").cast("long").alias("line_number"),
        F.col("date_local").cast("date").alias("date_local"),
        F.col("_landing_date").cast("date").alias("landing_date"),
        F.col("_batch_id"),
        F.lit(detected_at).cast("timestamp").alias("_detected_at"),
    )


def write_quarantine(rows: DataFrame) -> int:
    """MERGE on (source, landing_file, line_number, reason): re-runs never duplicate a rejection.

    Returns the number of rejected rows; an empty batch writes nothing (once the table exists).
    """
    count = rows.count()
    if count or not tables.exists(QUARANTINE):
        tables.merge(rows, QUARANTINE, keys=QUARANTINE_KEYS)
    return count


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def pending_bronze(
    spark: SparkSession, feed: str, bronze_table: str
) -> tuple[list[tracker.TrackedFile], DataFrame | None]:
    """Files of `feed` that silver has not applied, and their current bronze rows."""
    pending = tracker.pending_silver(spark, feed)
    if not pending:
        return [], None
    df = tables.read(spark, bronze_table)
    predicate = tracker.in_list("_landing_file", [p.landing_file for p in pending])
    days = sorted({p.landing_date.isoformat() for p in pending if p.landing_date is not None})
    if days and "_landing_date" in df.columns:
        predicate = f"{tracker.dates_in_list('_landing_date', days)} AND {predicate}"
    return pending, df.where(F.expr(predicate))


def dates_of(df: DataFrame, column: str = "date_local") -> list[date]:
    """Distinct non-null dates of a column, sorted (a small collect: one row per day)."""
    return sorted(r[0] for r in df.select(column).where(F.col(column).isNotNull()).distinct().collect())


def summary(feed: str, files: list[tracker.TrackedFile], **figures: Any) -> dict[str, Any]:
    return {"feed": feed, "files": len(files), **figures}
