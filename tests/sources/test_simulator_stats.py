"""Statistical sanity of simulated data: the shapes an energy analyst would expect to see."""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from lakehouse.settings import Settings
from lakehouse.sources.landing import LandingStore
from lakehouse.sources.simulator import SimulatorConfig, produce
from lakehouse.sources.simulator.daytypes import holiday_name
from lakehouse.sources.simulator.prices import day_ahead_prices
from lakehouse.sources.simulator.readings import generate
from lakehouse.sources.simulator.registry import build_registry
from lakehouse.sources.simulator.timegrid import local_day
from lakehouse.sources.simulator.weather import temperatures_for_day

TZ = ZoneInfo("Europe/Belgrade")
SEED, N = 5, 400


def _hourly_load(day: date, customer_type: int | None = None) -> np.ndarray:
    """Mean kWh per meter-hour by local clock hour (0..23) for a customer type (None: all)."""
    meters = build_registry(SEED, N)
    idx = np.arange(N) if customer_type is None else np.flatnonzero(meters.customer_type == customer_type)
    ld = local_day(day)
    batch = generate(meters, idx, ld, SEED)
    ok = ~np.isnan(batch.energy_kwh)
    hours = ld.local_hour_of_quarter[batch.quarter].astype(int)
    total = np.bincount(hours[ok], weights=batch.energy_kwh[ok], minlength=24)
    return total / len(idx)


def test_residential_winter_weekday_evening_peak_above_night_trough(lakehouse_env: Settings) -> None:
    """Read back from the landed CSV files, not from the generator."""
    store = LandingStore()
    day = date(2026, 1, 14)  # a Wednesday
    paths = produce("meters", day, SimulatorConfig(seed=SEED, meters=N), store).paths
    registry = list(csv.DictReader(io.StringIO(store.read_bytes("meters/registry/meters.csv").decode())))
    residential = {r["meter_id"] for r in registry if r["customer_type"] == "residential"}
    by_hour: dict[int, float] = defaultdict(float)
    for path in (p for p in paths if "/readings/" in p):
        for row in csv.DictReader(io.StringIO(gzip.decompress(store.read_bytes(path)).decode())):
            if row["meter_id"] in residential and row["energy_kwh"]:
                end = datetime.fromisoformat(row["timestamp"]) - timedelta(minutes=int(row["interval_min"]))
                by_hour[end.astimezone(TZ).hour] += float(row["energy_kwh"])
    evening = np.mean([by_hour[h] for h in (18, 19, 20, 21)])
    night = np.mean([by_hour[h] for h in (2, 3, 4, 5)])
    assert evening > 1.5 * night


def test_price_at_the_daily_peak_above_the_night_average() -> None:
    peaks, nights = [], []
    for offset in range(0, 360, 9):
        ld = local_day(date(2026, 1, 1) + timedelta(days=offset))
        prices = day_ahead_prices(ld, SEED)
        hours = ld.local_hour_of_hour
        peaks.append(prices[(hours >= 17) & (hours <= 20)].mean())
        nights.append(prices[(hours >= 1) & (hours <= 4)].mean())
    assert np.mean(peaks) > 1.3 * np.mean(nights)
    assert sum(p > n for p, n in zip(peaks, nights, strict=True)) >= 0.9 * len(peaks)


def test_colder_months_have_more_load_and_lower_temperatures() -> None:
    def week(start: date) -> tuple[float, float]:
        days = [start + timedelta(days=i) for i in range(7)]
        load = sum(_hourly_load(d).sum() for d in days)
        temp = np.mean([temperatures_for_day(local_day(d), SEED).mean() for d in days])
        return load, temp

    jan_load, jan_temp = week(date(2026, 1, 12))
    may_load, may_temp = week(date(2026, 5, 11))
    assert jan_temp < may_temp - 8
    assert jan_load > 1.3 * may_load


def test_holiday_load_shape_differs_from_a_workday() -> None:
    holiday, workday = date(2026, 2, 17), date(2026, 2, 10)  # both Tuesdays; Independence Day
    assert holiday_name(holiday) and not holiday_name(workday)
    h, w = _hourly_load(holiday), _hourly_load(workday)
    commercial_h, commercial_w = _hourly_load(holiday, 1), _hourly_load(workday, 1)
    assert commercial_h[9:17].sum() < 0.75 * commercial_w[9:17].sum()  # offices closed
    shape_h, shape_w = h / h.sum(), w / w.sum()
    assert np.abs(shape_h - shape_w).sum() > 0.05
    assert shape_h[7] < shape_w[7]  # no early morning rush on a holiday
