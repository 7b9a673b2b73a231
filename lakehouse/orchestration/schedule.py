"""How a DAG run maps to the local day of data it processes (D), in one pure place.

`smartgrid_daily` uses LocalDayTimetable (timetable.py) in Europe/Belgrade by default:

- data interval = [D 00:00, D+1 00:00) local time: 23, 24 or 25 hours;
- logical date = D 00:00 local (stored in UTC: 22:00 or 23:00 UTC on D-1);
- the scheduler starts the run at D+1 00:00 local, once day D is over.

A manual run (`lakehouse run`, `airflow dags test`, the UI's trigger form) whose logical date is
D 00:00 local processes D too, and replaces the scheduled run of D. D is the local date of the
data interval start.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def logical_date_for(day: date, tz: ZoneInfo) -> datetime:
    """The logical date (UTC) of the run that processes local day `day`: 00:00 local on that day."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def data_day(interval_start: datetime, tz: ZoneInfo) -> date:
    """The local day D whose data a run processes, from its data interval start (= logical date)."""
    if interval_start.tzinfo is None:
        raise ValueError(f"interval start {interval_start!r} must carry a time zone")
    return interval_start.astimezone(tz).date()


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of local day `day` in UTC: 23, 24 or 25 hours long."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def days_between(start: date, end: date) -> Iterator[date]:
    """Every day from start to end, both included, in order."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
