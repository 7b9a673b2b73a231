"""LocalDayTimetable: one DAG run per local day D, in every place Airflow creates runs.

Airflow's CronDataIntervalTimetable("0 0 * * *", tz) gives scheduled runs exactly what the platform
wants: data interval [D 00:00, D+1 00:00) local (23, 24 or 25 hours), logical date D 00:00 local,
run after D+1 00:00. But a *manual* run with logical date X (the UI's trigger form, `airflow dags
test`, `dag.test()`) gets the interval that ENDS at X, so "run D" would have to be spelled "D+1"
and would collide with the scheduled run of D+1 (same logical date).

This subclass changes only that: a manual run whose logical date is a local midnight processes
the day that starts there, exactly like the scheduled run of that day (and replaces it). A manual
run at any other time (e.g. "trigger now") processes the last complete day, as before.

Airflow stores timetables by class path and needs custom ones registered by a plugin:
lakehouse/orchestration/plugins/lakehouse_plugin.py, found through AIRFLOW__CORE__PLUGINS_FOLDER.
"""

from __future__ import annotations

from typing import Any

from airflow.timetables.base import DataInterval
from airflow.timetables.interval import CronDataIntervalTimetable
from pendulum import DateTime

DAILY_AT_MIDNIGHT = "0 0 * * *"


class LocalDayTimetable(CronDataIntervalTimetable):
    """Daily at local midnight; each run's data interval is one whole local day."""

    def __init__(self, cron: str = DAILY_AT_MIDNIGHT, timezone: Any = "Europe/Belgrade") -> None:
        if cron != DAILY_AT_MIDNIGHT:
            raise ValueError(f"LocalDayTimetable runs at local midnight only, not {cron!r}")
        super().__init__(cron, timezone)

    @property
    def summary(self) -> str:
        return f"daily, one local day ({self._timezone.name})"

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        start = self._align_to_prev(run_after)
        if start == run_after:  # a local midnight names the day that starts there
            return DataInterval(start=start, end=self._get_next(start))
        return super().infer_manual_data_interval(run_after=run_after)
