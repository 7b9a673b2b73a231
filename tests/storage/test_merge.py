"""merge(keys): SQL MERGE INTO on Sail; duplicate or NULL source keys are refused before anything runs."""

from __future__ import annotations

import pytest

from lakehouse.storage import tables

TABLE = "silver.meters_merge"


def _meters(spark, rows: list[tuple[str, str, float | None]]):
    return spark.createDataFrame(rows, "meter_id string, region string, tariff double")


def test_first_merge_creates_then_upserts(tables_env, spark):
    first = tables.merge(
        _meters(spark, [("M1", "Peja", 0.1), ("M2", "Prizren", 0.2)]), TABLE, keys=["meter_id"]
    )
    assert first.created and first.rows_inserted == 2
    second = tables.merge(
        _meters(spark, [("M2", "Gjilan", 0.25), ("M3", "Prishtina", 0.3)]), TABLE, keys=["meter_id"]
    )
    assert (second.rows_inserted, second.rows_updated, second.rows_written) == (1, 1, 2)
    assert second.version > first.version
    got = sorted(tuple(r) for r in tables.read(spark, TABLE).collect())
    assert got == [("M1", "Peja", 0.1), ("M2", "Gjilan", 0.25), ("M3", "Prishtina", 0.3)]


def test_merge_rerun_is_idempotent(tables_env, spark):
    src = _meters(spark, [("M1", "Peja", 0.1), ("M2", "Prizren", 0.2)])
    for _ in range(3):
        tables.merge(src, TABLE, keys=["meter_id"])
    assert tables.read(spark, TABLE).count() == 2


def test_update_keeps_columns_the_source_lacks(tables_env, spark):
    tables.merge(_meters(spark, [("M1", "Peja", 0.1)]), TABLE, keys=["meter_id"])
    tables.merge(
        spark.createDataFrame([("M1", 0.9)], "meter_id string, tariff double"), TABLE, keys=["meter_id"]
    )
    assert tuple(tables.read(spark, TABLE).first()) == ("M1", "Peja", 0.9)


def test_duplicate_source_keys_are_refused_naming_them(tables_env, spark):
    tables.merge(_meters(spark, [("M1", "Peja", 0.1)]), TABLE, keys=["meter_id"])
    dupes = _meters(spark, [("M1", "Peja", 0.2), ("M1", "Peja", 0.3), ("M7", "Peja", 0.1)])
    with pytest.raises(tables.DuplicateKeyError, match="M1") as caught:
        tables.merge(dupes, TABLE, keys=["meter_id"])
    assert caught.value.keys == [{"meter_id": "M1", "rows": 2}]
    assert [tuple(r) for r in tables.read(spark, TABLE).collect()] == [("M1", "Peja", 0.1)]


def test_null_source_keys_are_refused(tables_env, spark):
    with pytest.raises(tables.DuplicateKeyError, match="NULL"):
        tables.merge(_meters(spark, [(None, "Peja", 0.1)]), TABLE, keys=["meter_id"])
    assert not tables.exists(TABLE)


def test_composite_keys_and_partitions(tables_env, spark, make_readings):
    from pyspark.sql import functions as F

    keys = ["meter_id", "interval_start_utc"]
    tables.merge(make_readings(), "silver.readings_merge", keys=keys, partition_by=["date_local"])
    changed = make_readings(meters=1, days=("2026-03-02", "2026-03-04")).withColumn("energy_kwh", F.lit(7.0))
    result = tables.merge(changed, "silver.readings_merge", keys=keys)
    assert (result.rows_updated, result.rows_inserted) == (24, 24)
    table = tables.read(spark, "silver.readings_merge")
    assert table.count() == 4 * 24 * 3 + 24
    assert table.where("energy_kwh = 7.0").count() == 48


def test_unknown_key_is_refused(tables_env, spark):
    with pytest.raises(tables.SchemaMismatchError, match="key columns"):
        tables.merge(_meters(spark, [("M1", "Peja", 0.1)]), TABLE, keys=["meter"])
