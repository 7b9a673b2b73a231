"""Bronze prices: the ENTSO-E A44 XML documents as landed, one row per file, exactly once per file.

Input: `prices/date=D/<bidding_zone>.xml` (DESIGN.md "Landing formats"). Output: `bronze.prices`,
partitioned by `_landing_date`: `bidding_zone` (from the file name), `document` (the XML text as landed),
`_parse_error` (bytes that are not UTF-8), `_landing_file`, `_line_number` (1: the document is the
record), `_sha256`, `_batch_id`, `_ingested_at`. Parsing happens in silver, so a broken response is
still kept here. The files are a few KB each and already read in the driver to be hashed, so rows are
built with createDataFrame.

Runnable with spark-submit or python: `spark_jobs/bronze_prices.py --date 2026-03-29`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from spark_jobs.bronze_files import Batch, document_rows, ingest_dated, main_for, stem

TABLE = "bronze.prices"
FEED = "prices"
PREFIX = "prices"
SUFFIXES = (".xml",)


def build(spark: SparkSession, store: Any, files: list[Any], batch: Batch) -> DataFrame:
    return document_rows(spark, files, batch, "bidding_zone", stem)


def run(
    spark: SparkSession,
    day: date,
    settings: Any = None,
    lookback_days: int | None = None,
    batch: Batch | None = None,
) -> dict[str, Any]:
    """Ingest the new or changed price files of day `day`'s folder and the lookback folders."""
    return ingest_dated(
        spark, day, feed=FEED, table=TABLE, prefix=PREFIX, suffixes=SUFFIXES, build=build,
        settings=settings, lookback_days=lookback_days, batch=batch,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    main_for(run, "Ingest landed ENTSO-E price files into bronze.", argv)


if __name__ == "__main__":
    main()
