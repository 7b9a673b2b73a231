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


@pytest.fixture
def s3_lakehouse(lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch, spark) -> Iterator[Settings]:
    """LAKEHOUSE_ROOT on a local moto S3 server (free port, dummy keys), bucket `lake` created."""
    import socket
    import subprocess
    import sys
    import time

    from lakehouse.settings import get_settings
    from lakehouse.spark import SESSION_CONF, sail_environment
    from lakehouse.storage.uri import s3_client

    # moto in its own process: delta-rs holds the GIL during some calls (is_deltatable), which would
    # deadlock an in-process ThreadedMotoServer.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"moto server did not start on port {port}")
            time.sleep(0.1)
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("LAKEHOUSE_ROOT", "s3://lake/lakehouse")
        get_settings.cache_clear()
        settings = get_settings()
        for name, value in sail_environment(settings).items():  # what lakehouse.spark sets for Sail
            monkeypatch.setenv(name, value)
        for name, value in SESSION_CONF.items():
            spark.conf.set(name, value)
        s3_client(settings).create_bucket(Bucket="lake")
        yield settings
    finally:
        server.terminate()
        server.wait(timeout=10)
        get_settings.cache_clear()
