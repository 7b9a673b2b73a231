"""`lakehouse run`: run smartgrid_daily through real Airflow for each local day of data, in order.

Each day D becomes one `airflow dags test smartgrid_daily <logical date>` subprocess (Airflow's
own scheduling loop, tasks executed in that process, states recorded in the metadata DB), with
the logical date that the scheduler would give D's run: 00:00 local on D+1 (schedule.py). Re-running
D replaces that run (Airflow clears a run with the same logical date) and the tasks are idempotent.

While the subprocess runs, the runner reads the task instances from the metadata DB and prints a
line per task as it finishes; Airflow's full output goes to a log file per day.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from lakehouse.orchestration.airflow import SQL_CONN_VAR, airflow_command, airflow_env, airflow_logs
from lakehouse.orchestration.schedule import days_between, logical_date_for
from lakehouse.settings import Settings, get_settings

DAG_ID = "smartgrid_daily"
FINISHED = {"success", "failed", "skipped", "upstream_failed", "removed"}
Echo = Callable[[str], None]


class PipelineRunError(RuntimeError):
    """A day's run failed: says which day, which tasks and where the log is."""

    def __init__(self, day: date, message: str, log: Path) -> None:
        super().__init__(message)
        self.day = day
        self.log = log


@dataclass
class TaskResult:
    task: str
    state: str
    seconds: float | None
    tries: int


@dataclass
class DayResult:
    day: date
    logical_date: datetime
    state: str
    seconds: float
    log: Path
    tasks: list[TaskResult] = field(default_factory=list)


def run_log(settings: Settings, day: date) -> Path:
    return airflow_logs(settings) / "runs" / DAG_ID / f"{day.isoformat()}.log"


class _MetadataDB:
    """Read-only view of the runs and task instances in Airflow's metadata database."""

    def __init__(self, sqlalchemy_url: str) -> None:
        import psycopg

        url = sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)
        self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)

    def close(self) -> None:
        self._conn.close()

    def run(self, logical_date: datetime) -> tuple[int, str] | None:
        row = self._conn.execute(
            "SELECT id, state FROM dag_run WHERE dag_id = %s AND logical_date = %s",
            (DAG_ID, logical_date),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def tasks(self, run_id: int) -> list[TaskResult]:
        rows = self._conn.execute(
            """
            SELECT ti.task_id, ti.map_index, ti.rendered_map_index, ti.state, ti.start_date,
                   ti.end_date, ti.try_number
            FROM task_instance ti JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id
            WHERE dr.id = %s
            ORDER BY ti.start_date NULLS LAST, ti.task_id, ti.map_index
            """,
            (run_id,),
        ).fetchall()
        results = []
        for task_id, map_index, rendered, state, start, end, tries in rows:
            name = task_id if map_index < 0 else f"{task_id}[{rendered or map_index}]"
            seconds = (end - start).total_seconds() if start and end else None
            results.append(TaskResult(name, state or "none", seconds, tries or 0))
        return results


def _error_excerpt(log: Path, lines: int = 20) -> str:
    """The last traceback of a run log, up to its exception line: what went wrong, without the noise."""
    try:
        text = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    starts = [i for i, line in enumerate(text) if line.startswith("Traceback (most recent call last)")]
    if not starts:
        return "\n".join(text[-lines:])
    block = [text[starts[-1]]]
    for line in text[starts[-1] + 1 :]:
        block.append(line)
        if line and not line.startswith((" ", "\t")):
            break  # the exception line ends the traceback
    return "\n".join(block[-lines:])


def _format_task(day: date, task: TaskResult) -> str:
    took = f"{task.seconds:6.1f}s" if task.seconds is not None else "      -"
    retry = f" (try {task.tries})" if task.tries > 1 else ""
    return f"  {day}  {task.task:<32} {task.state:<16} {took}{retry}"


def run_day(
    day: date, settings: Settings | None = None, echo: Echo = print, mark_success_pattern: str | None = None
) -> DayResult:
    r"""Run smartgrid_daily for local day `day`; raise PipelineRunError if the run does not succeed.

    `mark_success_pattern` is Airflow's `dags test --mark-success-pattern`, a regex that must match a
    whole task id (`marts\..*`, not `^marts\.`):
    those tasks are marked successful without running (tests use it to leave out what they do not
    exercise, e.g. the dbt marts that tests/warehouse builds on their own).
    """
    settings = settings or get_settings()
    from lakehouse.warehouse.dbt_project import ensure_manifest

    ensure_manifest(settings, wait=True)  # the marts task group renders from it; parses only on change
    env = {**os.environ, **airflow_env(settings)}
    logical = logical_date_for(day, settings.tz)
    log = run_log(settings, day)
    log.parent.mkdir(parents=True, exist_ok=True)
    local = logical.astimezone(settings.tz)
    echo(f"{day}  smartgrid_daily: logical date {local.isoformat()} (data interval = local day {day})")
    db = _MetadataDB(env[SQL_CONN_VAR])
    try:
        previous = db.run(logical)
        started = time.monotonic()
        with log.open("w") as out:
            process = subprocess.Popen(
                airflow_command(
                    "dags",
                    "test",
                    DAG_ID,
                    logical.isoformat(),
                    *(["--mark-success-pattern", mark_success_pattern] if mark_success_pattern else []),
                ),
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            reported: dict[str, str] = {}
            run_id = None
            while True:
                finished = process.poll() is not None
                current = db.run(logical)
                if current and (previous is None or current[0] != previous[0]):
                    run_id = current[0]
                if run_id is not None:
                    for task in db.tasks(run_id):
                        if task.state in FINISHED | {"up_for_retry"} and reported.get(task.task) != (
                            f"{task.state}{task.tries}"
                        ):
                            reported[task.task] = f"{task.state}{task.tries}"
                            echo(_format_task(day, task))
                if finished:
                    break
                time.sleep(0.5)
        seconds = time.monotonic() - started
        final = db.run(logical)
        tasks = db.tasks(run_id) if run_id is not None else []
    finally:
        db.close()
    state = final[1] if final and run_id is not None else "not created"
    result = DayResult(day, logical, state, seconds, log, tasks)
    if process.returncode != 0 or state != "success":
        failed = [t.task for t in tasks if t.state == "failed"]
        blocked = [t.task for t in tasks if t.state not in {"success", "skipped", "failed"}]
        what = f"failed: {', '.join(failed) or 'no task (the run itself)'}"
        if blocked:
            what += f"; not run: {', '.join(blocked)}"
        raise PipelineRunError(
            day,
            f"smartgrid_daily for {day} did not succeed ({what}; run state {state}, exit code "
            f"{process.returncode}).\nFull log: {log}\n{_error_excerpt(log)}",
            log,
        )
    echo(f"{day}  smartgrid_daily: {state} in {seconds:.1f}s (log: {log})")
    return result


def run_days(start: date, end: date, settings: Settings | None = None, echo: Echo = print) -> list[DayResult]:
    """Run each local day from start to end (both included) in order; stop at the first failure."""
    settings = settings or get_settings()
    return [run_day(day, settings, echo) for day in days_between(start, end)]
