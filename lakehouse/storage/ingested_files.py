"""Exactly-once file ingestion, like Databricks Auto Loader: which landing files bronze and silver hold.

`bronze._ingested_files` has one row per landing file: the SHA-256 and size of the content bronze
holds, the batch that wrote it, its row count, and the bronze batch that silver has applied
(`silver_batch_id`). The protocol, per feed and batch:

1. bronze lists the candidate files and hashes them; a file whose (path, sha256) is tracked is skipped;
2. bronze REPLACES the rows of every other file (`replace_where` on `_landing_file`), so a re-ingest
   (changed content, or a crash between steps 2 and 3) never adds rows twice;
3. bronze records the files here (MERGE on landing_file), with silver_batch_id left as it was;
4. silver processes the files whose silver_batch_id differs from their batch_id, then records them.

Every step is one atomic Delta commit, so a process killed anywhere leaves either the old or the new
state of each table, and the next run finishes the work (silver's MERGEs are idempotent).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from lakehouse.storage import tables

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from lakehouse.sources.landing import LandingStore

TABLE = "bronze._ingested_files"
SCHEMA = (
    "landing_file string, feed string, landing_date date, sha256 string, size_bytes long, rows long, "
    "batch_id string, ingested_at timestamp, bronze_table string"
)
_DATE_FOLDER = re.compile(r"(?:^|/)date=(\d{4}-\d{2}-\d{2})/")


@dataclass(frozen=True)
class Candidate:
    """A landing file as found now: its content fingerprint (and bytes, for the small feeds)."""

    landing_file: str
    feed: str
    sha256: str
    size_bytes: int
    data: bytes

    @property
    def landing_date(self) -> date | None:
        return folder_date(self.landing_file)


@dataclass(frozen=True)
class TrackedFile:
    """A row of bronze._ingested_files."""

    landing_file: str
    feed: str
    landing_date: date | None
    sha256: str
    size_bytes: int
    rows: int
    batch_id: str
    ingested_at: datetime
    silver_batch_id: str | None

    @property
    def silver_pending(self) -> bool:
        return self.silver_batch_id != self.batch_id


def folder_date(relpath: str) -> date | None:
    """The day of the `date=YYYY-MM-DD/` folder a landing file sits in (None outside such folders)."""
    match = _DATE_FOLDER.search(relpath)
    return date.fromisoformat(match.group(1)) if match else None


def fingerprint(store: LandingStore, relpath: str, feed: str) -> Candidate:
    data = store.read_bytes(relpath)
    return Candidate(relpath, feed, hashlib.sha256(data).hexdigest(), len(data), data)


def tracked(spark: SparkSession, feed: str | None = None) -> dict[str, TrackedFile]:
    """Tracked files by landing_file (all feeds, or one)."""
    if not tables.exists(TABLE):
        return {}
    from pyspark.sql import functions as F

    df = tables.read(spark, TABLE)
    if "silver_batch_id" not in df.columns:
        df = df.withColumn("silver_batch_id", F.lit(None).cast("string"))
    if feed is not None:
        df = df.where(F.col("feed") == feed)
    rows = df.select(
        "landing_file", "feed", "landing_date", "sha256", "size_bytes", "rows", "batch_id", "ingested_at",
        "silver_batch_id",
    ).collect()  # fmt: skip
    return {r["landing_file"]: TrackedFile(**r.asDict()) for r in rows}


def new_or_changed(candidates: list[Candidate], known: dict[str, TrackedFile]) -> list[Candidate]:
    """Candidates bronze does not hold with this exact content (pure)."""
    return [c for c in candidates if (t := known.get(c.landing_file)) is None or t.sha256 != c.sha256]


def record_bronze(
    spark: SparkSession,
    files: list[Candidate],
    rows: dict[str, int],
    *,
    batch_id: str,
    ingested_at: datetime,
    bronze_table: str,
) -> None:
    """Step 3: bronze now holds these files' rows of `batch_id` (silver_batch_id untouched)."""
    if not files:
        return
    data = [
        (f.landing_file, f.feed, f.landing_date, f.sha256, f.size_bytes, int(rows.get(f.landing_file, 0)),
         batch_id, ingested_at, bronze_table)
        for f in files
    ]  # fmt: skip
    tables.merge(spark.createDataFrame(data, SCHEMA), TABLE, keys=["landing_file"])


def record_silver(spark: SparkSession, files: list[TrackedFile], *, at: datetime) -> None:
    """Step 4: silver has applied each file's bronze batch."""
    if not files:
        return
    data = [(f.landing_file, f.batch_id, at) for f in files]
    df = spark.createDataFrame(data, "landing_file string, silver_batch_id string, silver_at timestamp")
    tables.merge(df, TABLE, keys=["landing_file"])


def pending_silver(spark: SparkSession, feed: str) -> list[TrackedFile]:
    """Files of `feed` whose current bronze rows silver has not applied yet, in arrival order."""
    return sorted(
        (t for t in tracked(spark, feed).values() if t.silver_pending), key=lambda t: t.landing_file
    )


def in_list(column: str, values: list[str]) -> str:
    """SQL `column IN ('a', 'b')` with quotes escaped (for replace_where predicates)."""
    quoted = ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)
    return f"{column} IN ({quoted})"


def dates_in_list(column: str, days: list[date] | list[str]) -> str:
    """SQL `column IN (DATE'2026-03-29', ...)` (partition predicates)."""
    listed = ", ".join(f"DATE'{d if isinstance(d, str) else d.isoformat()}'" for d in days)
    return f"{column} IN ({listed})"
