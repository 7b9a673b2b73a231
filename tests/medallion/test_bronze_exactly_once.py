"""Exactly-once ingestion of landing files (like Auto Loader): a file is ingested once per content; a
changed file replaces its own rows in bronze and its newer values win in silver; late files in older
folders are found within LATE_FILE_LOOKBACK_DAYS; malformed lines stay in bronze with the reason."""

from __future__ import annotations

import gzip
from datetime import date, datetime, timedelta

from deltalake import DeltaTable
from pyspark.sql import functions as F

from lakehouse.pipeline import medallion_ingest
from lakehouse.sources.landing import LandingStore
from lakehouse.storage import tables

D = date(2026, 3, 29)
HEADER = "meter_id,timestamp,interval_min,energy_kwh,voltage_v,current_a,power_factor,status"
REGISTRY = "meter_id,region,customer_type,feeder_id,latitude,longitude,installed_on,tariff\n"
M1 = "M1,Prishtina,residential,PR-F001,42.66,21.16,2020-05-01,residential-single-rate\n"
M2 = "M2,Peja,commercial,PE-F002,42.66,20.29,2021-01-01,commercial-0.4kV\n"


def _csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def _reading(meter: str, end: str, energy: str) -> str:
    return f"{meter},{end},15,{energy},231.0,1.0,0.97,OK"


def _bronze(spark, file: str):
    return tables.read(spark, "bronze.meter_readings").where(F.col("_landing_file") == file)


def test_files_are_ingested_once_and_changed_files_replace_their_rows(medallion_env, spark) -> None:
    store = LandingStore()
    store.write_bytes("meters/registry/meters.csv", (REGISTRY + M1).encode())
    a = f"meters/readings/date={D}/a.csv"
    b = f"meters/readings/date={D}/b.csv.gz"
    store.write_bytes(a, _csv(_reading("M1", "2026-03-29T00:15:00+01:00", "0.100"), "M1,broken"))
    store.write_bytes(b, gzip.compress(_csv(_reading("M1", "2026-03-29T00:30:00+01:00", "0.200"))))

    first = medallion_ingest.bronze_meter_readings(D)
    assert sorted(first["files_ingested"]) == [a, b] and first["rows"] == 3 and first["malformed"] == 1
    broken = _bronze(spark, a).where(F.col("_line_number") == 3).first()
    assert (broken["_raw_line"], broken["_parse_error"]) == ("M1,broken", "expected 8 fields, got 2")
    medallion_ingest.bronze_meter_registry(D)
    medallion_ingest.silver_all(D)

    version = DeltaTable(tables.table_uri("bronze.meter_readings")).version()
    again = medallion_ingest.bronze_meter_readings(D)
    assert (again["files_skipped"], again["files_ingested"]) == (2, [])
    assert DeltaTable(tables.table_uri("bronze.meter_readings")).version() == version

    # the head-end re-exports a.csv with a corrected value and one more reading
    store.write_bytes(
        a,
        _csv(
            _reading("M1", "2026-03-29T00:15:00+01:00", "0.150"),
            _reading("M1", "2026-03-29T00:45:00+01:00", "0.3"),
        ),
    )
    batch_b = _bronze(spark, b).first()["_batch_id"]
    changed = medallion_ingest.bronze_meter_readings(D)
    assert changed["files_ingested"] == [a] and changed["reingested"] == [a]
    assert _bronze(spark, a).count() == 2  # replaced, not added to the 2 rows it had
    assert _bronze(spark, b).first()["_batch_id"] == batch_b  # other files untouched
    silver = medallion_ingest.silver_all(D)
    assert silver["affected_dates"] == [D.isoformat()]
    energy = {
        r["interval_start_utc"]: r["energy_kwh"]
        for r in tables.read(spark, "silver.meter_readings").collect()
    }
    assert energy == {
        datetime(2026, 3, 28, 23, 0): 0.15,
        datetime(2026, 3, 28, 23, 15): 0.2,
        datetime(2026, 3, 28, 23, 30): 0.3,
    }


def test_late_files_in_older_folders_are_found_within_the_lookback(medallion_env, spark) -> None:
    store = LandingStore()
    store.write_bytes("meters/registry/meters.csv", (REGISTRY + M1).encode())
    medallion_ingest.ingest_day(D)
    late = f"meters/readings/date={D - timedelta(days=3)}/x.late-{D}.csv"
    too_old = f"meters/readings/date={D - timedelta(days=8)}/y.late-{D}.csv"
    store.write_bytes(late, _csv(_reading("M1", "2026-03-26T12:15:00+01:00", "0.5")))
    store.write_bytes(too_old, _csv(_reading("M1", "2026-03-21T12:15:00+01:00", "0.5")))

    result = medallion_ingest.ingest_day(D)
    assert result["bronze"]["steps"]["bronze_meter_readings"]["files_ingested"] == [late]
    assert result["affected_dates"] == ["2026-03-26"]  # gold must rebuild the late file's day
    wider = medallion_ingest.bronze_meter_readings(D, lookback_days=8)
    assert wider["files_ingested"] == [too_old]


def test_a_changed_registry_replaces_silver_meters(medallion_env, spark) -> None:
    store = LandingStore()
    store.write_bytes("meters/registry/meters.csv", (REGISTRY + M1).encode())
    medallion_ingest.ingest_day(D)
    store.write_bytes(
        "meters/registry/meters.csv", (REGISTRY + M2 + M1.replace("Prishtina", "Gjilan")).encode()
    )
    medallion_ingest.ingest_day(D)
    got = {r["meter_id"]: r["region"] for r in tables.read(spark, "silver.meters").collect()}
    assert got == {"M1": "Gjilan", "M2": "Peja"}
    assert tables.read(spark, "bronze.meter_registry").count() == 2
