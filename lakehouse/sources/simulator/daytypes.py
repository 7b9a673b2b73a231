"""What kind of day it is for electricity use: workday, Saturday, or Sunday/public holiday.

Kosovo's public holidays come from the `holidays` package (country code XK), so the simulated
load drops on Independence Day or both Easters the way the real grid's does.
"""

from __future__ import annotations

import functools
from datetime import date
from enum import IntEnum

import holidays


class DayType(IntEnum):
    WORKDAY = 0
    SATURDAY = 1
    SUNDAY_OR_HOLIDAY = 2


@functools.lru_cache(maxsize=64)
def _kosovo_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("XK", years=year))


def holiday_name(day: date) -> str | None:
    return _kosovo_holidays(day.year).get(day)


def day_type(day: date) -> DayType:
    if holiday_name(day) is not None or day.weekday() == 6:
        return DayType.SUNDAY_OR_HOLIDAY
    if day.weekday() == 5:
        return DayType.SATURDAY
    return DayType.WORKDAY
