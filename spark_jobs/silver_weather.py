"""Silver weather: Open-Meteo responses -> one row per (city, hour_utc) (silver.weather_hourly).

Parsed in the driver with lakehouse.sources.open_meteo.hourly_records (pure, the connector's own
validated reader: `hour_utc = time - utc_offset_seconds`; responses are landed with timezone GMT),
then conformed in Spark (`conform`, pure). Why not Spark's JSON reader: Sail 0.7.2 cannot read
multi-line JSON files; `from_json` on bronze's document string works, but Sail evaluates the parse
again for every field reference (about 0.5 s per action for five documents, 10 s per run), while the
five documents of a day (a few KB each) parse in milliseconds here.

Quarantine (source `weather`): MALFORMED_DOCUMENT (not UTF-8, not JSON, no hourly.time, arrays of
different lengths, non-numbers: the parser's message; one row per file, line_number 0),
BAD_TIMESTAMP (an hourly time that is not a time), OUT_OF_RANGE (temperature outside [-60, 60] C,
humidity or cloud cover outside [0, 100] %, negative wind speed, radiation outside [0, 1500] W/m2).
"""

from __future__ import annotations

import argparse
import json
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

TABLE = "silver.weather_hourly"
BRONZE = "bronze.weather"
FEED = "weather"
KEYS = ["city", "hour_utc"]
# Open-Meteo variable -> silver column
VARIABLES = {
    "temperature_2m": "temperature_c",
    "relative_humidity_2m": "relative_humidity_pct",
    "wind_speed_10m": "wind_speed_kmh",
    "cloud_cover": "cloud_cover_pct",
    "shortwave_radiation": "shortwave_radiation_wm2",
}
LINEAGE = "_landing_file string, _landing_date date, _ingested_at timestamp, _batch_id string"
RECORD_SCHEMA = (
    "city string, hour_utc timestamp, "
    + ", ".join(f"{c} double" for c in VARIABLES.values())
    + ", latitude double, longitude double, _time string, _line_number long, reason string, detail string, "
    + f"raw_record string, {LINEAGE}"
)
OUTPUT_COLUMNS = (
    "city",
    "hour_utc",
    *VARIABLES.values(),
    "latitude",
    "longitude",
    "date_local",
    "_landing_file",
    "_line_number",
    "_landing_date",
    "_ingested_at",
    "_batch_id",
    "_arrival",
)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def parse_documents(documents: list[dict[str, Any]]) -> list[tuple]:
    """Bronze document rows -> one RECORD_SCHEMA tuple per hour, or one per unusable document (pure)."""
    from lakehouse.sources.errors import SourceFormatError
    from lakehouse.sources.open_meteo import hourly_records

    out: list[tuple] = []
    empty = (None,) * len(VARIABLES)
    for doc in documents:
        lineage = (doc["_landing_file"], doc["_landing_date"], doc["_ingested_at"], doc["_batch_id"])
        text = doc["document"] or ""
        try:
            if doc.get("_parse_error"):
                raise SourceFormatError(doc["_parse_error"])
            try:
                payload = json.loads(text)
            except ValueError as error:
                raise SourceFormatError(f"not JSON: {error}") from None
            records = hourly_records(payload)
        except SourceFormatError as error:
            problem = ("MALFORMED_DOCUMENT", str(error), text[:4000])
            out.append((doc["city"], None, *empty, None, None, None, 0, *problem, *lineage))
            continue
        lat, lon = _float(payload.get("latitude")), _float(payload.get("longitude"))
        times = payload["hourly"]["time"]
        for position, (record, time_text) in enumerate(zip(records, times, strict=True), start=1):
            values = tuple(_float(record[v]) for v in VARIABLES)
            raw = json.dumps({"time": time_text, **{v: record[v] for v in VARIABLES}})
            hour = record["hour_utc"].replace(tzinfo=None)  # naive UTC for TimestampType
            out.append((doc["city"], hour, *values, lat, lon, time_text, position, None, None, raw, *lineage))
    return out


def conform(records: DataFrame, tz: str = "Europe/Belgrade") -> DataFrame:
    """Parsed hourly records -> rows with `reason`/`detail` (NULL when good), date_local, arrival (pure)."""
    c = F.col
    out_of_range = F.coalesce(
        ~c("temperature_c").between(-60.0, 60.0)
        | ~c("relative_humidity_pct").between(0.0, 100.0)
        | ~c("cloud_cover_pct").between(0.0, 100.0)
        | (c("wind_speed_kmh") < 0)
        | ~c("shortwave_radiation_wm2").between(0.0, 1500.0),
        F.lit(False),
    )
    document_ok = c("reason").isNull()
    reason = (
        F.when(~document_ok, c("reason"))
        .when(c("hour_utc").isNull(), F.lit("BAD_TIMESTAMP"))
        .when(out_of_range, F.lit("OUT_OF_RANGE"))
    )
    detail = (
        F.when(~document_ok, c("detail"))
        .when(c("hour_utc").isNull(), F.concat(F.lit("time="), F.coalesce("_time", F.lit("NULL"))))
        .when(out_of_range, c("raw_record"))
    )
    return (
        records.withColumn("reason", reason)
        .withColumn("detail", detail)
        .withColumn("date_local", local_date("hour_utc", tz))
        .withColumn("_arrival", arrival())
        .drop("_time")
    )


def hourly(conformed: DataFrame) -> DataFrame:
    """Good rows, one per (city, hour_utc): the latest arrival (pure)."""
    return latest_per_key(conformed.where(F.col("reason").isNull()).select(*OUTPUT_COLUMNS), KEYS)


def run(spark: SparkSession, day: date | None = None, settings: Any = None) -> dict[str, Any]:
    """Apply every bronze weather file silver has not applied yet; returns figures and affected dates."""
    from lakehouse.settings import get_settings

    settings = settings or get_settings()
    pending, bronze = pending_bronze(spark, FEED, BRONZE)
    if bronze is None:
        return summary(FEED, pending, hours=0, affected_dates=[])
    detected = now()
    records = parse_documents([r.asDict() for r in bronze.collect()])
    conformed = conform(spark.createDataFrame(records, RECORD_SCHEMA), settings.local_timezone)
    good = hourly(conformed)
    result = tables.merge(good, TABLE, keys=KEYS, partition_by=["date_local"], update_condition=NEWER_ARRIVAL)
    quarantined = write_quarantine(
        quarantine_rows(conformed.where(F.col("reason").isNotNull()), FEED, detected)
    )
    affected = dates_of(good)
    tracker.record_silver(spark, pending, at=detected)
    return summary(
        FEED,
        pending,
        hours=result.rows_written,
        inserted=result.rows_inserted,
        updated=result.rows_updated,
        quarantined=quarantined,
        affected_dates=[d.isoformat() for d in affected],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Apply pending bronze weather files to silver.")
    parser.parse_args(argv)
    from lakehouse.spark import session

    print(run(session()))


if __name__ == "__main__":
    main()
