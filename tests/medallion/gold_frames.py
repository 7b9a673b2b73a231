"""Small silver inputs with the contract schema, built in Python, for the gold tests and parity.

Values are simple functions of the interval, so the tests can compute every expected figure in
plain Python from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ_NAME = "Europe/Belgrade"
TZ = ZoneInfo(TZ_NAME)
ZONE = "10Y1001C--00100H"


@dataclass(frozen=True)
class Meter:
    meter_id: str
    region: str
    customer_type: str
    interval_min: int
    kw: float  # constant-ish power, so kWh per interval = kw * minutes / 60 (+ a small hourly ripple)


METERS = (
    Meter("KS00000001", "Prishtina", "residential", 15, 0.4),
    Meter("KS00000002", "Prishtina", "commercial", 60, 3.0),
    Meter("KS00000003", "Prizren", "residential", 60, 0.5),
    Meter("KS00000004", "Prizren", "industrial", 15, 50.0),
)


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of the local day as naive UTC datetimes."""
    start = datetime.combine(day, time(0), tzinfo=TZ)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=TZ)
    return naive_utc(start), naive_utc(end)


def local_date_of(utc: datetime) -> date:
    return utc.replace(tzinfo=UTC).astimezone(TZ).date()


def hours_of(day: date) -> list[datetime]:
    start, end = local_bounds(day)
    count = int((end - start).total_seconds() // 3600)
    return [start + timedelta(hours=h) for h in range(count)]


def energy(meter: Meter, start: datetime) -> float:
    ripple = 1.0 + 0.1 * (start.hour % 6)
    return round(meter.kw * meter.interval_min / 60 * ripple, 3)


def price(hour_utc: datetime) -> float:
    return 60.0 + hour_utc.hour * 2.5 + hour_utc.day


def temperature(city: str, hour_utc: datetime) -> float:
    return round(2.0 + len(city) - 0.5 * hour_utc.hour + hour_utc.day / 10, 1)


READINGS_COLUMNS = (
    "meter_id",
    "interval_start_utc",
    "interval_min",
    "energy_kwh",
    "voltage_v",
    "current_a",
    "power_factor",
    "status",
    "region",
    "customer_type",
    "date_local",
)


def reading_rows(days: list[date], meters: tuple[Meter, ...] = METERS) -> list[tuple]:
    rows = []
    for day in days:
        start, end = local_bounds(day)
        for m in meters:
            t = start
            while t < end:
                rows.append(
                    (
                        m.meter_id,
                        t,
                        m.interval_min,
                        energy(m, t),
                        230.0,
                        1.0,
                        0.95,
                        "OK",
                        m.region,
                        m.customer_type,
                        day,
                    )
                )
                t += timedelta(minutes=m.interval_min)
    return rows


def weather_rows(days: list[date], cities: tuple[str, ...] = ("Prishtina", "Prizren")) -> list[tuple]:
    return [
        (city, h, temperature(city, h), 70.0, 5.0, 40.0, float(max(0, 12 - abs(h.hour - 11)) * 50), day)
        for day in days
        for h in hours_of(day)
        for city in cities
    ]


def price_rows(days: list[date], zone: str = ZONE) -> list[tuple]:
    return [(zone, h, price(h), day) for day in days for h in hours_of(day)]


def frames(spark, days: list[date], *, readings=None, weather=None, prices=None):
    """(readings, weather_hourly, prices_hourly) DataFrames with the silver contract schemas."""
    from spark_jobs.gold_common import PRICES_HOURLY_SCHEMA, READINGS_SCHEMA, WEATHER_SCHEMA

    return (
        spark.createDataFrame(reading_rows(days) if readings is None else readings, READINGS_SCHEMA),
        spark.createDataFrame(weather_rows(days) if weather is None else weather, WEATHER_SCHEMA),
        spark.createDataFrame(price_rows(days) if prices is None else prices, PRICES_HOURLY_SCHEMA),
    )
