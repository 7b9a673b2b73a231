"""Fixtures for the write-API tests: a fresh lakehouse per test on the shared Sail session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lakehouse.settings import Settings


@pytest.fixture
def tables_env(lakehouse_env: Settings, spark) -> Iterator[Settings]:
    """Empty LAKEHOUSE_ROOT, session in UTC with static overwrite (as lakehouse.spark.session() sets)."""
    from lakehouse.spark import SESSION_CONF

    for name, value in SESSION_CONF.items():
        spark.conf.set(name, value)
    yield lakehouse_env


def _readings(spark, meters: int = 4, days: tuple[str, ...] = ("2026-03-01", "2026-03-02", "2026-03-03")):
    """A small meter-readings DataFrame: `meters` meters x 24 hourly readings per local day."""
    from pyspark.sql import functions as F

    day_list = ", ".join(f"'{d}'" for d in days)
    return (
        spark.range(meters * 24)
        .select(
            F.format_string("MTR%04d", (F.col("id") % meters).cast("int")).alias("meter_id"),
            (F.col("id") / meters).cast("int").alias("hour"),
        )
        .crossJoin(spark.sql(f"SELECT explode(array({day_list})) AS date_local"))
        .select(
            "meter_id",
            F.col("date_local"),
            F.expr("to_timestamp(date_local) + make_interval(0, 0, 0, 0, hour, 0, 0)").alias(
                "interval_start_utc"
            ),
            (F.col("hour") * 0.125 + 0.5).alias("energy_kwh"),
            F.lit(230.0).alias("voltage_v"),
            F.lit("OK").alias("status"),
        )
    )


def _rows(df, order: tuple[str, ...] = ("meter_id", "interval_start_utc")) -> list[tuple]:
    """Every row as a sorted list of plain tuples (for exact before/after comparisons)."""
    return sorted(tuple(r) for r in df.orderBy(*order).collect())


@pytest.fixture
def make_readings(spark):
    """make_readings(meters=4, days=(...)) -> meter-readings DataFrame on the test Spark session."""
    return lambda **kwargs: _readings(spark, **kwargs)


@pytest.fixture
def sorted_rows():
    """sorted_rows(df) -> every row as sorted plain tuples."""
    return _rows
