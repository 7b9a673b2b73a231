"""Bronze meter registry: `meters/registry/meters.csv` as landed, one row per line, exactly once per content.

The registry is a snapshot at a fixed path that the sources re-land when it changes. A run ingests it
when its content differs from what bronze holds, replacing the previous snapshot's rows (the file
path is the same), so `bronze.meter_registry` holds the current snapshot with `_batch_id` and
`_ingested_at` of the batch that brought it. Lines are split by the file's own header like the
meter readings (spark_jobs/bronze_meter_readings.py); bad lines keep `_raw_line` and `_parse_error`.

Runnable with spark-submit or python: `spark_jobs/bronze_meter_registry.py --date 2026-03-29`.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from spark_jobs.bronze_files import Batch, ingest
from spark_jobs.bronze_meter_readings import first_line, read_lines, to_bronze

TABLE = "bronze.meter_registry"
FEED = "registry"
REGISTRY_PATH = "meters/registry/meters.csv"
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


def build(spark: SparkSession, store: Any, files: list[Any], batch: Batch) -> DataFrame:
    lines = read_lines(spark, store, [f.landing_file for f in files])
    headers = {f.landing_file: first_line(f.landing_file, f.data) for f in files}
    rows = to_bronze(
        lines, batch_id=batch.batch_id, ingested_at=batch.ingested_at, columns=COLUMNS, headers=headers
    )
    return rows.drop("_landing_date")  # the registry is not a dated feed


def run(spark: SparkSession, day: date, settings: Any = None, batch: Batch | None = None) -> dict[str, Any]:
    """Ingest the landed registry if its content is new (day D only labels the summary)."""
    from lakehouse.sources.landing import LandingStore

    store = LandingStore(settings=settings)
    files = [REGISTRY_PATH] if store.exists(REGISTRY_PATH) else []
    summary = ingest(spark, store, feed=FEED, table=TABLE, relpaths=files, build=build, batch=batch)
    return {"day": day.isoformat(), **summary}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Ingest the landed meter registry into bronze.")
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="local day D, YYYY-MM-DD")
    args = parser.parse_args(argv)
    from lakehouse.spark import session

    print(run(session(), args.date))


if __name__ == "__main__":
    main()
