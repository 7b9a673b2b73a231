"""Airflow plugin of the platform: registers LocalDayTimetable so that Airflow can store DAGs using it."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from lakehouse.orchestration.timetable import LocalDayTimetable


class LakehousePlugin(AirflowPlugin):
    name = "lakehouse"
    timetables = [LocalDayTimetable]  # noqa: RUF012 (Airflow reads this class attribute)
