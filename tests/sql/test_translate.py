"""Trino semantics where DuckDB differs, checked against Trino's documented results (DuckDB only)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from lakehouse.sql.javatime import java_to_strftime
from lakehouse.sql.translate import translate

COLUMNS = {"a": "BIGINT", "b": "INTEGER", "x": "DOUBLE", "d": "DATE", "ts": "TIMESTAMP WITH TIME ZONE"}


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("ATTACH ':memory:' AS lakehouse")
    con.execute("CREATE SCHEMA lakehouse.gold")
    con.execute(
        "CREATE TABLE lakehouse.gold.t AS SELECT 7::BIGINT a, -2::INTEGER b, 7.0::DOUBLE x, "
        "DATE '2026-01-31' d, TIMESTAMPTZ '2026-03-29 01:30:00+00' ts"
    )
    return con


def run(duck, sql: str):
    translated = translate(sql, catalog="lakehouse", schema="gold", columns=lambda _ref: COLUMNS)
    return duck.execute(translated.sql).fetchone()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 7 / 2", 3),  # Trino: integer division
        ("SELECT -7 / 2", -3),  # truncates toward zero (not floor: -4)
        ("SELECT a / b FROM t", -3),  # typed columns: bigint / integer
        ("SELECT x / 2 FROM t", 3.5),  # double stays double
        ("SELECT a / 2.0 FROM t", 3.5),
        ("SELECT CAST(a AS double) / 2 FROM t", 3.5),
        ("SELECT sum(a) / count(*) FROM t", 7),
        ("SELECT 7 % 3", 1),
    ],
)
def test_division(duck, sql: str, expected) -> None:
    assert run(duck, sql)[0] == expected


def test_date_arithmetic_keeps_dates(duck) -> None:
    # Trino: date + interval day/month -> date; date_add on a date -> date; date_trunc on a date -> date.
    assert run(duck, "SELECT d + INTERVAL '1' DAY FROM t")[0] == dt.date(2026, 2, 1)
    assert run(duck, "SELECT date_add('month', 1, d) FROM t")[0] == dt.date(2026, 2, 28)
    assert run(duck, "SELECT date_trunc('month', d) FROM t")[0] == dt.date(2026, 1, 1)
    assert run(duck, "SELECT d - INTERVAL '1' MONTH FROM t")[0] == dt.date(2025, 12, 31)


def test_date_diff_counts_whole_units(duck) -> None:
    # Trino: date_diff('day', 23:00, next day 01:00) = 0 (2 hours); DuckDB's date_diff would say 1.
    sql = "SELECT date_diff('day', TIMESTAMP '2020-01-01 23:00:00', TIMESTAMP '2020-01-02 01:00:00')"
    assert run(duck, sql)[0] == 0
    assert run(duck, "SELECT date_diff('hour', ts, ts + INTERVAL '90' MINUTE) FROM t")[0] == 1
    assert run(duck, "SELECT date_diff('day', DATE '2026-03-01', DATE '2026-03-29')")[0] == 28


def test_format_and_parse_datetime(duck) -> None:
    assert run(duck, "SELECT format_datetime(ts, 'yyyy-MM-dd HH:mm:ss') FROM t")[0] == "2026-03-29 01:30:00"
    local = "SELECT format_datetime(ts AT TIME ZONE 'Europe/Belgrade', 'dd.MM.yyyy H''h''') FROM t"
    assert run(duck, local)[0] == "29.03.2026 3h"  # CEST after the spring change
    assert run(duck, "SELECT format_datetime(ts, 'EEEE, MMMM d') FROM t")[0] == "Sunday, March 29"
    parsed = run(duck, "SELECT parse_datetime('2026-03-29 03:15', 'yyyy-MM-dd HH:mm')")[0]
    assert parsed == dt.datetime(2026, 3, 29, 3, 15, tzinfo=dt.UTC)


def test_java_patterns() -> None:
    assert java_to_strftime("yyyy-MM-dd'T'HH:mm:ss.SSS") == "%Y-%m-%dT%H:%M:%S.%g"
    assert java_to_strftime("yy/M/d h:mm a") == "%y/%-m/%-d %-I:%M %p"
    assert java_to_strftime("'it''s' 100%") == "it's 100%%"


def test_approx_percentile_and_unnamed_columns(duck) -> None:
    translated = translate(
        "SELECT approx_percentile(x, 0.5), count(*) FROM t", catalog="lakehouse", schema="gold"
    )
    cursor = duck.execute(translated.sql)
    assert [d[0] for d in cursor.description] == ["_col0", "_col1"]
    assert cursor.fetchone() == (7.0, 1)


def test_sql_functions_reading_files_are_refused() -> None:
    from lakehouse.sql.errors import FunctionNotFoundError

    for sql in (
        "SELECT * FROM read_parquet('/tmp/x.parquet')",
        "SELECT getenv('HOME')",
        "SELECT * FROM read_text('/etc/hosts')",
    ):
        with pytest.raises(FunctionNotFoundError):
            translate(sql, catalog="lakehouse", schema="gold")
