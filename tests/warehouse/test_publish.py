"""Publish: gold days into lakehouse_gold through COPY, idempotent per date, one transaction."""

from __future__ import annotations

from datetime import UTC, date

import pyarrow as pa
import pytest
from warehouse_kit import GOLD_DAYS, delta_rows, query

from lakehouse.settings import Settings
from lakehouse.warehouse import pg_copy, quarantine
from lakehouse.warehouse.errors import WarehouseUnavailableError
from lakehouse.warehouse.publish import LOAD_FORECAST_SCHEMA, publish_gold

TABLES = ("region_load_hourly", "meter_daily", "load_features", "meters", "quarantine_daily")


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """Every published table's rows (without _published_at), sorted."""
    out = {}
    for table in (*TABLES, "forecast_accuracy"):
        columns = [
            r[0]
            for r in query(
                url,
                "select column_name from information_schema.columns where table_schema = 'lakehouse_gold' "
                "and table_name = %s and column_name <> '_published_at' order by ordinal_position",
                (table,),
            )
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        out[table] = sorted(query(url, f"select {listed} from lakehouse_gold.{table}"), key=repr)
    return out


def test_publish_twice_gives_the_same_rows_and_matches_gold(gold_home: Settings, fresh_database) -> None:
    url = fresh_database()
    first = publish_gold(GOLD_DAYS, url=url, settings=gold_home)
    before = _snapshot(url)
    second = publish_gold([d.isoformat() for d in GOLD_DAYS], url=url, settings=gold_home)
    after = _snapshot(url)

    assert before == after
    for table in TABLES:
        assert second["tables"][table]["deleted"] == first["tables"][table]["rows"], table
    # The bulk path copied every gold row of the days, values intact.
    for name in ("gold.region_load_hourly", "gold.meter_daily", "gold.load_features"):
        gold = delta_rows(gold_home, name)
        table = name.split(".")[1]
        assert first["tables"][table]["rows"] == gold.num_rows > 0
    gold = delta_rows(gold_home, "gold.region_load_hourly")
    (total,) = query(url, "select sum(energy_mwh) from lakehouse_gold.region_load_hourly")[0]
    assert total == pytest.approx(sum(gold["energy_mwh"].to_pylist()), rel=1e-12)
    assert len(before["meters"]) == delta_rows(gold_home, "silver.meters").num_rows
    # Every quarantined record is counted once.
    # Every quarantined record of the published days is counted once (its day, else its landing day).
    counted = sum(r[-1] for r in query(url, "select records from lakehouse_gold.quarantine_daily"))
    rejected = delta_rows(gold_home, "silver.quarantine").to_pylist()
    assert counted == sum((r["date_local"] or r["landing_date"]) in GOLD_DAYS for r in rejected) > 0
    # Forecast accuracy does not exist in gold yet: the table is there, empty, with its contract columns.
    assert before["forecast_accuracy"] == []
    columns = {
        r[0]
        for r in query(
            url,
            "select column_name from information_schema.columns "
            "where table_schema = 'lakehouse_gold' and table_name = 'forecast_accuracy'",
        )
    }
    assert {
        "region",
        "hour_utc",
        "date_local",
        "forecast_mwh",
        "actual_mwh",
        "ape",
        "model_version",
    } <= columns


def test_publishing_one_day_leaves_the_others_untouched(gold_home: Settings, fresh_database) -> None:
    url = fresh_database()
    publish_gold(GOLD_DAYS, url=url, settings=gold_home)
    stamps = dict(
        query(url, "select date_local, max(_published_at) from lakehouse_gold.meter_daily group by 1")
    )
    summary = publish_gold(GOLD_DAYS[1], url=url, settings=gold_home)
    after = dict(
        query(url, "select date_local, max(_published_at) from lakehouse_gold.meter_daily group by 1")
    )

    assert summary["dates"] == [GOLD_DAYS[1].isoformat()]
    assert after[GOLD_DAYS[0]] == stamps[GOLD_DAYS[0]] and after[GOLD_DAYS[2]] == stamps[GOLD_DAYS[2]]
    assert after[GOLD_DAYS[1]] > stamps[GOLD_DAYS[1]]
    per_day = dict(query(url, "select date_local, count(*) from lakehouse_gold.meter_daily group by 1"))
    gold = delta_rows(gold_home, "gold.meter_daily").to_pandas()
    assert per_day == gold.groupby("date_local").size().to_dict()


def test_copy_adds_columns_that_gold_gained(fresh_database) -> None:
    import psycopg

    url = fresh_database()
    older = pa.table({"date_local": pa.array([date(2026, 1, 1)]), "x": pa.array([1.5])})
    newer = older.append_column("note", pa.array(["new column"]))
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("create schema s")
        pg_copy.ensure_table(cur, "s", "t", older.schema)
        pg_copy.copy_rows(cur, "s", "t", older)
        assert pg_copy.ensure_table(cur, "s", "t", newer.schema) == ["note"]
        pg_copy.copy_rows(cur, "s", "t", newer)
        cur.execute("select x, note from s.t order by note nulls first")
        assert cur.fetchall() == [(1.5, None), (1.5, "new column")]


def test_arrow_types_map_to_postgres_types() -> None:
    assert pg_copy.pg_type(pa.timestamp("us", tz="UTC")) == "timestamptz"
    assert pg_copy.pg_type(pa.timestamp("us")) == "timestamp"
    assert pg_copy.pg_type(pa.date32()) == "date"
    assert pg_copy.pg_type(pa.int32()) == "integer"
    assert pg_copy.pg_type(pa.int64()) == "bigint"
    assert pg_copy.pg_type(pa.float64()) == "double precision"
    assert pg_copy.pg_type(pa.bool_()) == "boolean"
    assert pg_copy.pg_type(pa.string()) == "text"


def test_quarantine_counts_attribute_regions_where_the_record_says() -> None:
    rows = pa.table(
        {
            "source": ["meters", "meters", "meters", "weather", "prices"],
            "reason": ["OUT_OF_RANGE", "OUT_OF_RANGE", "MALFORMED_LINE", "OUT_OF_RANGE", "BAD_INTERVAL"],
            "raw_record": ["M1,2026-03-10T01:15:00+01:00,15,-3", "M1,x", "garbage", "{}", "<Point/>"],
            "landing_file": ["m.csv", "m.csv", "m.csv", "weather/date=2026-03-10/Peja.json", "p.xml"],
            "date_local": pa.array([date(2026, 3, 10), None, None, date(2026, 3, 10), None], pa.date32()),
            "landing_date": pa.array(
                [date(2026, 3, 10), date(2026, 3, 11)] * 2 + [date(2026, 3, 12)], pa.date32()
            ),
        }
    )
    meters = pa.table({"meter_id": ["M1"], "region": ["Gjilan"]})
    counted = quarantine.daily_counts(rows, meters, {"Peja", "Gjilan"}).to_pylist()
    assert sorted(counted, key=repr) == sorted(
        [
            {
                "date_local": date(2026, 3, 10),
                "source": "meters",
                "reason": "OUT_OF_RANGE",
                "region": "Gjilan",
                "records": 1,
            },
            {
                "date_local": date(2026, 3, 11),
                "source": "meters",
                "reason": "OUT_OF_RANGE",
                "region": "Gjilan",
                "records": 1,
            },
            {
                "date_local": date(2026, 3, 10),
                "source": "meters",
                "reason": "MALFORMED_LINE",
                "region": None,
                "records": 1,
            },
            {
                "date_local": date(2026, 3, 10),
                "source": "weather",
                "reason": "OUT_OF_RANGE",
                "region": "Peja",
                "records": 1,
            },
            {
                "date_local": date(2026, 3, 12),
                "source": "prices",
                "reason": "BAD_INTERVAL",
                "region": None,
                "records": 1,
            },
        ],
        key=repr,
    )


def test_unreachable_warehouse_is_a_typed_error(lakehouse_env: Settings, free_port) -> None:
    with pytest.raises(WarehouseUnavailableError, match="lakehouse up postgres"):
        publish_gold([date(2026, 3, 10)], url=f"postgresql://nobody@127.0.0.1:{free_port()}/x")


def _result(day: date | None, expectation: str, ok: bool, action: str) -> object:
    """One gold.quality_results row as a gate writes it (dated, or undated for silver.meters)."""
    from datetime import datetime

    from lakehouse.quality.results import ResultRow

    return ResultRow(
        run_id=f"run-{day}",
        validated_at=datetime(2026, 3, 12, 1, tzinfo=UTC),
        table="silver.meter_readings" if day else "silver.meters",
        date_local=day,
        expectation=expectation,
        policy="fail",
        success=ok,
        unexpected_count=0 if ok else 3,
        element_count=100,
        unexpected_percent=0.0 if ok else 3.0,
        sample=None,
        suite_version="1",
        expectation_type="expect_column_values_to_be_between",
        action=action,
    )


def test_quality_results_are_published_per_day_with_the_undated_rows(
    lakehouse_env: Settings, spark, fresh_database
) -> None:
    """gold.quality_results as the quality gates write it: dated rows per day, undated (whole-table)
    validations replaced on every publish, never duplicated."""
    from lakehouse.quality.results import write_results

    write_results(
        spark,
        [
            _result(date(2026, 3, 10), "energy_in_range", False, "blocked"),
            _result(date(2026, 3, 11), "energy_in_range", True, "passed"),
            _result(None, "energy_in_range", True, "passed"),
        ],
    )
    url = fresh_database()
    publish_gold([date(2026, 3, 10)], url=url, settings=lakehouse_env)
    publish_gold([date(2026, 3, 10)], url=url, settings=lakehouse_env)
    published = query(
        url,
        'select "table", date_local, success, action from lakehouse_gold.quality_results '
        "order by date_local nulls last",
    )
    assert published == [
        ("silver.meter_readings", date(2026, 3, 10), False, "blocked"),
        ("silver.meters", None, True, "passed"),
    ]


def _forecast_frame(day: date, version: str, regions: tuple[str, ...] = ("Peja", "Gjilan")) -> object:
    """gold.load_forecast rows of local day `day` (24 hours in March before the clock change)."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    import pandas as pd

    start = datetime.combine(day, time(), ZoneInfo("Europe/Belgrade")).astimezone(UTC)
    rows = [
        {
            "region": region,
            "hour_utc": start + timedelta(hours=h),
            "forecast_mwh": 10.0 + h,
            "p10_mwh": 9.0 + h,
            "p90_mwh": 11.0 + h,
            "model_version": version,
            "created_at": datetime(2026, 3, 10, 23, 5, tzinfo=UTC),
            "date_local": day,
            "weather_source": "provided",
            "price_source": "persistence",
        }
        for region in regions
        for h in range(24)
    ]
    return pd.DataFrame(rows)


def _published_forecast(url: str) -> list[tuple]:
    return query(
        url,
        "select date_local, region, hour_utc, forecast_mwh, p10_mwh, p90_mwh, model_version, created_at, "
        "weather_source, price_source from lakehouse_gold.load_forecast order by 1, 2, 3",
    )


def test_load_forecast_is_published_for_each_day_and_the_day_after(
    lakehouse_env: Settings, spark, fresh_database
) -> None:
    """D's run forecasts D+1: publishing D publishes the forecasts of D and D+1 (not D+2), replacing
    each target day whole; before any forecast the table exists empty with its contract columns."""
    from lakehouse.forecasting.inference import FORECAST_SCHEMA, FORECAST_TABLE
    from lakehouse.forecasting.io import write_days

    day = date(2026, 3, 10)
    url = fresh_database()
    publish_gold([day], url=url, settings=lakehouse_env)
    assert _published_forecast(url) == []
    columns = query(
        url,
        "select column_name from information_schema.columns where table_schema = 'lakehouse_gold' "
        "and table_name = 'load_forecast' order by ordinal_position",
    )
    assert [c for (c,) in columns] == [*LOAD_FORECAST_SCHEMA.names, "_published_at"]

    days = [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)]
    for d in days:
        write_days(_forecast_frame(d, "3"), FORECAST_TABLE, [d], FORECAST_SCHEMA, spark=spark)
    first = publish_gold([day], url=url, settings=lakehouse_env)
    published = _published_forecast(url)
    assert first["tables"]["load_forecast"]["rows"] == 96 == len(published)
    assert {r[0] for r in published} == {days[0], days[1]}  # D and D+1, never D+2
    gold = delta_rows(lakehouse_env, "gold.load_forecast").to_pylist()
    expected = sorted(
        (
            r["date_local"],
            r["region"],
            r["hour_utc"],
            r["forecast_mwh"],
            r["p10_mwh"],
            r["p90_mwh"],
            r["model_version"],
            r["created_at"],
            r["weather_source"],
            r["price_source"],
        )
        for r in gold
        if r["date_local"] in days[:2]
    )
    assert published == expected
    # every hour of D+1 is there although D+1 has no actuals in gold at all
    assert len({r[2] for r in published if r[0] == days[1]}) == 24

    second = publish_gold([day], url=url, settings=lakehouse_env)
    assert _published_forecast(url) == published
    assert second["tables"]["load_forecast"]["deleted"] == 96

    # a new forecast of D+1 (other model, one region) replaces D+1 whole at the next publish
    write_days(
        _forecast_frame(days[1], "4", ("Peja",)), FORECAST_TABLE, [days[1]], FORECAST_SCHEMA, spark=spark
    )
    publish_gold([day], url=url, settings=lakehouse_env)
    after = _published_forecast(url)
    assert {(r[1], r[6]) for r in after if r[0] == days[1]} == {("Peja", "4")}
    assert [r for r in after if r[0] == days[0]] == [r for r in published if r[0] == days[0]]


def test_publish_quality_publishes_only_the_days_quality_results(
    lakehouse_env: Settings, spark, fresh_database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the report task publishes on a day a gate blocked: D's quality results (with the undated
    rows), nothing of any other table or day."""
    from lakehouse.pipeline import marts_steps
    from lakehouse.quality.results import write_results
    from lakehouse.warehouse.publish import publish_quality

    blocked, other = date(2026, 3, 11), date(2026, 3, 10)
    write_results(
        spark,
        [
            _result(other, "voltage_within_20pct", True, "passed"),
            _result(blocked, "voltage_within_20pct", False, "blocked"),
            _result(blocked, "meter_id_not_null", True, "passed"),
            _result(None, "meter_id_unique", True, "passed"),
        ],
    )
    url = fresh_database()
    summary = publish_quality(blocked, url=url, settings=lakehouse_env)
    assert list(summary["tables"]) == ["quality_results"] and summary["dates"] == [blocked.isoformat()]
    tables = {
        r[0]
        for r in query(
            url, "select table_name from information_schema.tables where table_schema = 'lakehouse_gold'"
        )
    }
    assert tables == {"quality_results"}
    published = query(
        url,
        "select date_local, expectation, success, action from lakehouse_gold.quality_results "
        "order by date_local nulls last, expectation",
    )
    assert published == [
        (blocked, "meter_id_not_null", True, "passed"),
        (blocked, "voltage_within_20pct", False, "blocked"),
        (None, "meter_id_unique", True, "passed"),
    ]
    # the pipeline step (the report task's call) is the same publish against WAREHOUSE_URL: idempotent
    from lakehouse.settings import get_settings

    monkeypatch.setenv("WAREHOUSE_URL", url)
    get_settings.cache_clear()
    try:
        step = marts_steps.publish_quality(blocked.isoformat())
    finally:
        monkeypatch.delenv("WAREHOUSE_URL")
        get_settings.cache_clear()
    assert step["step"] == "publish_quality" and step["tables"]["quality_results"]["deleted"] == 3
    assert (
        query(
            url,
            "select date_local, expectation, success, action from lakehouse_gold.quality_results "
            "order by date_local nulls last, expectation",
        )
        == published
    )
