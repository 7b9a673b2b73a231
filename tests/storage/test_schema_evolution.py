"""Hazard: under mergeSchema Sail drops new columns (table with non-nullable columns) or adds them as
NOT NULL (after which older files cannot be read). The API creates every column nullable and adds new
columns through delta-rs, so a new nullable column survives every write kind."""

from __future__ import annotations

import pytest

from lakehouse.storage import tables

TABLE = "gold.meter_daily_se"


def _schema(name: str):
    from deltalake import DeltaTable

    return {f.name: f.nullable for f in DeltaTable(tables.table_uri(name)).schema().fields}


def _seed(spark):
    from pyspark.sql import functions as F

    # spark.range gives a NOT NULL id, and Sail keeps literals NOT NULL: the table must still be nullable.
    df = spark.range(6).select(
        F.col("id").alias("meter"), (F.col("id") % 3).cast("string").alias("day"), F.lit(1.5).alias("kwh")
    )
    result = tables.append(df, TABLE, partition_by=["day"])
    assert result.created and result.version >= 1
    assert _schema(TABLE) == {"meter": True, "day": True, "kwh": True}
    return df


def _check_new_column(spark, column: str, expected: dict[int, object]) -> None:
    assert _schema(TABLE)[column] is True
    got = {r.meter: r[column] for r in tables.read(spark, TABLE).collect()}
    assert got == expected


def test_new_column_survives_append(tables_env, spark):
    from pyspark.sql import functions as F

    df = _seed(spark)
    more = df.where("meter < 2").withColumn("meter", F.col("meter") + 10).withColumn("cost_eur", F.lit(0.25))
    result = tables.append(more, TABLE)
    assert result.added_columns == ("cost_eur",) and result.rows_written == 2
    _check_new_column(
        spark, "cost_eur", {0: None, 1: None, 2: None, 3: None, 4: None, 5: None, 10: 0.25, 11: 0.25}
    )
    # A second new column after the first: the case Sail's mergeSchema silently drops.
    tables.append(more.withColumn("meter", F.col("meter") + 10).withColumn("note", F.lit("x")), TABLE)
    assert _schema(TABLE)["note"] is True
    assert tables.read(spark, TABLE).where("note = 'x'").count() == 2


def test_new_column_survives_replace_where(tables_env, spark):
    from pyspark.sql import functions as F

    df = _seed(spark)
    day0 = df.where("day = '0'").withColumn("cost_eur", F.lit(0.5))
    result = tables.replace_where(day0, TABLE, "day = '0'")
    assert result.added_columns == ("cost_eur",)
    _check_new_column(spark, "cost_eur", {0: 0.5, 3: 0.5, 1: None, 4: None, 2: None, 5: None})


def test_new_column_survives_merge(tables_env, spark):
    from pyspark.sql import functions as F

    df = _seed(spark)
    upd = (
        df.where("meter IN (1, 2)")
        .withColumn("cost_eur", F.lit(0.75))
        .union(
            spark.range(7, 8).select(
                F.col("id").alias("meter"),
                F.lit("1").alias("day"),
                F.lit(2.0).alias("kwh"),
                F.lit(0.75).alias("cost_eur"),
            )
        )
    )
    result = tables.merge(upd, TABLE, keys=["meter"])
    assert result.added_columns == ("cost_eur",)
    assert (result.rows_inserted, result.rows_updated) == (1, 2)
    _check_new_column(spark, "cost_eur", {0: None, 1: 0.75, 2: 0.75, 3: None, 4: None, 5: None, 7: 0.75})


def test_missing_columns_are_written_as_null(tables_env, spark):
    df = _seed(spark)
    tables.append(df.select("meter", "day").where("meter = 0"), TABLE)
    assert tables.read(spark, TABLE).where("kwh IS NULL").count() == 1


def test_column_order_does_not_matter_and_ints_widen(tables_env, spark):
    from pyspark.sql import functions as F

    _seed(spark)
    tables.append(
        spark.range(1).select(F.lit(2.5).alias("kwh"), F.lit("9").alias("day"), F.lit(42).alias("meter")),
        TABLE,
    )
    row = tables.read(spark, TABLE).where("meter = 42").first()
    assert (row.day, row.kwh) == ("9", 2.5)


def test_incompatible_type_is_refused(tables_env, spark):
    from pyspark.sql import functions as F

    _seed(spark)
    with pytest.raises(tables.SchemaMismatchError, match="kwh: table double, DataFrame string"):
        tables.append(spark.range(1).select(F.col("id").alias("meter"), F.lit("x").alias("kwh")), TABLE)


def test_partitioning_is_fixed_at_creation(tables_env, spark):
    df = _seed(spark)
    with pytest.raises(tables.SchemaMismatchError, match=r"partitioned by \['day'\], not \['meter'\]"):
        tables.append(df, TABLE, partition_by=["meter"])


def test_case_clash_is_refused(tables_env, spark):
    df = _seed(spark)
    with pytest.raises(tables.SchemaMismatchError, match="differs only by case"):
        tables.append(df.withColumnRenamed("kwh", "KWH"), TABLE)
