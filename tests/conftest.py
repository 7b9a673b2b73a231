"""Shared fixtures: an isolated LAKEHOUSE_HOME per test and one real Sail session per run.

Services are real: Sail is started in-process unless SPARK_REMOTE points at a Spark Connect
server; PostgreSQL comes from WAREHOUSE_URL or is started by the runtime fixtures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse.settings import Settings, get_settings


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
    session = SparkSession.builder.remote(remote).getOrCreate()
    yield session
    session.stop()
    if server is not None:
        server.stop()
