"""Shared fixtures: an isolated LAKEHOUSE_HOME per test and one real Sail session per run.

Services are real: Sail is started in-process unless SPARK_REMOTE points at a Spark Connect
server; PostgreSQL comes from WAREHOUSE_URL or is started by the runtime fixtures.
Services the fixtures start listen on free ports and are stopped when the fixture ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lakehouse.settings import Settings, get_settings, load_settings

# Settings that would point the runtime at external services instead of starting its own.
_EXTERNAL_SERVICE_VARS = (
    "WAREHOUSE_URL",
    "MLFLOW_TRACKING_URI",
    "SPARK_REMOTE",
    "SPARK_ENGINE",
    "POSTGRES_BIN_DIR",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _service_home(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A LAKEHOUSE_HOME the embedded services can use.

    As root, PostgreSQL runs as the unprivileged account `lakehouse`, which cannot enter pytest's
    basetemp (/tmp/pytest-of-root is 0700) and the runtime never loosens permissions above
    LAKEHOUSE_HOME; so for root the home is a fresh folder under the system temp dir, removed after.
    """
    if os.geteuid() != 0:
        yield tmp_path_factory.mktemp(name)
        return
    home = Path(tempfile.mkdtemp(prefix=f"lakehouse-pytest-{name}-"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


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
    return _free_port


@pytest.fixture
def runtime_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings for starting real embedded services: a fresh LAKEHOUSE_HOME, free ports for Sail,
    PostgreSQL and MLflow, nothing configured externally. Whatever the test started is stopped after."""
    from lakehouse import runtime

    with _service_home(tmp_path_factory, "runtime") as home:
        monkeypatch.setenv("LAKEHOUSE_HOME", str(home))
        for name in ("LAKEHOUSE_ROOT", "LANDING_ROOT", *_EXTERNAL_SERVICE_VARS):
            monkeypatch.delenv(name, raising=False)
        for name in ("SAIL_PORT", "POSTGRES_PORT", "MLFLOW_PORT"):
            monkeypatch.setenv(name, str(_free_port()))
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

    with _service_home(tmp_path_factory, "warehouse") as home:
        settings = load_settings(lakehouse_home=home, postgres_port=_free_port(), warehouse_url=None)
        try:
            runtime.up(["postgres"], settings=settings)
            yield runtime.database_url("warehouse", settings=settings)
        finally:
            runtime.down(settings=settings)
