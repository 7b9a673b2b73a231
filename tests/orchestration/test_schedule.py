"""D <-> logical date: the run for local day D fires at 00:00 local on D+1, also across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lakehouse.orchestration.schedule import data_day, days_between, local_day_bounds, logical_date_for

BELGRADE = ZoneInfo("Europe/Belgrade")


@pytest.mark.parametrize(
    ("day", "logical_utc"),
    [
        (date(2026, 1, 15), datetime(2026, 1, 14, 23, 0, tzinfo=UTC)),  # winter: UTC+1
        (date(2026, 7, 15), datetime(2026, 7, 14, 22, 0, tzinfo=UTC)),  # summer: UTC+2
        (date(2026, 3, 29), datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),  # 23-hour day starts in winter time
        (date(2026, 3, 30), datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),  # the day after starts in summer time
        (date(2026, 10, 25), datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),  # 25-hour day starts in summer time
        (date(2026, 10, 26), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
    ],
)
def test_logical_date_is_local_midnight_starting_d_and_maps_back(day: date, logical_utc: datetime) -> None:
    logical = logical_date_for(day, BELGRADE)
    assert logical == logical_utc
    assert logical.astimezone(BELGRADE).hour == 0
    assert data_day(logical, BELGRADE) == day
    # Airflow hands tasks aware datetimes in UTC or in local time: same day either way.
    assert data_day(logical.astimezone(BELGRADE), BELGRADE) == day


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)]
)
def test_local_day_bounds_have_dst_lengths(day: date, hours: int) -> None:
    start, end = local_day_bounds(day, BELGRADE)
    assert (end - start).total_seconds() == hours * 3600
    assert start == logical_date_for(day, BELGRADE)
    assert end == logical_date_for(day + timedelta(days=1), BELGRADE)


def test_data_day_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="time zone"):
        data_day(datetime(2026, 3, 30), BELGRADE)


def test_days_between_is_inclusive_and_ordered() -> None:
    assert list(days_between(date(2026, 2, 27), date(2026, 3, 1))) == [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
    ]
    with pytest.raises(ValueError, match="before"):
        list(days_between(date(2026, 3, 2), date(2026, 3, 1)))
