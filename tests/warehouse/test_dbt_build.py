"""dbt against the real PostgreSQL: build green on published real gold, marts reconcile with gold,
incremental facts rebuild only republished days, dim_meter keeps history after a registry change,
the day-ahead forecast mart holds the D+1 forecast published with D although D+1 has no actuals.

The tests share one database and run in file order (build, then incremental, then SCD2).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from warehouse_kit import GOLD_DAYS, delta_rows, query

from lakehouse.settings import Settings
from lakehouse.warehouse import dbt_project
from lakehouse.warehouse.publish import publish_gold

# The day after the last gold day: forecast (by the last day's run) but without any actuals.
FORECAST_ONLY_DAY = GOLD_DAYS[-1] + timedelta(days=1)


def _write_forecasts(settings: Settings) -> None:
    """gold.load_forecast of the last gold day and of the day after it (no actuals), as the
    forecasting step writes it: every region and hour, from the last day's load."""
    import pandas as pd

    from lakehouse.forecasting.inference import FORECAST_SCHEMA, FORECAST_TABLE
    from lakehouse.forecasting.io import write_days

    load = delta_rows(settings, "gold.region_load_hourly").to_pandas()
    last = load[load["date_local"] == GOLD_DAYS[-1]][["region", "hour_utc", "energy_mwh"]]
    for day, shift in ((GOLD_DAYS[-1], 0), (FORECAST_ONLY_DAY, 1)):
        rows = pd.DataFrame(
            {
                "region": last["region"],
                "hour_utc": last["hour_utc"] + pd.Timedelta(days=shift),
                "forecast_mwh": last["energy_mwh"] * 1.05,
                "p10_mwh": last["energy_mwh"] * 0.9,
                "p90_mwh": last["energy_mwh"] * 1.2,
                "model_version": "2",
                "created_at": pd.Timestamp(datetime(2026, 3, 13, 0, 5, tzinfo=UTC)),
                "date_local": day,
                "weather_source": "provided",
                "price_source": "persistence",
            }
        )
        write_days(rows, FORECAST_TABLE, [day], FORECAST_SCHEMA)


@pytest.fixture(scope="module")
def built(gold_home: Settings, fresh_database) -> dict:
    url = fresh_database()
    _write_forecasts(gold_home)
    publish_gold(GOLD_DAYS, url=url, settings=gold_home)
    counts = dbt_project.build_all(url=url, settings=gold_home)
    return {"url": url, "settings": gold_home, "counts": counts}


def test_dbt_build_is_green(built: dict) -> None:
    counts = built["counts"]
    print("dbt build:", counts)
    assert set(counts) == {"model:success", "seed:success", "snapshot:success", "test:pass", "unit_test:pass"}
    assert counts["model:success"] >= 20 and counts["unit_test:pass"] >= 4 and counts["test:pass"] >= 60
    schemas = {r[0] for r in query(built["url"], "select table_schema from information_schema.tables")}
    assert {"staging", "intermediate", "marts", "seeds", "snapshots", "lakehouse_gold"} <= schemas
    marts = {
        r[0]
        for r in query(
            built["url"], "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert {
        "dim_region",
        "dim_meter",
        "dim_date",
        "fct_hourly_load",
        "fct_daily_consumption",
        "fct_daily_cost",
        "fct_forecast_accuracy",
        "fct_daily_quarantine",
        "fct_quality_checks",
        "fct_load_forecast",
        "mart_region_daily_summary",
    } <= marts
    kinds = dict(
        query(
            built["url"],
            "select table_name, table_type from information_schema.tables where table_schema = 'marts' "
            "and table_name in ('fct_quality_checks', 'fct_load_forecast')",
        )
    )
    # a view: a blocked day's published quality results are in it without a dbt run
    assert kinds == {"fct_quality_checks": "VIEW", "fct_load_forecast": "BASE TABLE"}


def test_load_forecast_mart_has_every_hour_also_without_actuals(built: dict) -> None:
    """The D+1 forecast published with D is in fct_load_forecast, every hour, although no hour of
    D+1 has actuals (fct_forecast_accuracy cannot hold it); values as in gold."""
    url, settings = built["url"], built["settings"]
    gold = {
        (r["region"], r["hour_utc"]): r
        for r in delta_rows(settings, "gold.load_forecast").to_pylist()
        if r["date_local"] in (GOLD_DAYS[-1], FORECAST_ONLY_DAY)
    }
    mart = query(
        url,
        "select region, hour_utc, hour_local, date_local, forecast_mwh, p10_mwh, p90_mwh, model_version, "
        "weather_source, price_source, forecast_made_at, region_key = md5(region) "
        "from marts.fct_load_forecast",
    )
    assert {(r[0], r[1]) for r in mart} == set(gold)
    tz = ZoneInfo(settings.local_timezone)
    for region, hour, local, day, p50, p10, p90, version, weather, price, made_at, keyed in mart:
        row = gold[(region, hour)]
        assert (day, version, weather, price, made_at) == (
            row["date_local"],
            row["model_version"],
            row["weather_source"],
            row["price_source"],
            row["created_at"],
        )
        assert (p50, p10, p90) == (row["forecast_mwh"], row["p10_mwh"], row["p90_mwh"])
        assert local == hour.astimezone(tz).replace(tzinfo=None) and local.date() == day and keyed
    tomorrow = [r for r in mart if r[3] == FORECAST_ONLY_DAY]
    assert len(tomorrow) == 24 * len({r[0] for r in tomorrow}) and len({r[0] for r in tomorrow}) >= 4
    (with_actuals,) = query(
        url, "select count(*) from marts.fct_hourly_load where date_local = %s", (FORECAST_ONLY_DAY,)
    )[0]
    (scored,) = query(
        url, "select count(*) from marts.fct_forecast_accuracy where date_local = %s", (FORECAST_ONLY_DAY,)
    )[0]
    assert with_actuals == scored == 0


def test_mart_totals_reconcile_with_gold(built: dict) -> None:
    """Energy per local day and region in the marts equals gold's (read from Delta, not from PostgreSQL)."""
    gold: dict[tuple, float] = defaultdict(float)
    for row in delta_rows(built["settings"], "gold.region_load_hourly").to_pylist():
        gold[(row["date_local"], row["region"])] += row["energy_mwh"]
    cost: dict[tuple, float] = defaultdict(float)
    for row in delta_rows(built["settings"], "gold.meter_daily").to_pylist():
        cost[(row["date_local"], row["region"])] += row["cost_eur"]

    summary = {
        (d, r): (e, c)
        for d, r, e, c in query(
            built["url"],
            "select date_local, region, energy_mwh, cost_eur from marts.mart_region_daily_summary",
        )
    }
    hourly = dict(
        ((d, r), e)
        for d, r, e in query(
            built["url"],
            "select date_local, region, sum(energy_mwh) from marts.fct_hourly_load group by 1, 2",
        )
    )
    assert set(summary) == set(gold) == set(hourly)
    for key, energy in gold.items():
        assert summary[key][0] == pytest.approx(energy, rel=1e-9), key
        assert hourly[key] == pytest.approx(energy, rel=1e-9), key
        assert summary[key][1] == pytest.approx(cost[key], rel=1e-9), key
    (consumed,) = query(built["url"], "select sum(energy_kwh) from marts.fct_daily_consumption")[0]
    assert consumed == pytest.approx(
        sum(delta_rows(built["settings"], "gold.meter_daily")["energy_kwh"].to_pylist())
    )


def test_dim_date_has_kosovo_holidays_and_dst_days(built: dict) -> None:
    rows = dict(
        (
            (d.isoformat(), (h, n, hours))
            for d, h, n, hours in query(
                built["url"],
                "select date_day, is_holiday, holiday_name, hours_in_day from marts.dim_date "
                "where date_day in ('2026-02-17', '2026-03-29', '2026-10-25', '2026-03-10')",
            )
        )
    )
    assert rows["2026-02-17"][:2] == (True, "Independence Day")
    assert rows["2026-03-29"][2] == 23 and rows["2026-10-25"][2] == 25
    assert rows["2026-03-10"] == (False, None, 24)


def test_incremental_facts_rebuild_only_republished_days(built: dict) -> None:
    url, settings = built["url"], built["settings"]
    before = dict(
        (
            (d, (n, p))
            for d, n, p in query(
                url, "select date_local, count(*), max(published_at) from marts.fct_hourly_load group by 1"
            )
        )
    )
    forecasts_before = dict(
        query(url, "select date_local, max(published_at) from marts.fct_load_forecast group by 1")
    )
    publish_gold([GOLD_DAYS[1]], url=url, settings=settings)
    dbt_project.run_dbt(
        ["run", "--select", "fct_hourly_load", "fct_daily_consumption", "fct_load_forecast"],
        url=url,
        settings=settings,
    )
    after = dict(
        (
            (d, (n, p))
            for d, n, p in query(
                url, "select date_local, count(*), max(published_at) from marts.fct_hourly_load group by 1"
            )
        )
    )

    assert {d: n for d, (n, _) in after.items()} == {d: n for d, (n, _) in before.items()}
    assert after[GOLD_DAYS[0]][1] == before[GOLD_DAYS[0]][1]
    assert after[GOLD_DAYS[2]][1] == before[GOLD_DAYS[2]][1]
    assert after[GOLD_DAYS[1]][1] > before[GOLD_DAYS[1]][1]
    (duplicates,) = query(
        url, "select count(*) - count(distinct (meter_id, date_local)) from marts.fct_daily_consumption"
    )[0]
    assert duplicates == 0
    # republishing day 1 republishes the forecast of day 2 (its D+1), not the one of the day after
    forecasts_after = dict(
        query(url, "select date_local, max(published_at) from marts.fct_load_forecast group by 1")
    )
    assert set(forecasts_after) == set(forecasts_before) == {GOLD_DAYS[2], FORECAST_ONLY_DAY}
    assert forecasts_after[GOLD_DAYS[2]] > forecasts_before[GOLD_DAYS[2]]
    assert forecasts_after[FORECAST_ONLY_DAY] == forecasts_before[FORECAST_ONLY_DAY]


def test_dim_meter_keeps_history_after_a_registry_change(built: dict) -> None:
    url, settings = built["url"], built["settings"]
    meter, old_region = query(
        url, "select meter_id, region from lakehouse_gold.meters order by meter_id limit 1"
    )[0]
    new_region = next(
        r for (r,) in query(url, "select distinct region from lakehouse_gold.meters") if r != old_region
    )
    # The registry as republished after a meter moved (what silver.meters -> publish delivers).
    query_commit(
        url,
        "update lakehouse_gold.meters set region = %s, _published_at = now() where meter_id = %s",
        (new_region, meter),
    )
    dbt_project.run_dbt(["build", "--select", "snap_meters+"], url=url, settings=settings)

    versions = query(
        url,
        "select version_number, region, is_current, valid_from_date, valid_to_date "
        "from marts.dim_meter where meter_id = %s order by version_number",
        (meter,),
    )
    assert [(v, r, c) for v, r, c, _, _ in versions] == [(1, old_region, False), (2, new_region, True)]
    assert versions[0][4] == versions[1][3]  # version 1 ends the day version 2 starts
    (meters_total,) = query(url, "select count(distinct meter_id) from marts.dim_meter where is_current")[0]
    assert meters_total == query(url, "select count(*) from lakehouse_gold.meters")[0][0]
    # Facts of the past keep the version that was valid on their day.
    keys = {
        r[0]
        for r in query(
            url,
            "select d.version_number from marts.fct_daily_consumption f "
            "join marts.dim_meter d using (meter_key) where f.meter_id = %s",
            (meter,),
        )
    }
    assert keys <= {1}


def query_commit(url: str, sql: str, params: tuple) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(sql, params)


def test_docs_generate_writes_a_site(built: dict) -> None:
    dbt_project.run_dbt(["docs", "generate"], url=built["url"], settings=built["settings"])
    target = dbt_project.target_dir(built["settings"])
    assert (target / "index.html").is_file() and (target / "catalog.json").is_file()
    import json

    catalog = json.loads((target / "catalog.json").read_text())
    assert "model.smartgrid.mart_region_daily_summary" in catalog["nodes"]
