"""Exactly-once ingestion of landing files into a bronze table, shared by every bronze job.

A run for local day D looks at D's landing folder and the folders of the `lookback_days` days
before it (late files land in their own day's folder days later), hashes every file, and ingests
only files whose content bronze does not hold yet (lakehouse.storage.ingested_files explains the
protocol). A re-ingested file's rows are REPLACED (`replace_where` on `_landing_file`), never added.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pyspark.sql import functions as F

from lakehouse.storage import ingested_files as tracker
from lakehouse.storage import tables

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from lakehouse.sources.landing import LandingStore

DEFAULT_LOOKBACK_DAYS = 7


@dataclass(frozen=True)
class Batch:
    """One bronze run: its id and timestamp go on every row it writes."""

    batch_id: str
    ingested_at: datetime  # naive UTC (Spark TimestampType)

    @classmethod
    def new(cls) -> Batch:
        return cls(uuid.uuid4().hex, datetime.now(UTC).replace(tzinfo=None))


Builder = Callable[["SparkSession", "LandingStore", list[tracker.Candidate], Batch], "DataFrame"]


def folder_days(day: date, lookback_days: int) -> list[date]:
    """D and the `lookback_days` days before it, oldest first."""
    return [day - timedelta(days=back) for back in range(max(lookback_days, 0), -1, -1)]


def dated_files(store: LandingStore, prefix: str, suffixes: tuple[str, ...], days: list[date]) -> list[str]:
    """Files `<prefix>/date=YYYY-MM-DD/*<suffix>` of the given days, sorted."""
    found: list[str] = []
    for d in days:
        found.extend(f for f in store.list(f"{prefix}/date={d.isoformat()}/") if f.endswith(suffixes))
    return sorted(found)


def landing_date_from_path(column: str = "_landing_file") -> Any:
    """`_landing_date` (DateType) from the `date=YYYY-MM-DD/` folder in a landing path column."""
    return F.to_date(F.regexp_extract(F.col(column), r"date=(\d{4}-\d{2}-\d{2})/", 1))


def ingest(
    spark: SparkSession,
    store: LandingStore,
    *,
    feed: str,
    table: str,
    relpaths: list[str],
    build: Builder,
    partition_by: list[str] | None = None,
    batch: Batch | None = None,
) -> dict[str, Any]:
    """Ingest the new or changed files among `relpaths` into `table`; returns a summary.

    `build` turns the files to ingest into bronze rows (each row with `_landing_file`); for partitioned
    tables the predicate also names the partitions, so the replace only touches those.
    """
    batch = batch or Batch.new()
    candidates = [tracker.fingerprint(store, p, feed) for p in relpaths]
    known = tracker.tracked(spark, feed)
    todo = tracker.new_or_changed(candidates, known)
    summary: dict[str, Any] = {
        "feed": feed,
        "table": table,
        "batch_id": batch.batch_id,
        "files_seen": len(candidates),
        "files_skipped": len(candidates) - len(todo),
        "files_ingested": [c.landing_file for c in todo],
        "reingested": [c.landing_file for c in todo if c.landing_file in known],
        "rows": 0,
        "malformed": 0,
    }
    if not todo:
        return summary
    rows = build(spark, store, todo, batch)
    predicate = tracker.in_list("_landing_file", [c.landing_file for c in todo])
    if partition_by == ["_landing_date"]:
        days = sorted({c.landing_date.isoformat() for c in todo if c.landing_date is not None})
        predicate = f"{tracker.dates_in_list('_landing_date', days)} AND {predicate}"
    tables.replace_where(rows, table, predicate, partition_by=partition_by)
    counts = _counts(spark, table, batch.batch_id, predicate)
    tracker.record_bronze(
        spark,
        todo,
        {f: n for f, (n, _) in counts.items()},
        batch_id=batch.batch_id,
        ingested_at=batch.ingested_at,
        bronze_table=table,
    )
    summary["rows"] = sum(n for n, _ in counts.values())
    summary["malformed"] = sum(m for _, m in counts.values())
    return summary


def _counts(spark: SparkSession, table: str, batch_id: str, written: str) -> dict[str, tuple[int, int]]:
    """Rows and malformed rows per landing file that this batch wrote.

    `written` is the replace_where predicate of the write: it names the partitions and files written,
    so only those are read back (the batch id alone would scan every earlier day of bronze).
    """
    df = tables.read(spark, table).where(F.expr(written)).where(F.col("_batch_id") == batch_id)
    malformed = F.count("_parse_error") if "_parse_error" in df.columns else F.lit(0)
    rows = df.groupBy("_landing_file").agg(F.count(F.lit(1)).alias("n"), malformed.alias("m")).collect()
    return {r["_landing_file"]: (int(r["n"]), int(r["m"])) for r in rows}


def document_rows(
    spark: SparkSession,
    files: list[tracker.Candidate],
    batch: Batch,
    key_name: str,
    key_of: Callable[[str], str],
) -> DataFrame:
    """One bronze row per landed document (JSON, XML): the text as landed, where it came from.

    These files are small (one per city or bidding zone and day) and already in the driver for
    hashing, so they go to Spark with createDataFrame. Bytes that are not UTF-8 are kept decoded
    with replacement characters and flagged in `_parse_error`.
    """
    data = []
    for f in files:
        try:
            text, error = f.data.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            text, error = f.data.decode("utf-8", errors="replace"), f"not UTF-8: {exc}"
        data.append(
            (key_of(f.landing_file), text, error, f.landing_file, 1, f.landing_date, f.sha256,
             batch.batch_id, batch.ingested_at)
        )  # fmt: skip
    schema = (
        f"{key_name} string, document string, _parse_error string, _landing_file string, _line_number long, "
        "_landing_date date, _sha256 string, _batch_id string, _ingested_at timestamp"
    )
    return spark.createDataFrame(data, schema)


def stem(relpath: str) -> str:
    """'weather/date=2026-03-29/Prishtina.json' -> 'Prishtina'."""
    name = relpath.rsplit("/", 1)[-1]
    return name.split(".", 1)[0]


def ingest_dated(
    spark: SparkSession,
    day: date,
    *,
    feed: str,
    table: str,
    prefix: str,
    suffixes: tuple[str, ...],
    build: Callable[..., DataFrame],
    settings: Any = None,
    lookback_days: int | None = None,
    batch: Batch | None = None,
) -> dict[str, Any]:
    """Ingest the new or changed files of day D's folder and the LATE_FILE_LOOKBACK_DAYS folders before it."""
    from lakehouse.settings import get_settings
    from lakehouse.sources.landing import LandingStore

    settings = settings or get_settings()
    lookback = settings.late_file_lookback_days if lookback_days is None else lookback_days
    store = LandingStore(settings=settings)
    files = dated_files(store, prefix, suffixes, folder_days(day, lookback))
    summary = ingest(
        spark, store, feed=feed, table=table, relpaths=files, build=build,
        partition_by=["_landing_date"], batch=batch,
    )  # fmt: skip
    return {"day": day.isoformat(), **summary}


def main_for(run: Callable[..., dict[str, Any]], description: str, argv: list[str] | None = None) -> None:
    """The spark-submit entry of a bronze job: `--date D` runs `run(session(), D)` and prints its summary."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="local day D, YYYY-MM-DD")
    args = parser.parse_args(argv)
    from lakehouse.spark import session

    print(run(session(), args.date))
