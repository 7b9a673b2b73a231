"""Scratch Parquet for intermediate results: read back exactly, empty frames keep their schema, cleared."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest

from lakehouse.storage import scratch, tables

SCHEMA = "k string, ts timestamp, d date, v double, n long, note string"
ROWS = [
    ("a", datetime(2026, 3, 29, 1, 15), date(2026, 3, 29), 0.25, 7, None),
    ("b", datetime(2026, 10, 25, 0, 0), date(2026, 10, 25), None, None, "x,y"),
]


def _folders(name: str) -> list[str]:
    root = scratch.scratch_uri(name)
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_rows_and_schema_come_back_exactly(tables_env, spark) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    staged = scratch.write(df, "silver._probe")
    assert staged.df.schema.simpleString() == df.schema.simpleString()
    assert sorted(map(tuple, staged.df.collect()), key=repr) == sorted(ROWS, key=repr)
    assert staged.uri.startswith(scratch.scratch_uri("silver._probe"))
    assert not tables.exists("silver._probe")  # not a table, and not under the layers
    staged.clear()
    assert _folders("silver._probe") == []


def test_an_empty_frame_reads_back_empty_with_its_schema(tables_env, spark) -> None:
    empty = spark.createDataFrame(ROWS, SCHEMA).limit(0)
    staged = scratch.write(empty, "silver._probe")
    assert staged.df.count() == 0
    assert staged.df.columns == empty.columns
    staged.clear()


def test_a_new_run_removes_the_runs_before_it(tables_env, spark) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)
    scratch.write(df, "silver._probe")  # as if killed before clear()
    second = scratch.write(df.limit(1), "silver._probe")
    assert _folders("silver._probe") == [second.uri.rsplit("/", 1)[-1]]
    assert second.df.count() == 1
    scratch.clear("silver._probe")


def test_names_follow_the_table_naming(tables_env) -> None:
    with pytest.raises(tables.TableNameError):
        scratch.scratch_uri("../etc")
