"""Local days on the UTC time line: 92, 96 or 100 quarter-hours, with DST done once, here.

Every feed is produced per *local* day (Europe/Belgrade by default). A local day starts at local
midnight, which is 22:00 or 23:00 UTC the day before, and lasts 23, 24 or 25 hours. Everything the
simulator computes is indexed by quarter-hours since that UTC start, so the DST days need no
special case anywhere else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

QUARTER = timedelta(minutes=15)


@dataclass(frozen=True)
class LocalDay:
    day: date
    tz_name: str
    utc_start: datetime
    utc_end: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def n_quarters(self) -> int:
        return int((self.utc_end - self.utc_start) / QUARTER)

    @property
    def n_hours(self) -> int:
        return self.n_quarters // 4

    @property
    def start_epoch(self) -> int:
        return int(self.utc_start.timestamp())

    @functools.cached_property
    def quarter_end_strings(self) -> list[str]:
        """ISO 8601 local interval ends with offset, e.g. 2026-03-29T03:15:00+02:00 (readings CSV)."""
        tz = self.tz
        return [
            (self.utc_start + (i + 1) * QUARTER).astimezone(tz).isoformat() for i in range(self.n_quarters)
        ]

    @functools.cached_property
    def hour_end_strings(self) -> list[str]:
        tz = self.tz
        return [
            (self.utc_start + timedelta(hours=i + 1)).astimezone(tz).isoformat() for i in range(self.n_hours)
        ]

    @functools.cached_property
    def local_hour_of_quarter(self) -> np.ndarray:
        """Local clock time (fractional hours) at the middle of each quarter-hour."""
        tz = self.tz
        out = np.empty(self.n_quarters)
        for i in range(self.n_quarters):
            t = (self.utc_start + i * QUARTER + QUARTER / 2).astimezone(tz)
            out[i] = t.hour + t.minute / 60.0 + t.second / 3600.0
        return out

    @functools.cached_property
    def local_hour_of_hour(self) -> np.ndarray:
        """Local clock hour (integer) at the start of each UTC hour of the day."""
        tz = self.tz
        return np.array(
            [(self.utc_start + timedelta(hours=i)).astimezone(tz).hour for i in range(self.n_hours)]
        )

    def utc_hours(self) -> list[datetime]:
        return [self.utc_start + timedelta(hours=i) for i in range(self.n_hours)]


@functools.lru_cache(maxsize=512)
def local_day(day: date, tz_name: str = "Europe/Belgrade") -> LocalDay:
    tz = ZoneInfo(tz_name)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return LocalDay(day=day, tz_name=tz_name, utc_start=start, utc_end=end)


def day_number(day: date) -> int:
    """Days since 2000-01-01: the integer key days are hashed with."""
    return (day - date(2000, 1, 1)).days


def epoch_to_local_iso(epochs: np.ndarray, tz_name: str) -> list[str]:
    """Local ISO strings with offset for arbitrary instants (used for the few clock-skewed rows)."""
    tz = ZoneInfo(tz_name)
    return [datetime.fromtimestamp(int(e), tz=UTC).astimezone(tz).isoformat() for e in epochs]
