"""Connection URLs and external services: what the other parts of the platform get from the runtime."""

from __future__ import annotations

import stat
from collections.abc import Callable

import pytest

from lakehouse import runtime
from lakehouse.settings import Settings, get_settings


def _reload(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


def test_warehouse_url_gets_the_database_swapped_in(
    runtime_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _reload(monkeypatch, WAREHOUSE_URL="postgresql://ana:s3cret@db.example:6432/analytics?sslmode=require")
    # The warehouse is the database WAREHOUSE_URL names; Airflow's lives beside it on that server.
    assert runtime.database_url() == "postgresql://ana:s3cret@db.example:6432/analytics?sslmode=require"
    assert (
        runtime.database_url("airflow") == "postgresql://ana:s3cret@db.example:6432/airflow?sslmode=require"
    )


def test_embedded_url_has_a_generated_password_kept_private(runtime_env: Settings) -> None:
    url = runtime.database_url("airflow")
    password_file = runtime_env.home / "postgres" / "password"
    password = password_file.read_text().strip()
    assert len(password) >= 40
    assert url == f"postgresql://lakehouse:{password}@127.0.0.1:{runtime_env.postgres_port}/airflow"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert runtime.database_url("airflow") == url  # generated once


def test_mlflow_tracking_uri(runtime_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert runtime.mlflow_tracking_uri() == f"http://127.0.0.1:{runtime_env.mlflow_port}"
    _reload(monkeypatch, MLFLOW_TRACKING_URI="https://mlflow.example")
    assert runtime.mlflow_tracking_uri() == "https://mlflow.example"


def test_external_services_are_checked_not_started(
    runtime_env: Settings, monkeypatch: pytest.MonkeyPatch, free_port: Callable[[], int]
) -> None:
    nobody = free_port()
    _reload(
        monkeypatch,
        WAREHOUSE_URL=f"postgresql://u:pw@127.0.0.1:{nobody}/warehouse",
        MLFLOW_TRACKING_URI=f"http://127.0.0.1:{nobody}",
        SPARK_ENGINE="classic",
    )
    lines: list[str] = []

    assert runtime.up(["sail", "postgres", "mlflow"], report=lines.append)
    by_name = {s.name: s for s in runtime.status()}

    assert list(runtime_env.run_dir.glob("*.pid")) == []
    assert any("postgres: configured externally" in line for line in lines)
    assert by_name["sail"].state == "not used" and by_name["sail"].ok
    assert by_name["postgres"].state == "unreachable" and not by_name["postgres"].ok
    assert by_name["postgres"].address == f"postgresql://u:***@127.0.0.1:{nobody}/warehouse"
    assert by_name["mlflow"].state == "unreachable" and not by_name["mlflow"].ok
