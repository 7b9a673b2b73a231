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


def superseded(good: DataFrame, keys: list[str]) -> DataFrame:
    """`_arrival` of every row that a later arrival of its key replaces (pure; few rows).

    Nearly every key of a meter batch occurs once, so only keys that occur more than once are looked
    at: one aggregate over a 64-bit hash of the key finds the hashes that repeat (true duplicates,
    plus the odd hash collision), and only those rows are ranked by their real key. A row_number()
    window over the whole batch gives the same answer but sorts every row, every column included:
    minutes and gigabytes on 10M readings. `_arrival` identifies a row (a landing file's line is in
    bronze once, see `arrival`); keys must be non-NULL.
    """
    from pyspark.sql import Window

    hashed = good.select(*keys, "_arrival", F.xxhash64(*keys).alias("_key_hash"))
    repeated = hashed.groupBy("_key_hash").agg(F.count(F.lit(1)).alias("_copies")).where(F.col("_copies") > 1)
    candidates = hashed.join(repeated.select("_key_hash"), "_key_hash", "left_semi")
    newest_first = Window.partitionBy(*keys).orderBy(F.col("_arrival").desc())
    ranked = candidates.withColumn("_rank", F.row_number().over(newest_first))
    return ranked.where(F.col("_rank") > 1).select("_arrival")


def without_arrivals(rows: DataFrame, arrivals: DataFrame) -> DataFrame:
    """`rows` minus those whose `_arrival` is in `arrivals` (a short list) (pure).

    The short list goes on the left of the join: Sail (DataFusion) builds its hash table from the
    left side and ignores broadcast hints, so `rows LEFT ANTI JOIN arrivals` would hold every row.
    """
    marked = arrivals.select("_arrival", F.lit(True).alias("_superseded"))
    return (
        F.broadcast(marked)
        .join(rows, "_arrival", "right")
        .where(F.col("_superseded").isNull())
        .select(*rows.columns)
    )


def collapse_latest(good: DataFrame, keys: list[str]) -> DataFrame:
    """One row per key: the latest arrival (pure); see `superseded` for how, without a full sort."""
    return without_arrivals(good, superseded(good, keys))


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


def existing_dates(name: str, days: list[date], column: str = "date_local") -> list[date]:
    """Which of `days` already have rows in table `name` (partition listing through delta-rs, no scan)."""
    from deltalake import DeltaTable

    from lakehouse.storage.uri import delta_storage_options

    if not days or not tables.exists(name):
        return []
    table = DeltaTable(tables.table_uri(name), storage_options=delta_storage_options())
    present = {p.get(column) for p in table.partitions()}
    return [d for d in days if d.isoformat() in present]


def upsert_by_date(df: DataFrame, name: str, keys: list[str], days: list[date]) -> dict[str, int]:
    """Write the batch's rows (one per key) for `days`: newer arrivals win, nothing is duplicated.

    Days that silver does not hold yet are written with replace_where (an insert, cheap); days it holds
    (late files, corrections) go through MERGE with `s._arrival >= t._arrival`, reading and rewriting
    only those days' partitions. A crash between the two commits is safe: the re-run finds the first
    days present and MERGEs them, which changes nothing. `source_rows` counts the batch rows written
    or merged (the batch's kept rows, when `df` holds only `days`).
    """
    existing = existing_dates(name, days)
    fresh = [d for d in days if d not in existing]
    figures = {"inserted": 0, "updated": 0, "source_rows": 0}
    if fresh:
        where = tracker.dates_in_list("date_local", fresh)
        written = tables.replace_where(df.where(F.expr(where)), name, where, partition_by=["date_local"])
        figures["inserted"] += written.rows_written
        figures["source_rows"] += written.rows_written
    if existing:
        where = tracker.dates_in_list("date_local", existing)
        merged = tables.merge(
            df.where(F.expr(where)),
            name,
            keys=keys,
            partition_by=["date_local"],
            update_condition=NEWER_ARRIVAL,
            target_predicate=where,
        )
        figures["inserted"] += merged.rows_inserted or 0
        figures["updated"] += merged.rows_updated or 0
        figures["source_rows"] += merged.rows_written
    return figures


def summary(feed: str, files: list[tracker.TrackedFile], **figures: Any) -> dict[str, Any]:
    return {"feed": feed, "files": len(files), **figures}
