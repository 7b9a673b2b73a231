"""Cross-engine parity: every pure transform of spark_jobs/ gives the same rows on Sail and on classic
local Spark (JVM), on small hand-built inputs.

Classic Spark runs in a child process (this file run as a script, one JVM for all cases): PySpark
routes every `pyspark.sql.functions` call to Spark Connect once a Connect session exists in a process
(SPARK_CONNECT_MODE_ENABLED), and refuses a classic session next to it, so the two engines cannot
share the pytest process. Each case builds its inputs from Python rows with the session it is given,
so both engines start from identical DataFrames; results are compared as sorted rows (doubles with a
relative tolerance) together with the column names and types.
"""

from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run as a script (classic side): import spark_jobs from the checkout
    sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from gold_frames import (  # noqa: E402
    TZ_NAME,
    ZONE,
    frames,
    local_bounds,
    price_rows,
    reading_rows,
    weather_rows,
)

Case = Callable[[Any], Any]  # SparkSession -> DataFrame
CASES: dict[str, Case] = {}

SPRING, AUTUMN, NORMAL = date(2026, 3, 29), date(2026, 10, 25), date(2026, 1, 14)


def case(fn: Case) -> Case:
    CASES[fn.__name__] = fn
    return fn


def _faulty_inputs(spark, days):
    """Readings with an ERR reading, a gap, and an hour without price or weather."""
    first = local_bounds(days[0])[0]
    readings = [
        (*r[:3], None, None, None, None, "ERR", *r[8:]) if r[0] == "KS00000002" and r[1] == first else r
        for r in reading_rows(days)
        if not (r[0] == "KS00000001" and first + timedelta(hours=3) <= r[1] < first + timedelta(hours=4))
    ]
    weather = [w for w in weather_rows(days) if w[1] != first + timedelta(hours=1)]
    prices = [p for p in price_rows(days) if p[1] != first + timedelta(hours=2)]
    return frames(spark, days, readings=readings, weather=weather, prices=prices)


# --- gold -------------------------------------------------------------------------------------------
@case
def gold_region_load_hourly(spark):
    from spark_jobs.gold_region_load_hourly import region_load_hourly

    readings, weather, prices = _faulty_inputs(spark, [SPRING, AUTUMN, NORMAL])
    return region_load_hourly(readings, weather, prices, tz=TZ_NAME, bidding_zone=ZONE)


@case
def gold_meter_daily(spark):
    from spark_jobs.gold_meter_daily import meter_daily

    readings, _, prices = _faulty_inputs(spark, [SPRING, AUTUMN, NORMAL])
    return meter_daily(readings, prices, tz=TZ_NAME, bidding_zone=ZONE)


@case
def gold_load_features(spark):
    from spark_jobs.gold_load_features import holiday_frame, load_features
    from spark_jobs.gold_region_load_hourly import region_load_hourly

    days = [date(2026, 3, 21) + timedelta(days=k) for k in range(10)]  # up to 2026-03-30, DST on the 29th
    readings, weather, prices = _faulty_inputs(spark, days)
    hourly = region_load_hourly(readings, weather, prices, tz=TZ_NAME, bidding_zone=ZONE)
    return load_features(hourly, weather, holiday_frame(spark, [2026]), tz=TZ_NAME)


# --- bronze -----------------------------------------------------------------------------------------
@case
def bronze_meter_readings(spark):
    from spark_jobs.bronze_meter_readings import EXPECTED_HEADER, to_bronze

    good = "KS00000001,2026-03-29T03:15:00+02:00,15,0.412,231.2,1.9,0.97,OK"
    files = {
        "meters/readings/date=2026-03-29/a.csv": [EXPECTED_HEADER, good, good + ",extra", "garbage"],
        "meters/readings/date=2026-03-29/b.csv.gz": [
            "timestamp,meter_id,interval_min,energy_kwh,voltage_v,current_a,power_factor,status",
            "2026-03-29T01:00:00+01:00,KS00000002,60,1.5,,,,EST",
        ],
    }
    rows = [(line, name, i) for name, lines in files.items() for i, line in enumerate(lines, start=1)]
    lines = spark.createDataFrame(rows, "value string, _landing_file string, _line_number long")
    return to_bronze(lines, batch_id="b1", ingested_at=datetime(2026, 3, 30, 0, 5))


# --- running and comparing --------------------------------------------------------------------------
def run_cases(spark, names: list[str]) -> dict[str, dict[str, Any]]:
    """{case: {"columns": [(name, type)], "rows": [dict]}} or {"error": text} per case."""
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        try:
            df = CASES[name](spark)
            results[name] = {
                "columns": [(f.name, f.dataType.simpleString()) for f in df.schema.fields],
                "rows": [row.asDict(recursive=True) for row in df.collect()],
            }
        except Exception as error:  # reported per case by the test on the other side
            results[name] = {"error": f"{type(error).__name__}: {error}"}
    return results


def _sort_key(row: dict[str, Any]) -> tuple:
    def key(value: Any) -> tuple:
        if value is None:
            return (0, "")
        if isinstance(value, float):
            return (1, "nan") if math.isnan(value) else (1, f"{value:.6e}")
        return (1, repr(value))

    return tuple(key(row[k]) for k in sorted(row))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.fixture(scope="module")
def classic_worker(tmp_path_factory: pytest.TempPathFactory):
    """Every case on classic local Spark in a child process (one JVM), started before the Sail side
    so that the two overlap: the JVM start alone takes 10-25 s on a busy 2-core machine."""
    out = tmp_path_factory.mktemp("parity") / "classic.pkl"
    env = {k: v for k, v in os.environ.items() if k not in {"SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED"}}
    env.update(TZ="UTC", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    process = subprocess.Popen(
        [sys.executable, __file__, str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process, out
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def sail_results(spark, classic_worker) -> dict[str, dict[str, Any]]:
    spark.conf.set("spark.sql.session.timeZone", "UTC")  # as lakehouse.spark.session() does
    return run_cases(spark, sorted(CASES))


@pytest.fixture(scope="module")
def classic_results(classic_worker, sail_results) -> dict[str, dict[str, Any]]:
    process, out = classic_worker
    try:
        _, stderr = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the classic Spark worker did not finish within 300 s")
    assert process.returncode == 0, f"classic Spark worker failed:\n{stderr[-4000:]}"
    return pickle.loads(out.read_bytes())


@pytest.mark.classic_spark
@pytest.mark.parametrize("name", sorted(CASES))
def test_transform_gives_the_same_rows_on_sail_and_classic_spark(
    name: str, sail_results: dict, classic_results: dict
) -> None:
    sail, classic = sail_results[name], classic_results[name]
    assert "error" not in sail, f"{name} failed on Sail: {sail.get('error')}"
    assert "error" not in classic, f"{name} failed on classic Spark: {classic.get('error')}"
    assert sail["columns"] == classic["columns"], "column names or types differ"
    assert len(sail["rows"]) == len(classic["rows"]) > 0
    for s, c in zip(sorted(sail["rows"], key=_sort_key), sorted(classic["rows"], key=_sort_key), strict=True):
        differing = {k: (s[k], c[k]) for k in s if not _same(s[k], c[k])}
        assert not differing, f"{name}: row differs (sail, classic): {differing}"
    print(f"{name}: {len(sail['rows'])} rows, {len(sail['columns'])} columns identical on both engines")


def _classic_main(out: str) -> None:
    from lakehouse.spark import classic_session

    spark = classic_session(
        delta=False,
        master="local[2]",
        app_name="parity",
        conf={
            "spark.sql.shuffle.partitions": "1",
            "spark.default.parallelism": "1",
            "spark.ui.enabled": "false",
            "spark.sql.codegen.wholeStage": "false",
            "spark.sql.adaptive.enabled": "false",
        },
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        Path(out).write_bytes(pickle.dumps(run_cases(spark, sorted(CASES))))
    finally:
        spark.stop()


if __name__ == "__main__":
    _classic_main(sys.argv[1])
