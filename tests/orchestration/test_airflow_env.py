"""The Airflow environment: everything under LAKEHOUSE_HOME, secrets private and stable, psycopg URLs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from lakehouse.orchestration.airflow import (
    AirflowSetupError,
    airflow_env,
    passwords_file,
    sqlalchemy_urls,
    users,
)
from lakehouse.orchestration.project import ProjectLayoutError, dags_folder
from lakehouse.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[2]


def test_everything_lives_under_lakehouse_home(
    lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", raising=False)
    env = airflow_env()
    home = lakehouse_env.home
    assert env["AIRFLOW_HOME"] == str(home / "airflow")
    assert env["LAKEHOUSE_HOME"] == str(home)
    assert env["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] == str(home / "logs" / "airflow")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(REPO / "dags")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "utc"
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == str(passwords_file())
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert env["AIRFLOW__API__BASE_URL"] == f"http://127.0.0.1:{lakehouse_env.airflow_port}"
    # The platform's PostgreSQL (embedded by default), database "airflow", on psycopg 3.
    from lakehouse.runtime import database_url

    expected = database_url("airflow").split("://", 1)[1]
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"postgresql+psycopg://{expected}"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] == f"postgresql+psycopg_async://{expected}"


def test_secrets_are_generated_once_and_private(
    lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql://u@127.0.0.1:5432/airflow")
    first = airflow_env()
    second = airflow_env()
    keys = ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET")
    for key in keys:
        assert len(first[key]) >= 32
        assert first[key] == second[key]
    secrets_file = lakehouse_env.home / "airflow" / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600


def test_secrets_differ_between_homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql://u@127.0.0.1:5432/airflow")
    found = []
    for name in ("one", "two"):
        monkeypatch.setenv("LAKEHOUSE_HOME", str(tmp_path / name))
        get_settings.cache_clear()
        found.append(airflow_env()["AIRFLOW__CORE__FERNET_KEY"])
    get_settings.cache_clear()
    assert found[0] != found[1]


def test_explicit_metadata_database_is_respected(
    lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg2://af:pw@db.internal:5432/meta"
    )
    env = airflow_env()
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg://af:pw@db.internal:5432/meta"


def test_sqlalchemy_urls_refuse_other_databases() -> None:
    assert sqlalchemy_urls("postgres://a@h/db")[0] == "postgresql+psycopg://a@h/db"
    with pytest.raises(AirflowSetupError, match="PostgreSQL"):
        sqlalchemy_urls("sqlite:////tmp/airflow.db")


def test_users_are_validated(lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert users() == [("admin", "admin")]
    monkeypatch.setenv("AIRFLOW_USERS", "ana:admin, ops:op")
    get_settings.cache_clear()
    assert users() == [("ana", "admin"), ("ops", "op")]
    monkeypatch.setenv("AIRFLOW_USERS", "ana:superuser")
    get_settings.cache_clear()
    with pytest.raises(AirflowSetupError, match="AIRFLOW_USERS"):
        users()


def test_dags_folder_override(
    lakehouse_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert dags_folder() == REPO / "dags"
    monkeypatch.setenv("AIRFLOW_DAGS_FOLDER", str(tmp_path))
    get_settings.cache_clear()
    assert dags_folder() == tmp_path.resolve()
    monkeypatch.setenv("AIRFLOW_DAGS_FOLDER", str(tmp_path / "missing"))
    get_settings.cache_clear()
    with pytest.raises(ProjectLayoutError, match="AIRFLOW_DAGS_FOLDER"):
        dags_folder()
