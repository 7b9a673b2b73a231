"""The dbt project as an Airflow task group (Astronomer Cosmos): one `dbt build` task per model, seed
and snapshot, which runs the node and then its tests (TestBehavior.BUILD), so a failed test stops what
reads the node. A test of several nodes (a relationships test of fct_x -> dim_y) is its own task after
all of them.

Why BUILD rather than a run task and a test task per model: each dbt task is a process that starts
dbt (~8 CPU-seconds on this kind of machine), so one task per node instead of two halves the cost of
the group (about 25 dbt tasks instead of 48) with the same order and the same gate.

Task ids in the group: `<model>_model_build`, `<seed>_seed_build`, `<snapshot>_snapshot_build`,
`<test>_test` (see lakehouse/orchestration/plugins/dbt_docs.py, which links each to its docs page).

Parsing stays fast: Cosmos renders from dbt's manifest (LoadMode.DBT_MANIFEST) cached under
$LAKEHOUSE_HOME/dbt/target. The platform parses at start (`lakehouse dbt parse`); when a dbt file
changes later, the DAG file keeps rendering from the cached manifest while a background `dbt parse`
refreshes it for the next parse, so no DAG parse waits on dbt (unless no manifest exists at all).

Profile: dbt/profiles.yml (no secrets), whose DBT_WAREHOUSE_* variables the task processes get from
`lakehouse.orchestration.airflow.airflow_env()` (= `lakehouse.warehouse.dbt_project.dbt_env()`, built
from `lakehouse.runtime.database_url("warehouse")`).

    from lakehouse.pipeline.dbt_group import marts_task_group
    publish >> marts_task_group()
"""

from __future__ import annotations

from typing import Any

GROUP_ID = "marts"


def marts_task_group(group_id: str = GROUP_ID, **task_group_kwargs: Any) -> Any:
    """A Cosmos DbtTaskGroup over dbt/ (call inside a DAG context, like any task group)."""
    from cosmos import (
        DbtTaskGroup,
        ExecutionConfig,
        ExecutionMode,
        InvocationMode,
        LoadMode,
        ProfileConfig,
        ProjectConfig,
        RenderConfig,
        TestBehavior,
    )

    from lakehouse.warehouse import dbt_project

    project = dbt_project.project_dir()
    manifest = dbt_project.ensure_manifest(wait=False)
    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=project,
            manifest_path=manifest,
            project_name=dbt_project.PROJECT_NAME,
            install_dbt_deps=False,  # no packages: the project needs nothing from the dbt hub
        ),
        profile_config=ProfileConfig(
            profile_name=dbt_project.PROFILE_NAME,
            target_name=dbt_project.TARGET_NAME,
            profiles_yml_filepath=project / "profiles.yml",
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.BUILD,
            # A relationships test of fct_x -> dim_y runs in its own task after both models: in the
            # model's own build it would run before dim_y exists on a fresh warehouse.
            should_detach_multiple_parents_tests=True,
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
        ),
        operator_args={"install_deps": False},
        default_args={"retries": 1},
        **task_group_kwargs,
    )
