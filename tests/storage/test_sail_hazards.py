"""The Sail 0.7.2 behaviours the write API exists to avoid, shown on raw writes (DESIGN.md).

If one of these starts failing after a Sail upgrade, the hazard is gone: the matching guard in
lakehouse.storage.tables may be relaxed (and DESIGN.md updated). Raw writes go to a temp path only.
"""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.skipif(bool(os.environ.get("SPARK_REMOTE")), reason="documents Sail's behaviour")


def _seed(spark, path: str) -> None:
    from pyspark.sql import functions as F

    spark.range(9).select("id", (F.col("id") % 3).cast("string").alias("part")).write.format(
        "delta"
    ).partitionBy("part").save(path)


def _parts(spark, path: str) -> dict[str, int]:
    return {
        r.part: r["count"] for r in spark.read.format("delta").load(path).groupBy("part").count().collect()
    }


def test_raw_dynamic_partition_overwrite_replaces_the_whole_table(spark, tmp_path):
    from pyspark.sql import functions as F

    path = str(tmp_path / "t")
    _seed(spark, path)
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    try:
        spark.range(1).select("id", F.lit("0").alias("part")).write.format("delta").mode("overwrite").save(
            path
        )
    finally:
        spark.conf.set("spark.sql.sources.partitionOverwriteMode", "static")
    assert _parts(spark, path) == {"0": 1}  # partitions 1 and 2 are gone


def test_raw_replace_where_accepts_rows_outside_the_predicate(spark, tmp_path):
    from pyspark.sql import functions as F

    path = str(tmp_path / "t")
    _seed(spark, path)
    stray = spark.range(2).select("id", F.lit("1").alias("part"))
    stray.write.format("delta").mode("overwrite").option("replaceWhere", "part = '0'").save(path)
    assert _parts(spark, path) == {"1": 5, "2": 3}  # the stray rows landed in partition 1


def test_raw_merge_schema_loses_new_columns(spark, tmp_path):
    from deltalake import DeltaTable
    from pyspark.sql import functions as F

    path = str(tmp_path / "t")
    _seed(spark, path)  # spark.range: id is NOT NULL
    more = spark.range(9, 10).select("id", F.lit("0").alias("part"), F.lit("x").alias("new"))
    more.write.format("delta").mode("append").option("mergeSchema", "true").save(path)
    assert "new" not in spark.read.format("delta").load(path).columns
    assert all(not f.nullable for f in DeltaTable(path).schema().fields)
