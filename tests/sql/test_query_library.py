"""Every query of trino/queries/ runs through the official trino client against `lakehouse sql serve`
as an analyst, and returns the answer computed here independently: pandas over the Delta tables read
with delta-rs (gold queries), or plain SQL on the warehouse PostgreSQL / gold (marts queries)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sql_kit import delta_frame

QUERIES = Path(__file__).resolve().parents[2] / "trino" / "queries"
TZ = "Europe/Belgrade"


def _round(value: float, digits: int) -> float:
    return round(float(value), digits)


def q01(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.region_load_hourly")
    out = []
    for region, g in df.groupby("region"):
        top = g.loc[g["energy_mwh"].idxmax()]
        local = top["hour_utc"].tz_convert(TZ).strftime("%Y-%m-%d %H:%M")
        out.append([region, top["hour_utc"].to_pydatetime(), local, _round(top["energy_mwh"], 6)])
    return sorted(out, key=lambda r: (-r[3], r[0]))


def q02(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.region_load_hourly").dropna(subset=["temperature_c"])
    df["band"] = (df["temperature_c"] // 5 * 5).astype(int)
    g = df.groupby(["region", "band"]).agg(n=("energy_mwh", "size"), avg=("energy_mwh", "mean")).reset_index()
    return [[r.region, r.band, r.n, _round(r.avg, 6)] for r in g.itertuples()]


def q03(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.meter_daily")
    out = []
    for ctype, g in df.groupby("customer_type"):
        energy, cost = g["energy_kwh"].sum(), g["cost_eur"].sum()
        out.append(
            [
                ctype,
                g["meter_id"].nunique(),
                _round(energy, 3),
                _round(cost, 2),
                _round(cost * 1000 / energy, 2),
            ]
        )
    return sorted(out, key=lambda r: -r[3])


def q04(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.meter_daily")
    df = df[df["intervals_with_energy"] < df["expected_intervals"]].copy()
    df["missing"] = df["expected_intervals"] - df["intervals_with_energy"]
    df = df.sort_values(["missing", "date_local", "meter_id"], ascending=[False, True, True])
    cols = ["date_local", "meter_id", "region", "intervals_with_energy", "expected_intervals", "missing"]
    return df[cols].values.tolist()


def q05(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.region_load_hourly").dropna(subset=["price_eur_mwh"])
    return [
        [region, len(g), _round(g["price_eur_mwh"].corr(g["energy_mwh"]), 6)]
        for region, g in sorted(df.groupby("region"))
    ]


def q06(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.load_features")
    df = df[df["is_dst_day"]]
    out = []
    for (day, region), g in sorted(df.groupby(["date_local", "region"])):
        out.append([day, region, int(g["day_hours"].max()), len(g), len(g) == g["day_hours"].max()])
    return out


def q07(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.meter_daily")
    per = df.groupby(["meter_id", "region", "customer_type"])["energy_kwh"].sum().reset_index()
    per["pct"] = 100 * per["energy_kwh"] / per.groupby("region")["energy_kwh"].transform("sum")
    per = per.sort_values(["energy_kwh", "meter_id"], ascending=[False, True]).head(10)
    return [
        [r.meter_id, r.region, r.customer_type, _round(r.energy_kwh, 3), _round(r.pct, 2)]
        for r in per.itertuples()
    ]


def _daily(s: Any) -> pd.DataFrame:
    df = delta_frame(s, "gold.region_load_hourly")
    return df.groupby(["region", "date_local"])["energy_mwh"].sum().reset_index()


def q08(s: Any) -> list[list[Any]]:
    daily = _daily(s).sort_values(["region", "date_local"])
    daily["change"] = daily.groupby("region")["energy_mwh"].diff()
    return [
        [r.region, r.date_local, _round(r.energy_mwh, 6), None if pd.isna(r.change) else _round(r.change, 6)]
        for r in daily.itertuples()
    ]


def q09(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.load_features")
    out = []
    for hour, g in sorted(df.groupby("hour_local")):
        off = g["is_weekend"] | g["is_holiday"]
        work, rest = g.loc[~off, "energy_mwh"], g.loc[off, "energy_mwh"]
        out.append(
            [
                hour,
                _round(work.mean(), 6) if len(work) else None,
                _round(rest.mean(), 6) if len(rest) else None,
            ]
        )
    return out


def q10(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.load_features")
    g = df.groupby(["region", "date_local"])[["heating_degree_hours", "energy_mwh"]].sum().reset_index()
    return [
        [r.region, r.date_local, _round(r.heating_degree_hours, 3), _round(r.energy_mwh, 6)]
        for r in g.itertuples()
    ]


def q11(s: Any) -> list[list[Any]]:
    df = delta_frame(s, "gold.meter_daily")
    df = df[df["expected_intervals"] > 0]
    decile = (df["intervals_with_energy"] * 10) // df["expected_intervals"]  # positive: floor = truncation
    return [[int(k), int(v)] for k, v in sorted(decile.value_counts().items())]


def q12(s: Any) -> list[list[Any]]:
    daily = _daily(s)
    daily["iso"] = pd.to_datetime(daily["date_local"]).dt.isocalendar().day
    daily["name"] = pd.to_datetime(daily["date_local"]).dt.day_name()
    g = daily.groupby(["region", "iso", "name"]).agg(n=("energy_mwh", "size"), avg=("energy_mwh", "mean"))
    return [[region, int(iso), day, r.n, _round(r.avg, 6)] for (region, iso, day), r in g.iterrows()]


def q13(s: Any) -> list[list[Any]]:
    # From gold, not from the marts: the mart must reconcile with gold.
    df = delta_frame(s, "gold.meter_daily")
    g = df.groupby(["date_local", "customer_type"]).agg(
        meters=("meter_id", "count"), energy=("energy_kwh", "sum"), cost=("cost_eur", "sum")
    )
    return [[d, c, r.meters, _round(r.energy, 3), _round(r.cost, 2)] for (d, c), r in g.iterrows()]


def _pg(url: str, sql: str) -> pd.DataFrame:
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])


def q14(s: Any, url: str) -> list[list[Any]]:
    df = _pg(
        url, "select region, date_local, energy_mwh, peak_mw, cost_eur from marts.mart_region_daily_summary"
    )
    df = df.sort_values(["region", "date_local"])
    df["avg7"] = df.groupby("region")["energy_mwh"].transform(
        lambda x: x.astype(float).rolling(7, min_periods=1).mean()
    )
    return [
        [
            r.region,
            r.date_local,
            _round(r.energy_mwh, 6),
            _round(r.peak_mw, 6),
            None if r.cost_eur is None or pd.isna(r.cost_eur) else _round(r.cost_eur, 2),
            _round(r.avg7, 6),
        ]
        for r in df.itertuples()
    ]


def q15(s: Any, url: str) -> list[list[Any]]:
    df = _pg(url, "select source, reason, records from marts.fct_daily_quarantine")
    g = df.groupby(["source", "reason"])["records"].sum().reset_index()
    g = g.sort_values(["records", "source", "reason"], ascending=[False, True, True])
    return [[r.source, r.reason, int(r.records)] for r in g.itertuples()]


def q16(s: Any, url: str) -> list[list[Any]]:
    df = _pg(url, "select region, hour_utc, abs_error_mwh, ape from marts.fct_forecast_accuracy")
    if df.empty:
        return []
    df["hour_local"] = pd.to_datetime(df["hour_utc"], utc=True).dt.tz_convert(TZ).dt.hour
    g = df.groupby(["region", "hour_local"]).agg(
        n=("ape", "size"), mae=("abs_error_mwh", "mean"), ape=("ape", "mean")
    )
    return [[reg, int(h), r.n, _round(r.mae, 6), _round(100 * r.ape, 2)] for (reg, h), r in g.iterrows()]


EXPECTED: dict[str, Callable[..., list[list[Any]]]] = {
    "01_peak_load_by_region": q01,
    "02_load_vs_temperature": q02,
    "03_cost_per_customer_type": q03,
    "04_meters_not_reporting": q04,
    "05_price_vs_load_correlation": q05,
    "06_dst_day_checks": q06,
    "07_top_consuming_meters": q07,
    "08_daily_load_trend": q08,
    "09_hourly_profile": q09,
    "10_heating_degree_hours": q10,
    "11_reading_completeness_buckets": q11,
    "12_weekday_load": q12,
    "13_marts_cost_per_customer_type": q13,
    "14_marts_region_daily_summary_trend": q14,
    "15_marts_quarantine_reasons_by_feed": q15,
    "16_marts_forecast_error_by_region_hour": q16,
}


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) or isinstance(actual, float):
        if actual is None or expected is None:
            return actual is None and expected is None
        # Both sides round to the query's digits; sums in another order may land across a rounding edge.
        return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=0.0101)
    if hasattr(expected, "item"):
        expected = expected.item()
    if hasattr(expected, "to_pydatetime"):
        expected = expected.to_pydatetime()
    if hasattr(expected, "date") and not hasattr(actual, "hour") and hasattr(expected, "hour"):
        expected = expected.date()
    return actual == expected


def test_every_query_has_an_independent_answer() -> None:
    files = sorted(p.stem for p in QUERIES.glob("*.sql"))
    assert len(files) >= 12
    assert files == sorted(EXPECTED), "add the independent answer of each new query to EXPECTED"
    for path in QUERIES.glob("*.sql"):
        first = path.read_text().lstrip().splitlines()[0]
        assert first.startswith("-- ") and len(first) > 20, f"{path.name} must open with what it answers"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_matches_independent_answer(name: str, connect, endpoint) -> None:
    sql = (QUERIES / f"{name}.sql").read_text()
    cursor = connect("analyst").cursor()
    cursor.execute(sql)
    actual = [list(row) for row in cursor.fetchall()]
    settings = endpoint["settings"]
    compute = EXPECTED[name]
    from_warehouse = name.startswith(("14_", "15_", "16_"))
    expected = compute(settings, endpoint["warehouse_url"]) if from_warehouse else compute(settings)
    if name not in ("16_marts_forecast_error_by_region_hour",):
        assert expected, f"{name}: the test data should give a non-empty answer"
    assert len(actual) == len(expected), (name, actual[:5], expected[:5])
    for got, want in zip(actual, expected, strict=True):
        assert len(got) == len(want)
        assert all(_same(a, e) for a, e in zip(got, want, strict=True)), (name, got, want)
