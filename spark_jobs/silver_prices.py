"""Silver prices: ENTSO-E A44 documents -> silver.day_ahead_prices and silver.day_ahead_prices_hourly.

Parsed in the driver with lakehouse.sources.entsoe.parse_prices (pure, the connector's own parser:
PT15M/PT60M/PT30M, A01/A03 curves, several auctions, 23/25-hour days, acknowledgements): a document
is one bidding zone and day, a few KB, and XML has no Spark reader on Sail. The rows then go to Spark
(`to_silver`, pure) for `date_local` and arrival order, and are MERGEd on (bidding_zone,
interval_start_utc) with only newer arrivals updating. The hourly view (mean of each hour's
intervals) is rebuilt for every affected date with replace_where.

Quarantine (source `prices`): MALFORMED_DOCUMENT (not UTF-8, not XML, not an A44 document, an
acknowledgement instead of prices), line_number 0, the parser's message as detail.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.storage import ingested_files as tracker
from lakehouse.storage import tables
from spark_jobs.silver_common import (
    NEWER_ARRIVAL,
    arrival,
    dates_of,
    latest_per_key,
    local_date,
    now,
    pending_bronze,
    quarantine_rows,
    summary,
    write_quarantine,
)

TABLE = "silver.day_ahead_prices"
HOURLY = "silver.day_ahead_prices_hourly"
BRONZE = "bronze.prices"
FEED = "prices"
KEYS = ["bidding_zone", "interval_start_utc"]
LINEAGE = "_landing_file string, _landing_date date, _ingested_at timestamp, _batch_id string"
PARSED_SCHEMA = (
    f"bidding_zone string, interval_start_utc timestamp, resolution_min int, price_eur_mwh double, "
    f"_line_number long, {LINEAGE}"
)
REJECTED_SCHEMA = (
    f"bidding_zone string, reason string, detail string, raw_record string, _line_number long, {LINEAGE}"
)


def parse_documents(documents: list[dict[str, Any]]) -> tuple[list[tuple], list[tuple]]:
    """Bronze document rows -> (price rows, rejected documents) as PARSED/REJECTED_SCHEMA tuples (pure)."""
    from lakehouse.sources.entsoe import parse_prices
    from lakehouse.sources.errors import SourceError

    parsed: list[tuple] = []
    rejected: list[tuple] = []
    for doc in documents:
        lineage = (doc["_landing_file"], doc["_landing_date"], doc["_ingested_at"], doc["_batch_id"])
        try:
            if doc.get("_parse_error"):
                raise SourceError(doc["_parse_error"])
            rows = parse_prices(doc["document"])
        except SourceError as error:
            detail = f"{type(error).__name__}: {error}"
            rejected.append(
                (
                    doc["bidding_zone"],
                    "MALFORMED_DOCUMENT",
                    detail,
                    (doc["document"] or "")[:4000],
                    0,
                    *lineage,
                )
            )
            continue
        for position, row in enumerate(rows, start=1):
            start = row.interval_start_utc.replace(tzinfo=None)  # naive UTC for TimestampType
            parsed.append(
                (doc["bidding_zone"], start, row.resolution_min, row.price_eur_mwh, position, *lineage)
            )
    return parsed, rejected


def to_silver(parsed: DataFrame, tz: str = "Europe/Belgrade") -> DataFrame:
    """Parsed price rows -> silver rows, one per key (latest arrival), with date_local (pure)."""
    rows = parsed.withColumn("date_local", local_date("interval_start_utc", tz)).withColumn(
        "_arrival", arrival()
    )
    return latest_per_key(rows, KEYS)


def hourly(prices: DataFrame, tz: str = "Europe/Belgrade") -> DataFrame:
    """silver.day_ahead_prices rows -> the mean price of each UTC hour per zone (pure)."""
    hour = F.date_trunc("hour", "interval_start_utc")
    return (
        prices.groupBy("bidding_zone", hour.alias("hour_utc"))
        .agg(
            F.avg("price_eur_mwh").alias("price_eur_mwh"),
            F.count(F.lit(1)).cast("int").alias("intervals"),
            F.min("resolution_min").cast("int").alias("resolution_min"),
        )
        .withColumn("date_local", local_date("hour_utc", tz))
    )


def run(spark: SparkSession, day: date | None = None, settings: Any = None) -> dict[str, Any]:
    """Apply every bronze price file silver has not applied yet; rebuild the hourly view of affected dates."""
    from lakehouse.settings import get_settings

    settings = settings or get_settings()
    pending, bronze = pending_bronze(spark, FEED, BRONZE)
    if bronze is None:
        return summary(FEED, pending, intervals=0, affected_dates=[])
    detected = now()
    documents = [r.asDict() for r in bronze.collect()]
    parsed, rejected = parse_documents(documents)
    tz = settings.local_timezone
    figures: dict[str, Any] = {"intervals": 0, "inserted": 0, "updated": 0}
    affected: list[date] = []
    if parsed:
        good = to_silver(spark.createDataFrame(parsed, PARSED_SCHEMA), tz)
        result = tables.merge(
            good, TABLE, keys=KEYS, partition_by=["date_local"], update_condition=NEWER_ARRIVAL
        )
        figures = {
            "intervals": result.rows_written,
            "inserted": result.rows_inserted,
            "updated": result.rows_updated,
        }
        affected = dates_of(good)
        where = tracker.dates_in_list("date_local", affected)
        rebuilt = hourly(tables.read(spark, TABLE).where(F.expr(where)), tz)
        tables.replace_where(rebuilt, HOURLY, where, partition_by=["date_local"])
    bad = spark.createDataFrame(rejected, REJECTED_SCHEMA).withColumn("date_local", F.lit(None).cast("date"))
    quarantined = write_quarantine(quarantine_rows(bad, FEED, detected))
    tracker.record_silver(spark, pending, at=detected)
    return summary(
        FEED, pending, **figures, quarantined=quarantined, affected_dates=[d.isoformat() for d in affected]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Apply pending bronze price files to silver.")
    parser.parse_args(argv)
    from lakehouse.spark import session

    print(run(session()))


if __name__ == "__main__":
    main()
