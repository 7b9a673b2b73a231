"""Shared fixtures: an isolated LAKEHOUSE_HOME per test and one real Sail session per run.

Services are real: Sail is started in-process unless SPARK_REMOTE points at a Spark Connect
server; PostgreSQL comes from WAREHOUSE_URL or is started by the runtime fixtures.
Services the fixtures start listen on free ports and are stopped when the fixture ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from service_home import free_port as free_port_number
from service_home import platform_postgres, service_home

from lakehouse.settings import Settings, get_settings

# Settings that would point the runtime at external services instead of starting its own.
_EXTERNAL_SERVICE_VARS = (
    "WAREHOUSE_URL",
    "MLFLOW_TRACKING_URI",
    "SPARK_REMOTE",
    "SPARK_ENGINE",
    "POSTGRES_BIN_DIR",
)


@pytest.fixture
def lakehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point every location at a fresh temporary LAKEHOUSE_HOME and return its settings."""
    monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path / "home"))
    for name in ("LAKEHOUSE_ROOT", "LANDING_ROOT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """A real SparkSession over Spark Connect: Sail in-process unless SPARK_REMOTE is set."""
    from pyspark.sql import SparkSession

    remote = os.environ.get("SPARK_REMOTE")
    server = None
    if not remote:
        from pysail.spark import SparkConnectServer

        server = SparkConnectServer(ip="127.0.0.1", port=0)
        server.start(background=True)
        _, port = server.listening_address
        remote = f"sc://127.0.0.1:{port}"
    # The platform's sessions run in UTC (lakehouse.spark.SESSION_CONF); Sail refuses MERGE of
    # timestamps into UTC-tagged tables when the session zone is the host's "Etc/UTC".
    session = SparkSession.builder.remote(remote).config("spark.sql.session.timeZone", "UTC").getOrCreate()
    yield session
    session.stop()
    if server is not None:
        server.stop()


@pytest.fixture
def free_port() -> Callable[[], int]:
    """A function returning a currently free TCP port on 127.0.0.1 (never a fixed port in tests)."""
    return free_port_number


@pytest.fixture
def runtime_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings for starting real embedded services: a fresh LAKEHOUSE_HOME, free ports for Sail,
    PostgreSQL and MLflow, nothing configured externally. Whatever the test started is stopped after."""
    from lakehouse import runtime

    with service_home(tmp_path_factory, "runtime") as home:
        monkeypatch.setenv("LAKEHOUSE_HOME", str(home))
        for name in ("LAKEHOUSE_ROOT", "LANDING_ROOT", *_EXTERNAL_SERVICE_VARS):
            monkeypatch.delenv(name, raising=False)
        for name in ("SAIL_PORT", "POSTGRES_PORT", "MLFLOW_PORT"):
            monkeypatch.setenv(name, str(free_port_number()))
        get_settings.cache_clear()
        settings = get_settings()
        try:
            yield settings
        finally:
            runtime.down(settings=settings)
            get_settings.cache_clear()


@pytest.fixture(scope="session")
def warehouse_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PostgreSQL URL of the `warehouse` database: WAREHOUSE_URL when set, else the embedded
    PostgreSQL started by the runtime in a session LAKEHOUSE_HOME on a free port (stopped at the end)."""
    explicit = os.environ.get("WAREHOUSE_URL")
    if explicit:
        yield explicit
        return
    from lakehouse import runtime

    with platform_postgres(tmp_path_factory, "warehouse") as settings:
        yield runtime.database_url("warehouse", settings=settings)
