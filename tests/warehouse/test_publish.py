"""Publish: gold days into lakehouse_gold through COPY, idempotent per date, one transaction."""

from __future__ import annotations

from datetime import UTC, date

import pyarrow as pa
import pytest
from warehouse_kit import GOLD_DAYS, delta_rows, query

from lakehouse.settings import Settings
from lakehouse.warehouse import pg_copy, quarantine
from lakehouse.warehouse.errors import WarehouseUnavailableError
from lakehouse.warehouse.publish import publish_gold

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


def test_quality_results_are_published_per_day_with_the_undated_rows(
    lakehouse_env: Settings, spark, fresh_database
) -> None:
    """gold.quality_results as the quality gates write it: dated rows per day, undated (whole-table)
    validations replaced on every publish, never duplicated."""
    from datetime import datetime

    from lakehouse.quality.results import ResultRow, write_results

    def row(run: str, day: date | None, ok: bool) -> ResultRow:
        return ResultRow(
            run_id=run,
            validated_at=datetime(2026, 3, 11, 1, tzinfo=UTC),
            table="silver.meter_readings" if day else "silver.meters",
            date_local=day,
            expectation="energy_in_range",
            policy="block",
            success=ok,
            unexpected_count=0 if ok else 4,
            element_count=100,
            unexpected_percent=0.0 if ok else 4.0,
            sample=None,
            suite_version="1",
            expectation_type="expect_column_values_to_be_between",
            action="passed" if ok else "blocked",
        )

    write_results(
        spark,
        [row("r1", date(2026, 3, 10), False), row("r1", date(2026, 3, 11), True), row("r1", None, True)],
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
