"""Hazard: dynamic partition overwrite replaces the whole table on Sail.

replace_where must replace exactly the rows its predicate names and nothing else, whatever the
session's partitionOverwriteMode, and must refuse predicates or rows that could escape that slice.
"""

from __future__ import annotations

import pytest

from lakehouse.storage import tables

TABLE = "silver.readings_rw"


def _files(name: str, day: str) -> set[str]:
    from deltalake import DeltaTable

    table = DeltaTable(tables.table_uri(name))
    return {uri for uri in table.file_uris() if f"date_local={day}" in uri}


def _seed(make_readings):
    df = make_readings()
    tables.append(df, TABLE, partition_by=["date_local"])
    return df


@pytest.mark.parametrize("session_mode", ["static", "dynamic"])
def test_replace_where_leaves_other_partitions_byte_for_byte(
    tables_env, spark, make_readings, sorted_rows, session_mode
):
    from pyspark.sql import functions as F

    _seed(make_readings)
    before = {
        d: sorted_rows(tables.read(spark, TABLE).where(f"date_local = '{d}'"))
        for d in ("2026-03-01", "2026-03-03")
    }
    files_before = {d: _files(TABLE, d) for d in ("2026-03-01", "2026-03-03")}
    # Even a session set to dynamic overwrite (the mode that wipes the whole table on Sail) must not matter.
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", session_mode)
    try:
        new_day = make_readings(meters=2, days=("2026-03-02",)).withColumn("energy_kwh", F.lit(9.0))
        result = tables.replace_where(new_day, TABLE, "date_local = '2026-03-02'")
    finally:
        spark.conf.set("spark.sql.sources.partitionOverwriteMode", "static")

    assert result.rows_written == 2 * 24
    table = tables.read(spark, TABLE)
    replaced = table.where("date_local = '2026-03-02'")
    assert replaced.count() == 48
    assert {r.energy_kwh for r in replaced.collect()} == {9.0}
    for day in ("2026-03-01", "2026-03-03"):
        assert sorted_rows(table.where(f"date_local = '{day}'")) == before[day]
        assert _files(TABLE, day) == files_before[day]  # not even rewritten


def test_rows_outside_the_predicate_are_refused_and_table_unchanged(tables_env, spark, make_readings):
    _seed(make_readings)
    version = tables.read(spark, TABLE).count(), _version()
    # Two days of rows, but the predicate names only one: Sail would silently write both.
    stray = make_readings(meters=2, days=("2026-03-02", "2026-03-03"))
    with pytest.raises(tables.RowsOutsidePredicateError, match="48 of 96 rows do not match") as caught:
        tables.replace_where(stray, TABLE, "date_local = '2026-03-02'")
    assert caught.value.rows == 48
    assert caught.value.sample and all(r["date_local"] == "2026-03-03" for r in caught.value.sample)
    assert (tables.read(spark, TABLE).count(), _version()) == version


def test_rows_with_null_in_the_predicate_column_are_outside(tables_env, spark, make_readings):
    from pyspark.sql import functions as F

    _seed(make_readings)
    nulls = make_readings(meters=1, days=("2026-03-02",)).withColumn("date_local", F.lit(None).cast("string"))
    with pytest.raises(tables.RowsOutsidePredicateError):
        tables.replace_where(nulls, TABLE, "date_local = '2026-03-02'")


@pytest.mark.parametrize(
    ("predicate", "message"),
    [
        ("", "needs a predicate"),
        ("   ", "needs a predicate"),
        ("true", "names no column"),
        ("1 = 1", "names no column"),
        ("date_local IS NULL OR date_local IS NOT NULL", "always true"),
        ("date_local = '2026-03-02' OR 1 = 1", "always true"),
        ("no_such_column = 1", "lacks"),
        ("date_local = = 'x'", "Cannot parse"),
    ],
)
def test_dangerous_predicates_are_refused(tables_env, spark, make_readings, predicate, message):
    _seed(make_readings)
    version = _version()
    with pytest.raises(tables.PredicateError, match=message):
        tables.replace_where(make_readings(days=("2026-03-02",)), TABLE, predicate)
    assert _version() == version


def test_empty_dataframe_deletes_only_the_named_slice(tables_env, spark, make_readings):
    _seed(make_readings)
    empty = make_readings(days=("2026-03-02",)).limit(0)
    result = tables.replace_where(empty, TABLE, "date_local = '2026-03-02'")
    assert result.rows_written == 0
    counts = {
        r.date_local: r["count"] for r in tables.read(spark, TABLE).groupBy("date_local").count().collect()
    }
    assert counts == {"2026-03-01": 96, "2026-03-03": 96}


def test_rerun_is_idempotent_and_first_write_creates(tables_env, spark, make_readings):
    day = make_readings(days=("2026-03-02",))
    first = tables.replace_where(day, TABLE, "date_local = '2026-03-02'", partition_by=["date_local"])
    assert first.created
    for _ in range(2):
        tables.replace_where(day, TABLE, "date_local = '2026-03-02'")
    assert tables.read(spark, TABLE).count() == 96


def test_a_refused_first_write_creates_no_table(tables_env, spark, make_readings):
    stray = make_readings(meters=1, days=("2026-03-02", "2026-03-03"))
    with pytest.raises(tables.RowsOutsidePredicateError, match="24 of 48 rows"):
        tables.replace_where(stray, TABLE, "date_local = '2026-03-02'", partition_by=["date_local"])
    assert not tables.exists(TABLE)


def test_a_refused_write_with_a_new_column_leaves_the_schema_alone(tables_env, spark, make_readings):
    from pyspark.sql import functions as F

    _seed(make_readings)
    columns, version = tables.read(spark, TABLE).columns, _version()
    stray = make_readings(meters=1, days=("2026-03-02", "2026-03-03")).withColumn("cost_eur", F.lit(1.0))
    with pytest.raises(tables.RowsOutsidePredicateError):
        tables.replace_where(stray, TABLE, "date_local = '2026-03-02'")
    assert (tables.read(spark, TABLE).columns, _version()) == (columns, version)


def test_rows_are_checked_after_the_dataframes_own_filters_and_joins(tables_env, spark, make_readings):
    """The in-write check must see the DataFrame's rows, not the rows its filters and joins removed."""
    from pyspark.sql import functions as F

    _seed(make_readings)
    wide = make_readings(meters=2, days=("2026-03-01", "2026-03-02", "2026-03-03"))
    days = spark.createDataFrame(
        [("2026-03-02", "replace"), ("2026-03-03", "keep")], "date_local string, what string"
    )
    chosen = wide.join(F.broadcast(days), "date_local").where(F.col("what") == "replace").drop("what")
    result = tables.replace_where(chosen, TABLE, "date_local = '2026-03-02'")
    assert result.rows_written == 48
    filtered = wide.where(F.col("date_local") == "2026-03-02").withColumn("energy_kwh", F.lit(7.0))
    assert tables.replace_where(filtered, TABLE, "date_local = '2026-03-02'").rows_written == 48
    counts = {
        r.date_local: r["count"] for r in tables.read(spark, TABLE).groupBy("date_local").count().collect()
    }
    assert counts == {"2026-03-01": 96, "2026-03-02": 48, "2026-03-03": 96}


def _version() -> int:
    from deltalake import DeltaTable

    return DeltaTable(tables.table_uri(TABLE)).version()
