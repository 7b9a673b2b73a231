"""Gold- and silver-shaped frames straight from the simulator's models, without landing or Spark.

Weeks of history through the Spark medallion take minutes; tests and the benchmark need 8 weeks
in seconds. These functions call the same simulator functions the landed feeds are made of
(`readings.generate`, `weather.hourly_weather`, `prices.day_ahead_prices`) and aggregate them in
pandas into the table contracts: silver.meter_readings, silver.weather_hourly and
gold.region_load_hourly (energy per region and UTC hour, EST readings included, ERR ones not,
as the gold job sums silver). No faults are injected: faults are the medallion's concern.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from lakehouse.sources.simulator.geography import CITIES
from lakehouse.sources.simulator.prices import day_ahead_prices
from lakehouse.sources.simulator.readings import STATUS_NAMES, generate
from lakehouse.sources.simulator.registry import build_registry, meter_ids
from lakehouse.sources.simulator.shapes import CUSTOMER_TYPE_NAMES
from lakehouse.sources.simulator.timegrid import local_day
from lakehouse.sources.simulator.weather import _EPOCH_2000, day_epoch_hours, hourly_weather

TZ = "Europe/Belgrade"


def days_from(first: date, n: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


def meter_readings(
    first: date, n_days: int, *, meters: int = 100, seed: int = 42, tz: str = TZ
) -> pd.DataFrame:
    """silver.meter_readings-shaped rows of `meters` simulated meters for `n_days` local days."""
    table = build_registry(seed, meters)
    idx = np.arange(meters)
    ids = np.array(meter_ids(idx))
    regions = np.array([c.name for c in CITIES])
    ctypes = np.array(CUSTOMER_TYPE_NAMES)
    frames = []
    for day in days_from(first, n_days):
        ld = local_day(day, tz)
        batch = generate(table, idx, ld, seed)
        start = pd.Timestamp(ld.utc_start)
        frames.append(
            pd.DataFrame(
                {
                    "meter_id": ids[batch.meter],
                    "interval_start_utc": start + pd.to_timedelta(batch.quarter * 15, unit="min"),
                    "interval_min": batch.interval_min.astype("int32"),
                    "energy_kwh": batch.energy_kwh,
                    "voltage_v": batch.voltage_v,
                    "current_a": batch.current_a,
                    "power_factor": batch.power_factor,
                    "status": np.array(STATUS_NAMES)[batch.status],
                    "region": regions[table.region[batch.meter]],
                    "customer_type": ctypes[table.customer_type[batch.meter]],
                    "date_local": day,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return out[out["status"] != "ERR"].reset_index(drop=True)  # silver requires energy on OK/EST rows


def weather_hourly(first: date, n_days: int, *, seed: int = 42, tz: str = TZ) -> pd.DataFrame:
    """silver.weather_hourly-shaped rows for every city and hour of the days."""
    frames = []
    for day in days_from(first, n_days):
        ld = local_day(day, tz)
        hours = day_epoch_hours(ld)
        stamps = pd.to_datetime((hours * 3600 + _EPOCH_2000).astype("int64"), unit="s", utc=True)
        for i, city in enumerate(CITIES):
            w = hourly_weather(i, hours, seed)
            frames.append(
                pd.DataFrame(
                    {
                        "city": city.name,
                        "hour_utc": stamps,
                        "temperature_c": w.temperature_2m,
                        "relative_humidity_pct": w.relative_humidity_2m.astype(float),
                        "wind_speed_kmh": w.wind_speed_10m,
                        "cloud_cover_pct": w.cloud_cover.astype(float),
                        "shortwave_radiation_wm2": w.shortwave_radiation,
                        "date_local": day,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def prices_hourly(first: date, n_days: int, *, seed: int = 42, tz: str = TZ) -> pd.DataFrame:
    """silver.day_ahead_prices_hourly-shaped rows (hour_utc, price_eur_mwh, date_local)."""
    frames = []
    for day in days_from(first, n_days):
        ld = local_day(day, tz)
        frames.append(
            pd.DataFrame(
                {
                    "hour_utc": pd.DatetimeIndex(ld.utc_hours()).tz_convert("UTC"),
                    "price_eur_mwh": day_ahead_prices(ld, seed, "PT60M"),
                    "date_local": day,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def region_load_hourly(
    first: date, n_days: int, *, meters: int = 2000, seed: int = 42, tz: str = TZ
) -> pd.DataFrame:
    """gold.region_load_hourly-shaped rows: region, hour_utc, energy_mwh, meters_reporting,
    temperature_c (the region city's), price_eur_mwh, date_local. Aggregated per day in numpy."""
    table = build_registry(seed, meters)
    idx = np.arange(meters)
    n_regions = len(CITIES)
    frames = []
    for day in days_from(first, n_days):
        ld = local_day(day, tz)
        batch = generate(table, idx, ld, seed)
        ok = np.isfinite(batch.energy_kwh)
        key = table.region[batch.meter[ok]] * ld.n_hours + batch.quarter[ok] // 4
        energy = np.bincount(key, weights=batch.energy_kwh[ok], minlength=n_regions * ld.n_hours)
        pairs = np.unique(key * meters + batch.meter[ok])
        reporting = np.bincount(pairs // meters, minlength=n_regions * ld.n_hours)
        hours = pd.DatetimeIndex(ld.utc_hours()).tz_convert("UTC")
        frames.append(
            pd.DataFrame(
                {
                    "region": np.repeat([c.name for c in CITIES], ld.n_hours),
                    "hour_utc": np.tile(hours, n_regions),
                    "energy_mwh": energy / 1000.0,
                    "meters_reporting": reporting.astype("int64"),
                    "date_local": day,
                }
            )
        )
    hourly = pd.concat(frames, ignore_index=True)
    weather = weather_hourly(first, n_days, seed=seed, tz=tz)[["city", "hour_utc", "temperature_c"]]
    hourly = hourly.merge(weather.rename(columns={"city": "region"}), on=["region", "hour_utc"], how="left")
    prices = prices_hourly(first, n_days, seed=seed, tz=tz)[["hour_utc", "price_eur_mwh"]]
    hourly = hourly.merge(prices, on="hour_utc", how="left")
    return hourly.sort_values(["region", "hour_utc"]).reset_index(drop=True)
