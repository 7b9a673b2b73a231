"""The Cosmos task group renders in a real DagBag: one `dbt build` task per model, seed and snapshot,
tests of several models in their own tasks, publish_gold upstream; the DAG file's parse time is
printed (cold: manifest built by `dbt parse`; warm: cached manifest).

Airflow reads its configuration when imported, so the DagBag loads in a subprocess that has the
platform's Airflow environment, as every Airflow process of the platform does.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from airflow_probe import probe_env, run_probe

from lakehouse.settings import load_settings
from lakehouse.warehouse import dbt_project

HERE = Path(__file__).resolve().parent


def _probe(env: dict[str, str]) -> dict:
    return run_probe([str(HERE / "probe_dagbag.py"), str(HERE / "dags"), "marts_probe"], env, timeout=300)


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("cosmos-home")
    settings = load_settings(lakehouse_home=home)
    env = probe_env(home)
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


def test_one_build_task_per_node_and_shared_tests_after_all_their_nodes(probes: dict) -> None:
    tasks = set(probes["warm"]["tasks"])
    upstream = probes["warm"]["upstream"]
    operators = probes["warm"]["operators"]
    nodes = probes["manifest"]["nodes"]
    models = [n for n in nodes.values() if n["resource_type"] == "model"]
    assert len(models) >= 20
    for model in models:
        assert f"marts.{model['name']}_model_build" in tasks, model["name"]
    assert "marts.kosovo_holidays_seed_build" in tasks
    assert "marts.snap_meters_snapshot_build" in tasks
    assert operators["marts.fct_hourly_load_model_build"] == "DbtBuildLocalOperator"
    # Half the processes of a run task plus a test task per model: nodes + detached tests only.
    dbt_tasks = {t for t in tasks if t.startswith("marts.")}
    detached = {t for t in dbt_tasks if t.endswith("_test")}
    assert len(dbt_tasks) == len(models) + 2 + len(detached), sorted(dbt_tasks)
    # dbt's own order: a mart builds after what it reads has been built and tested.
    assert "marts.int_meters__versions_model_build" in upstream["marts.dim_meter_model_build"]
    # A test of two models (relationships fct -> dim) runs once both are built, in its own task.
    relationships = [t for t in detached if t.startswith("marts.relationships_")]
    assert relationships, sorted(detached)
    for test in relationships:
        assert len([u for u in upstream[test] if u.endswith("_model_build")]) >= 2, (test, upstream[test])
        assert operators[test] == "DbtTestLocalOperator"


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
