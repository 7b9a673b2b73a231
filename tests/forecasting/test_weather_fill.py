"""Where tomorrow's weather and price come from (features.fill_day), also around the clock changes.

Found on real gold: after the 23-hour day of spring (no local 02:00), "persistence" had no value for
02:00 of the next day and the whole day fell back to climatology.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from lakehouse.forecasting.features import fill_day, local_day_hours_utc

TZ = "Europe/Belgrade"
REGIONS = ("Peja", "Prishtina")


def observed(first: date, days: int) -> pd.DataFrame:
    """temperature_c = 100 * (day number) + local hour, per region (region 2 adds 1000)."""
    rows = []
    for i in range(days):
        day = first + timedelta(days=i)
        for hour in local_day_hours_utc(day, TZ):
            local = hour.tz_convert(TZ).hour
            for r, region in enumerate(REGIONS):
                rows.append((region, hour, 1000.0 * r + 100.0 * i + local))
    return pd.DataFrame(rows, columns=["region", "hour_utc", "temperature_c"])


def by_local_hour(frame: pd.DataFrame, region: str) -> list[tuple[int, float]]:
    rows = frame[frame["region"] == region].sort_values("hour_utc")
    return list(zip(rows["hour_utc"].dt.tz_convert(TZ).dt.hour, rows["temperature_c"], strict=True))


def test_persistence_after_the_23_hour_day_takes_0200_from_the_day_before() -> None:
    obs = observed(date(2026, 3, 27), 3)  # 27, 28 and the 23-hour 29th
    filled, source = fill_day(obs, date(2026, 3, 30), REGIONS, ["temperature_c"], tz=TZ)
    assert source == "persistence"
    assert len(filled) == 24 * len(REGIONS)
    values = dict(by_local_hour(filled, "Peja"))
    assert values[2] == 100 + 2  # 28 March, 02:00
    assert {h: v for h, v in values.items() if h != 2} == {h: 200.0 + h for h in range(24) if h != 2}
    assert dict(by_local_hour(filled, "Prishtina"))[5] == 1000 + 200 + 5


def test_persistence_into_and_after_the_25_hour_day() -> None:
    obs = observed(date(2026, 10, 24), 2)  # 24 and the 25-hour 25th (02:00 twice)
    filled, source = fill_day(obs, date(2026, 10, 26), REGIONS, ["temperature_c"], tz=TZ)
    assert source == "persistence" and len(filled) == 24 * len(REGIONS)
    assert dict(by_local_hour(filled, "Peja"))[2] == 100 + 2  # both 02:00 of the 25th, averaged
    into, source = fill_day(
        obs.iloc[: 24 * len(REGIONS)], date(2026, 10, 25), REGIONS, ["temperature_c"], tz=TZ
    )
    assert source == "persistence" and len(into) == 25 * len(REGIONS)
    assert [v for h, v in by_local_hour(into, "Peja") if h == 2] == [2.0, 2.0]


@pytest.mark.parametrize(
    ("days", "source"),
    [(4, "provided"), (3, "persistence")],
)
def test_the_day_itself_when_it_is_there(days: int, source: str) -> None:
    obs = observed(date(2026, 3, 27), days)
    filled, got = fill_day(obs, date(2026, 3, 30), REGIONS, ["temperature_c"], tz=TZ)
    assert got == source and filled["temperature_c"].notna().all()


def test_an_incomplete_latest_day_falls_back_to_climatology_and_nothing_to_missing() -> None:
    obs = observed(date(2026, 3, 26), 3)
    partial = obs[
        ~((obs["region"] == "Peja") & (obs["hour_utc"] >= local_day_hours_utc(date(2026, 3, 28), TZ)[0]))
    ]
    filled, source = fill_day(partial, date(2026, 3, 29), REGIONS, ["temperature_c"], tz=TZ)
    assert source == "climatology" and filled["temperature_c"].notna().all()
    empty, source = fill_day(obs.iloc[0:0], date(2026, 3, 29), REGIONS, ["temperature_c"], tz=TZ)
    assert source == "missing" and empty["temperature_c"].isna().all()
