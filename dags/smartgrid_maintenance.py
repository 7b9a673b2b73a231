"""smartgrid_maintenance: weekly compaction, vacuum and history summary of every Delta table.

Fires on Sunday at 22:00 Europe/Belgrade, between two runs of smartgrid_daily (00:00 local), so
that compaction rarely meets a daily write; when it does, delta-rs refuses the conflicting commit
and the task is retried. One mapped task per table: a table that fails does not hide the others.
Vacuum keeps DELTA_VACUUM_RETENTION_HOURS of history (time travel and slow readers).
This file only declares the graph; the work is in lakehouse.pipeline.maintenance.

    tables (list every existing table)  ->  maintain[table] (compact, vacuum, history)
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, dag, task

from lakehouse.settings import get_settings

LOCAL_TZ = get_settings().local_timezone


@task
def tables() -> list[str]:
    """Every Delta table under LAKEHOUSE_ROOT, internal ones included."""
    from lakehouse.pipeline.maintenance import existing_tables

    return existing_tables()


@task(
    retries=2,
    retry_delay=timedelta(minutes=10),
    map_index_template="{{ table_name }}",
)
def maintain(table_name: str) -> dict:
    """Compact, vacuum and summarise one table (a write conflict with a daily run is retried)."""
    from airflow.sdk import get_current_context

    get_current_context()["table_name"] = table_name  # names the mapped instance "maintain[silver.x]"

    from lakehouse.pipeline.maintenance import maintain_table

    return maintain_table(table_name)


@dag(
    dag_id="smartgrid_maintenance",
    schedule=CronTriggerTimetable("0 22 * * 0", timezone=LOCAL_TZ),
    start_date=pendulum.datetime(2026, 1, 4, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-engineering"},
    tags=["smartgrid", "maintenance"],
    doc_md=__doc__,
)
def smartgrid_maintenance():
    maintain.expand(table_name=tables())


smartgrid_maintenance()
