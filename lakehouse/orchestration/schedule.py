"""How a DAG run maps to the local day of data it processes (D), in one pure place.

`smartgrid_daily` fires at 00:00 local time (Europe/Belgrade by default) on D+1, once day D is
over. Its timetable is Airflow's `CronTriggerTimetable("0 0 * * *", interval=1 day)`, so:

- run_after = logical date = D+1 00:00 local (stored in UTC: 22:00 or 23:00 UTC on D);
- data interval = [logical date - 24 h, logical date].

Airflow subtracts the 24 h in UTC, so on the two DST-change days a year the interval start it
shows is an hour off the local midnight (D is 23 h or 25 h long). The interval END is always exact
(the cron is evaluated in local time), so D is derived from it: D = local date of the end - 1 day.
The same mapping serves the scheduler, the UI's trigger form and `lakehouse run`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def logical_date_for(day: date, tz: ZoneInfo) -> datetime:
    """The logical date (UTC) of the run that processes local day `day`: 00:00 local on day + 1."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def data_day(interval_end: datetime, tz: ZoneInfo) -> date:
    """The local day D whose data a run processes, from its data interval end (or logical date)."""
    if interval_end.tzinfo is None:
        raise ValueError(f"interval end {interval_end!r} must carry a time zone")
    return interval_end.astimezone(tz).date() - timedelta(days=1)


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
