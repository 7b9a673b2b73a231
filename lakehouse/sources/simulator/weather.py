"""Simulated weather per city: seasons, a diurnal cycle, passing weather systems, clouds and sun.

Every quantity is a pure function of (seed, city, UTC instant), so the hour 23:00 UTC has the same
temperature whether it is written as the first hour of one local day or read by the load model
of another. Weather systems are a sum of slow sinusoids with seeded phases (continuous across
days, shared by the five cities, plus a small local part); hourly noise is hashed per hour.

The landed document is the Open-Meteo `/v1/forecast` (or `/v1/archive`) JSON response for one
city and one local day, asked for in GMT (`timezone=GMT&start_hour=..&end_hour=..`): `hourly.time`
holds UTC hours without offset and `utc_offset_seconds` is 0, so a day of 23 or 25 hours is
unambiguous (Open-Meteo applies one fixed offset per response, which is wrong across a DST switch).
Readers compute `hour_utc = time - utc_offset_seconds`, which also fits responses in other zones.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np

from lakehouse.sources.simulator.geography import CITIES, City
from lakehouse.sources.simulator.hashing import mix, normal, uniform
from lakehouse.sources.simulator.timegrid import LocalDay

_EPOCH_2000 = 946684800  # 2000-01-01T00:00:00Z
_YEAR_DAYS = 365.2425
_SYNOPTIC_DAYS = np.array([3.7, 6.3, 9.8, 17.5, 31.0])
_SYNOPTIC_AMPL = np.array([1.5, 1.9, 1.7, 1.4, 1.2])
_CLOUD_DAYS = np.array([1.3, 2.7, 4.1, 8.9])

HOURLY_UNITS = {
    "time": "iso8601",
    "temperature_2m": "°C",
    "relative_humidity_2m": "%",
    "wind_speed_10m": "km/h",
    "cloud_cover": "%",
    "shortwave_radiation": "W/m²",
}


@dataclass(frozen=True)
class HourlyWeather:
    """Parallel arrays for UTC hours (rounded exactly as landed)."""

    epoch_hours: np.ndarray
    temperature_2m: np.ndarray
    relative_humidity_2m: np.ndarray
    wind_speed_10m: np.ndarray
    cloud_cover: np.ndarray
    shortwave_radiation: np.ndarray


def _phases(seed: int, stream: str, n: int) -> np.ndarray:
    return 2 * np.pi * uniform(mix(seed, stream, np.arange(n)))


def _season(days: np.ndarray) -> np.ndarray:
    """0 in mid-January, 1 in mid-July."""
    return (1 - np.cos(2 * np.pi * (days - 18.0) / _YEAR_DAYS)) / 2


def _solar_elevation_sin(city: City, epoch_h: np.ndarray) -> np.ndarray:
    days = epoch_h / 24.0
    doy = np.mod(days, _YEAR_DAYS)
    decl = np.radians(23.44) * np.sin(2 * np.pi * (284 + doy) / 365.0)
    solar_hour = np.mod(epoch_h + city.longitude / 15.0, 24.0)
    hour_angle = np.radians(15.0 * (solar_hour - 12.0))
    lat = np.radians(city.latitude)
    return np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)


def hourly_weather(city_index: int, epoch_hours: np.ndarray, seed: int) -> HourlyWeather:
    """Weather at whole UTC hours given as hours since 2000-01-01T00:00Z."""
    city = CITIES[city_index]
    t = np.asarray(epoch_hours, dtype=np.float64)
    days = t / 24.0
    summer = _season(np.mod(days, _YEAR_DAYS))
    hour_key = t.astype(np.int64)

    # clouds: slow regional systems, cloudier winters, a little local noise
    cphase = _phases(seed, "weather-cloud-phase", len(_CLOUD_DAYS))
    cloud_signal = np.sin(2 * np.pi * days[:, None] / _CLOUD_DAYS + cphase).sum(axis=1) * 0.9
    cloud_signal += 0.6 - 1.5 * summer + 0.25 * normal(mix(seed, "weather-cloud", city_index, hour_key))
    cloud = np.clip(np.rint(100.0 / (1.0 + np.exp(-1.6 * cloud_signal))), 0, 100)

    # temperature: climate + season + diurnal cycle damped by clouds + weather systems + noise
    phase = _phases(seed, "weather-synoptic-phase", len(_SYNOPTIC_DAYS))
    winter_boost = 1.0 + 0.4 * (1.0 - summer)
    synoptic = (_SYNOPTIC_AMPL * np.sin(2 * np.pi * days[:, None] / _SYNOPTIC_DAYS + phase)).sum(axis=1)
    lphase = _phases(seed, f"weather-local-phase-{city.code}", 2)
    local = 0.7 * np.sin(2 * np.pi * days / 2.9 + lphase[0]) + 0.5 * np.sin(
        2 * np.pi * days / 5.3 + lphase[1]
    )
    solar_hour = np.mod(t + city.longitude / 15.0, 24.0)
    diurnal_ampl = (4.0 + 3.0 * summer) * (1.0 - 0.55 * cloud / 100.0)
    diurnal = diurnal_ampl * (
        np.cos(2 * np.pi * (solar_hour - 15.0) / 24.0) + 0.2 * np.cos(4 * np.pi * (solar_hour - 13.0) / 24.0)
    )
    seasonal = 10.3 + city.warmth_c - 11.2 * np.cos(2 * np.pi * (days - 18.0) / _YEAR_DAYS)
    noise = 0.35 * normal(mix(seed, "weather-temp", city_index, hour_key))
    temperature = np.round(seasonal + diurnal + winter_boost * synoptic + local + noise, 1)

    humidity = 62.0 + 22.0 * cloud / 100.0 - 2.2 * diurnal + 8.0 * (1.0 - summer)
    humidity += 4.0 * normal(mix(seed, "weather-rh", city_index, hour_key))
    humidity = np.clip(np.rint(humidity), 12, 100)

    wphase = _phases(seed, "weather-wind-phase", 2)
    daytime = np.clip(np.cos(2 * np.pi * (solar_hour - 14.0) / 24.0), 0, None)
    wind = 5.0 + 5.0 * np.abs(
        np.sin(2 * np.pi * days / 3.1 + wphase[0]) + np.sin(2 * np.pi * days / 7.7 + wphase[1])
    )
    wind += 4.0 * daytime + 1.8 * normal(mix(seed, "weather-wind", city_index, hour_key))
    wind = np.round(np.clip(wind, 0.0, None), 1)

    # shortwave: mean of the preceding hour (Open-Meteo's convention), clear sky damped by clouds
    sin_elev = _solar_elevation_sin(city, t - 0.5)
    clear = np.where(sin_elev > 0.01, 1098.0 * sin_elev * np.exp(-0.057 / np.maximum(sin_elev, 0.01)), 0.0)
    radiation = np.round(clear * (1.0 - 0.75 * (cloud / 100.0) ** 3.4), 1)

    return HourlyWeather(t, temperature, humidity, wind, cloud, radiation)


def day_epoch_hours(day: LocalDay, extra: int = 0) -> np.ndarray:
    """UTC hours (since 2000-01-01) from the local day's start; `extra` hours past its end."""
    first = (day.start_epoch - _EPOCH_2000) // 3600
    return np.arange(first, first + day.n_hours + extra, dtype=np.float64)


@functools.lru_cache(maxsize=64)
def temperatures_for_day(day: LocalDay, seed: int) -> np.ndarray:
    """Landed temperatures per city (rows) at the day's UTC hours plus the next hour (columns)."""
    hours = day_epoch_hours(day, extra=1)
    return np.stack([hourly_weather(i, hours, seed).temperature_2m for i in range(len(CITIES))])


def quarter_temperatures(day: LocalDay, seed: int) -> np.ndarray:
    """Temperature per city at the middle of each quarter-hour, interpolated from landed hours."""
    hourly = temperatures_for_day(day, seed)
    x = (np.arange(day.n_quarters) + 0.5) / 4.0
    return np.stack([np.interp(x, np.arange(hourly.shape[1]), row) for row in hourly])


def open_meteo_document(city_index: int, day: LocalDay, seed: int) -> dict:
    """The Open-Meteo JSON response for one city and one local day (UTC hours, GMT)."""
    city = CITIES[city_index]
    w = hourly_weather(city_index, day_epoch_hours(day), seed)
    times = [h.strftime("%Y-%m-%dT%H:%M") for h in day.utc_hours()]
    gen_ms = round(0.02 + 0.2 * float(uniform(mix(seed, "weather-genms", city_index, day.start_epoch))[0]), 6)
    return {
        "latitude": round(city.latitude, 4),
        "longitude": round(city.longitude, 4),
        "generationtime_ms": gen_ms,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        "elevation": city.elevation_m,
        "hourly_units": HOURLY_UNITS,
        "hourly": {
            "time": times,
            "temperature_2m": [float(v) for v in w.temperature_2m],
            "relative_humidity_2m": [int(v) for v in w.relative_humidity_2m],
            "wind_speed_10m": [float(v) for v in w.wind_speed_10m],
            "cloud_cover": [int(v) for v in w.cloud_cover],
            "shortwave_radiation": [float(v) for v in w.shortwave_radiation],
        },
    }


def open_meteo_bytes(city_index: int, day: LocalDay, seed: int) -> bytes:
    return json.dumps(
        open_meteo_document(city_index, day, seed), ensure_ascii=False, separators=(",", ":")
    ).encode()
