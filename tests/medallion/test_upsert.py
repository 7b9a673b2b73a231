"""upsert_by_date: fresh days are inserted, days silver holds are MERGEd (newer arrivals only), and the
MERGE's target predicate refuses rows outside the days it reads."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lakehouse.storage import tables
from spark_jobs.silver_common import upsert_by_date

SCHEMA = "k string, ts timestamp, v double, date_local date, _arrival string"
D1, D2 = date(2026, 3, 29), date(2026, 3, 30)


def _df(spark, rows):
    return spark.createDataFrame(rows, SCHEMA)


def test_fresh_days_insert_and_held_days_merge_newer_arrivals_only(medallion_env, spark) -> None:
    name = "silver.upsert_probe"
    t1, t2 = datetime(2026, 3, 29, 10), datetime(2026, 3, 30, 10)
    first = upsert_by_date(_df(spark, [("a", t1, 1.0, D1, "2026-03-29|f|1")]), name, ["k", "ts"], [D1])
    assert first == {"inserted": 1, "updated": 0, "source_rows": 1}
    batch = [
        ("a", t1, 9.0, D1, "2026-03-28|old|1"),  # an older arrival: must not revert
        ("b", t1, 2.0, D1, "2026-03-30|g|1"),  # a new key on a held day
        ("a", t2, 3.0, D2, "2026-03-30|g|2"),  # a fresh day
    ]
    second = upsert_by_date(_df(spark, batch), name, ["k", "ts"], [D1, D2])
    assert second == {"inserted": 2, "updated": 0, "source_rows": 3}
    got = sorted((r["k"], r["ts"], r["v"]) for r in tables.read(spark, name).collect())
    assert got == [("a", t1, 1.0), ("a", t2, 3.0), ("b", t1, 2.0)]
    newer = upsert_by_date(_df(spark, [("a", t1, 5.0, D1, "2026-03-31|h|1")]), name, ["k", "ts"], [D1])
    assert newer == {"inserted": 0, "updated": 1, "source_rows": 1}

    with pytest.raises(tables.RowsOutsidePredicateError):
        tables.merge(
            _df(spark, [("c", t2, 1.0, D2, "x")]),
            name,
            keys=["k", "ts"],
            target_predicate="date_local IN (DATE'2026-03-29')",
        )
