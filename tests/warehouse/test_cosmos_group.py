"""The Cosmos task group renders in a real DagBag: one task per model (run + its tests), seed and
snapshot tasks, publish_gold upstream; the DAG file's parse time is printed (cold: manifest built by
`dbt parse`; warm: cached manifest).

Airflow reads its configuration when imported, so the DagBag loads in a subprocess that has the
platform's Airflow environment, as every Airflow process of the platform does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lakehouse.settings import get_settings, load_settings
from lakehouse.warehouse import dbt_project

HERE = Path(__file__).resolve().parent


def _probe(env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, str(HERE / "probe_dagbag.py"), str(HERE / "dags"), "marts_probe"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from lakehouse.orchestration.airflow import airflow_env

    home = tmp_path_factory.mktemp("cosmos-home")
    settings = load_settings(lakehouse_home=home)
    unused_db = "postgresql://nobody@127.0.0.1:9/unused"  # parsing needs no database
    previous = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = unused_db
    try:
        env = {**os.environ, **airflow_env(settings), "LAKEHOUSE_HOME": str(home)}
    finally:
        if previous is None:
            del os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        else:
            os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = previous
        get_settings.cache_clear()
    # What the platform does at start (`lakehouse dbt parse`): build the manifest cache once.
    started = time.perf_counter()
    path = dbt_project.ensure_manifest(settings)
    parse_s = time.perf_counter() - started
    assert dbt_project.manifest_is_fresh(settings)
    warm = _probe(env)
    return {"warm": warm, "parse_s": parse_s, "manifest": json.loads(path.read_text())}


def test_group_renders_without_import_errors_and_reports_parse_time(probes: dict) -> None:
    assert probes["warm"]["import_errors"] == {}, probes["warm"]["import_errors"]
    print(
        f"marts_probe.py DAG file parse {probes['warm']['file_parse_s']['marts_probe.py']:.2f}s with the "
        f"cached manifest (dbt parse to build the cache: {probes['parse_s']:.2f}s, once); "
        f"airflow import {probes['warm']['airflow_import_s']:.2f}s"
    )


def test_one_task_per_model_with_its_tests_after_it(probes: dict) -> None:
    tasks = set(probes["warm"]["tasks"])
    upstream = probes["warm"]["upstream"]
    nodes = probes["manifest"]["nodes"]
    models = [n for n in nodes.values() if n["resource_type"] == "model"]
    tested = {dep for n in nodes.values() if n["resource_type"] == "test" for dep in n["depends_on"]["nodes"]}
    assert len(models) >= 20
    # Every intermediate and mart model has data tests, so each gets its own test task.
    assert all(
        m["unique_id"] in tested for m in models if m["name"].startswith(("int_", "dim_", "fct_", "mart_"))
    )
    for model in models:
        name = model["name"]
        if model["unique_id"] in tested:
            assert f"marts.{name}.run" in tasks and f"marts.{name}.test" in tasks, name
            assert f"marts.{name}.run" in upstream[f"marts.{name}.test"]
        else:
            assert f"marts.{name}_run" in tasks, name
    assert "marts.kosovo_holidays.seed" in tasks
    assert "marts.snap_meters_snapshot" in tasks
    assert probes["warm"]["operators"]["marts.fct_hourly_load.run"] == "DbtRunLocalOperator"
    # dbt's own order: a mart runs after the tests of what it reads.
    assert "marts.int_meters__versions.test" in upstream["marts.dim_meter.run"]


def test_publish_gold_runs_before_the_group(probes: dict) -> None:
    upstream = probes["warm"]["upstream"]
    roots = [
        t
        for t, ups in upstream.items()
        if t.startswith("marts.") and not any(u.startswith("marts.") for u in ups)
    ]
    assert roots, "the group has no root tasks"
    for task in roots:
        assert upstream[task] == ["publish_gold"], task
