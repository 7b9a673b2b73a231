"""The Airflow environment settings that keep a scheduled run of smartgrid_daily fast and offline."""

from __future__ import annotations

import os

import pytest

from lakehouse.orchestration.airflow import airflow_env, task_slots
from lakehouse.settings import Settings


@pytest.fixture
def env(lakehouse_env: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql://u@127.0.0.1:5432/airflow")
    monkeypatch.delenv("AIRFLOW__CORE__PARALLELISM", raising=False)
    return airflow_env(lakehouse_env)


def test_cosmos_tasks_keep_dbt_target_in_their_own_project_copy(env: dict[str, str]) -> None:
    # A shared target path made every dbt task overwrite the manifest the DAG renders from.
    assert "DBT_TARGET_PATH" not in env
    # The profile variables dbt/profiles.yml reads are still there.
    assert {"DBT_WAREHOUSE_HOST", "DBT_WAREHOUSE_DBNAME", "DBT_PROFILES_DIR"} <= env.keys()


def test_cosmos_partial_parse_cache_lives_in_lakehouse_home(
    env: dict[str, str], lakehouse_env: Settings
) -> None:
    assert env["AIRFLOW__COSMOS__CACHE_DIR"] == str(lakehouse_env.home / "cosmos")


def test_task_processes_sized_to_the_machine_and_overridable(
    lakehouse_env: Settings, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert env["AIRFLOW__CORE__PARALLELISM"] == str(task_slots())
    assert task_slots() == max(4, 2 * (os.cpu_count() or 1))
    monkeypatch.setenv("AIRFLOW__CORE__PARALLELISM", "12")
    assert airflow_env(lakehouse_env)["AIRFLOW__CORE__PARALLELISM"] == "12"


def test_no_usage_telemetry_from_the_tasks_libraries(env: dict[str, str]) -> None:
    assert env["DO_NOT_TRACK"] == "true"
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
    assert env["MLFLOW_DISABLE_TELEMETRY"] == "true"
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "False"
