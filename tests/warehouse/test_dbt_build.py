"""dbt against the real PostgreSQL: build green on published real gold, marts reconcile with gold,
incremental facts rebuild only republished days, dim_meter keeps history after a registry change.

The tests share one database and run in file order (build, then incremental, then SCD2).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from warehouse_kit import GOLD_DAYS, delta_rows, query

from lakehouse.settings import Settings
from lakehouse.warehouse import dbt_project
from lakehouse.warehouse.publish import publish_gold


@pytest.fixture(scope="module")
def built(gold_home: Settings, fresh_database) -> dict:
    url = fresh_database()
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
        "mart_region_daily_summary",
    } <= marts


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
    publish_gold([GOLD_DAYS[1]], url=url, settings=settings)
    dbt_project.run_dbt(
        ["run", "--select", "fct_hourly_load", "fct_daily_consumption"], url=url, settings=settings
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
