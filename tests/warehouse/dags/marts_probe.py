"""Test-only DAG: publish_gold then the Cosmos marts group, as smartgrid_daily wires them.

Declarations only (like dags/smartgrid_daily.py): the lakehouse imports happen inside the tasks,
except the group builder, which renders the dbt project from its cached manifest.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from lakehouse.pipeline.dbt_group import marts_task_group


@task(task_id="publish_gold", retries=2)
def publish_gold(dates: list[str]) -> dict:
    from lakehouse.pipeline import marts_steps

    return marts_steps.publish_gold(dates)


@dag(dag_id="marts_probe", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False)
def marts_probe():
    publish_gold(["2026-03-10"]) >> marts_task_group()


marts_probe()
