"""Gold transforms on Sail, on hand-built silver rows: hourly region load, meter days, features, DST."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from gold_frames import (
    METERS,
    TZ_NAME,
    ZONE,
    energy,
    frames,
    hours_of,
    local_bounds,
    price,
    price_rows,
    reading_rows,
    temperature,
    weather_rows,
)

from spark_jobs.gold_load_features import holiday_frame, load_features
from spark_jobs.gold_meter_daily import meter_daily
from spark_jobs.gold_region_load_hourly import region_load_hourly

NORMAL = date(2026, 1, 14)
SPRING = date(2026, 3, 29)  # 23 local hours
AUTUMN = date(2026, 10, 25)  # 25 local hours


def _hourly(spark, days, **overrides) -> list[dict]:
    readings, weather, prices = frames(spark, days, **overrides)
    df = region_load_hourly(readings, weather, prices, tz=TZ_NAME, bidding_zone=ZONE)
    return [r.asDict() for r in df.orderBy("region", "hour_utc").collect()]


def _expected_hourly(days) -> dict[tuple[str, datetime], tuple[float, set[str]]]:
    sums: dict[tuple[str, datetime], list] = defaultdict(lambda: [0.0, set()])
    for m in METERS:
        for day in days:
            start, end = local_bounds(day)
            t = start
            while t < end:
                key = (m.region, t.replace(minute=0))
                sums[key][0] += energy(m, t)
                sums[key][1].add(m.meter_id)
                t += timedelta(minutes=m.interval_min)
    return {k: (v[0] / 1000, v[1]) for k, v in sums.items()}


@pytest.mark.parametrize(("day", "hours"), [(NORMAL, 24), (SPRING, 23), (AUTUMN, 25)])
def test_region_load_hourly_sums_15_and_60_minute_meters_per_local_hour(spark, day, hours) -> None:
    rows = _hourly(spark, [day])
    expected = _expected_hourly([day])

    assert {r["region"] for r in rows} == {"Prishtina", "Prizren"}
    for region in ("Prishtina", "Prizren"):
        got = [r for r in rows if r["region"] == region]
        assert len(got) == hours, f"{region} on {day}: {len(got)} hours"
        assert [r["hour_utc"] for r in got] == hours_of(day)
    for r in rows:
        mwh, meters = expected[(r["region"], r["hour_utc"])]
        assert r["energy_mwh"] == pytest.approx(mwh, rel=1e-9)
        assert r["meters_reporting"] == len(meters) == 2
        assert r["date_local"] == day
        assert r["temperature_c"] == pytest.approx(temperature(r["region"], r["hour_utc"]))
        assert r["price_eur_mwh"] == pytest.approx(price(r["hour_utc"]))


def test_region_load_hourly_dst_hours_are_the_local_day(spark) -> None:
    """2026-10-25 local 02:00-03:00 happens twice: two UTC hours, both in the day's 25."""
    rows = [r for r in _hourly(spark, [AUTUMN]) if r["region"] == "Prishtina"]
    start, end = local_bounds(AUTUMN)
    assert (start, end) == (datetime(2026, 10, 24, 22), datetime(2026, 10, 25, 23))
    assert rows[0]["hour_utc"] == start and rows[-1]["hour_utc"] == end - timedelta(hours=1)
    spring = [r for r in _hourly(spark, [SPRING]) if r["region"] == "Prishtina"]
    assert spring[0]["hour_utc"] == datetime(2026, 3, 28, 23)
    assert spring[-1]["hour_utc"] == datetime(2026, 3, 29, 21)


def test_err_readings_and_missing_weather_or_price(spark) -> None:
    readings = reading_rows([NORMAL])
    # The Prishtina 60-minute meter fails (ERR, no energy) in the first hour of the day.
    first_hour = local_bounds(NORMAL)[0]
    readings = [
        (*r[:3], None, None, None, None, "ERR", *r[8:]) if r[0] == "KS00000002" and r[1] == first_hour else r
        for r in readings
    ]
    weather = [w for w in weather_rows([NORMAL]) if w[1] != first_hour]
    prices = [p for p in price_rows([NORMAL]) if p[1] != first_hour] + [
        ("10YOTHER-ZONE--X", first_hour, 999.0, NORMAL)
    ]
    rows = _hourly(spark, [NORMAL], readings=readings, weather=weather, prices=prices)
    first = next(r for r in rows if r["region"] == "Prishtina" and r["hour_utc"] == first_hour)
    assert first["meters_reporting"] == 1
    assert first["temperature_c"] is None and first["price_eur_mwh"] is None  # other zone ignored
    expected = sum(energy(METERS[0], first_hour + timedelta(minutes=15 * q)) for q in range(4)) / 1000
    assert first["energy_mwh"] == pytest.approx(expected)
    assert sum(r["price_eur_mwh"] is None for r in rows) == 2  # that hour, in both regions


@pytest.mark.parametrize(
    ("day", "quarters", "hours"), [(NORMAL, 96, 24), (SPRING, 92, 23), (AUTUMN, 100, 25)]
)
def test_meter_daily_energy_cost_and_expected_intervals(spark, day, quarters, hours) -> None:
    readings, _, prices = frames(spark, [day])
    rows = {
        r["meter_id"]: r.asDict()
        for r in meter_daily(readings, prices, tz=TZ_NAME, bidding_zone=ZONE).collect()
    }
    assert set(rows) == {m.meter_id for m in METERS}
    start, end = local_bounds(day)
    for m in METERS:
        row = rows[m.meter_id]
        starts = []
        t = start
        while t < end:
            starts.append(t)
            t += timedelta(minutes=m.interval_min)
        kwh = sum(energy(m, t) for t in starts)
        cost = sum(energy(m, t) * price(t.replace(minute=0)) / 1000 for t in starts)
        assert row["energy_kwh"] == pytest.approx(kwh)
        assert row["cost_eur"] == pytest.approx(cost)
        assert row["intervals"] == len(starts)
        assert row["expected_intervals"] == (quarters if m.interval_min == 15 else hours)
        assert row["intervals"] == row["expected_intervals"]
        assert (row["region"], row["customer_type"], row["date_local"]) == (m.region, m.customer_type, day)
        assert row["unpriced_energy_kwh"] == 0.0


def test_meter_daily_gaps_and_unpriced_hours(spark) -> None:
    start = local_bounds(NORMAL)[0]
    readings = [
        r for r in reading_rows([NORMAL]) if not (r[0] == "KS00000001" and r[1] < start + timedelta(hours=1))
    ]
    prices = [p for p in price_rows([NORMAL]) if p[1] != start + timedelta(hours=5)]
    df = meter_daily(
        *frames(spark, [NORMAL], readings=readings, prices=prices)[::2], tz=TZ_NAME, bidding_zone=ZONE
    )
    row = next(r for r in df.collect() if r["meter_id"] == "KS00000001")
    assert (row["intervals"], row["expected_intervals"]) == (92, 96)
    unpriced = sum(energy(METERS[0], start + timedelta(hours=5, minutes=15 * q)) for q in range(4))
    assert row["unpriced_energy_kwh"] == pytest.approx(unpriced)
    priced_kwh = row["energy_kwh"] - unpriced
    assert row["cost_eur"] < priced_kwh * 200 / 1000  # only priced hours are costed, at < 200 EUR/MWh


def _features(spark, days: list[date]) -> list[dict]:
    readings, weather, prices = frames(spark, days)
    hourly = region_load_hourly(readings, weather, prices, tz=TZ_NAME, bidding_zone=ZONE)
    years = {d.year for d in days}
    df = load_features(hourly, weather, holiday_frame(spark, years), tz=TZ_NAME)
    return [r.asDict() for r in df.where("region = 'Prishtina'").orderBy("hour_utc").collect()]


def test_load_features_lags_rolling_calendar_and_weather(spark) -> None:
    days = [date(2026, 2, 8) + timedelta(days=k) for k in range(10)]  # Sun 8 .. Tue 17 (holiday)
    rows = _features(spark, days)
    by_hour = {r["hour_utc"]: r for r in rows}
    assert len(rows) == 240

    last = rows[-1]
    t = last["hour_utc"]
    assert last["lag_24h_mwh"] == pytest.approx(by_hour[t - timedelta(hours=24)]["energy_mwh"])
    assert last["lag_168h_mwh"] == pytest.approx(by_hour[t - timedelta(hours=168)]["energy_mwh"])
    window = [by_hour[t - timedelta(hours=h)]["energy_mwh"] for h in range(24, 48)]
    mean = sum(window) / 24
    assert last["rolling_mean_24h_mwh"] == pytest.approx(mean)
    assert last["rolling_std_24h_mwh"] == pytest.approx(math.sqrt(sum((x - mean) ** 2 for x in window) / 23))
    assert (last["rolling_min_24h_mwh"], last["rolling_max_24h_mwh"]) == (min(window), max(window))
    week = [by_hour[t - timedelta(hours=h)]["energy_mwh"] for h in range(24, 192)]
    assert last["rolling_mean_168h_mwh"] == pytest.approx(sum(week) / 168)
    assert last["rolling_hours_168h"] == 168

    first = rows[0]
    assert first["lag_24h_mwh"] is None and first["lag_168h_mwh"] is None
    assert first["rolling_mean_24h_mwh"] is None and first["rolling_hours_168h"] == 0

    assert (first["hour_local"], first["weekday_local"], first["is_weekend"]) == (0, 7, True)
    assert (last["hour_local"], last["weekday_local"], last["is_weekend"]) == (23, 2, False)
    assert last["is_holiday"] and last["holiday_name"] == "Independence Day"
    assert not by_hour[t - timedelta(hours=24)]["is_holiday"]
    assert all(r["day_hours"] == 24 and not r["is_dst_day"] for r in rows)

    assert last["temperature_c"] == pytest.approx(temperature("Prishtina", t))
    assert last["heating_degree_hours"] == pytest.approx(max(0.0, 18.0 - temperature("Prishtina", t)))
    assert last["price_eur_mwh"] == pytest.approx(price(t))
    noon = next(r for r in rows if r["hour_local"] == 12)
    assert noon["shortwave_radiation_wm2"] == float(max(0, 12 - abs(noon["hour_utc"].hour - 11)) * 50)


def test_load_features_on_dst_days(spark) -> None:
    days = [date(2026, 3, 28), SPRING, date(2026, 3, 30)]
    rows = _features(spark, days)
    spring = [r for r in rows if r["date_local"] == SPRING]
    assert len(spring) == 23
    assert all(r["is_dst_day"] and r["day_hours"] == 23 for r in spring)
    assert [r["hour_local"] for r in spring] == [0, 1, *range(3, 24)]
    assert not any(r["is_dst_day"] for r in rows if r["date_local"] != SPRING)
    # 24 h before 2026-03-30 00:00 local (22:00 UTC) is 2026-03-28 22:00 UTC = 2026-03-28 23:00 local.
    monday = next(r for r in rows if r["date_local"] == date(2026, 3, 30))
    before = next(r for r in rows if r["hour_utc"] == monday["hour_utc"] - timedelta(hours=24))
    assert before["hour_local"] == 23 and monday["lag_24h_mwh"] == pytest.approx(before["energy_mwh"])

    autumn = _features(spark, [AUTUMN])
    assert len(autumn) == 25 and all(r["day_hours"] == 25 for r in autumn)
    assert [r["hour_local"] for r in autumn].count(2) == 2
