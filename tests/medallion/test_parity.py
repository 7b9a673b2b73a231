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
from concurrent.futures import ThreadPoolExecutor
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


# --- silver -----------------------------------------------------------------------------------------
INGESTED = datetime(2026, 3, 30, 0, 5)
FIXTURES = ROOT / "tests" / "sources" / "fixtures"


def _lines(spark, files: dict[str, list[str]]):
    rows = [(line, name, i) for name, lines in files.items() for i, line in enumerate(lines, start=1)]
    return spark.createDataFrame(rows, "value string, _landing_file string, _line_number long")


def _registry_conformed(spark):
    from spark_jobs.bronze_meter_readings import to_bronze
    from spark_jobs.bronze_meter_registry import COLUMNS
    from spark_jobs.silver_meters import conform

    header = ",".join(COLUMNS)
    lines = [
        header,
        "KS00000001,Prishtina,residential,PR-001,42.66,21.16,2019-05-01,residential-dual-rate",
        "KS00000002,Prizren,commercial,PZ-004,42.21,20.74,2020-01-15,commercial-0.4kV",
        "KS00000003,Peja,industrial,PE-002,42.66,20.29,2018-07-30,industrial-10kV",
        "KS00000004,Gjilan,household,GJ-001,42.46,21.47,2019-01-01,residential-single-rate",
        "KS00000005,,residential,GJ-001,42.46,21.47,2019-01-01,residential-single-rate",
        "KS00000006,Gjilan,residential,GJ-001,north,21.47,2019-01-01,residential-single-rate",
        "KS00000007,Gjilan,residential,GJ-001,142.46,21.47,2019-01-01,residential-single-rate",
        "KS00000008,Gjilan,residential,GJ-001,42.46,21.47,2019-13-45,residential-single-rate",
        "KS00000002,Prizren,commercial,PZ-005,42.21,20.74,2020-01-15,commercial-0.4kV",
        "KS00000009,Mitrovica,residential",
    ]
    lines_df = _lines(spark, {"meters/registry/meters.csv": lines})
    bronze = to_bronze(lines_df, batch_id="b1", ingested_at=INGESTED, columns=COLUMNS)
    return conform(bronze.drop("_landing_date"))  # as bronze_meter_registry.build: not a dated feed


@case
def silver_meters(spark):
    from spark_jobs.silver_meters import split

    return split(_registry_conformed(spark))[0]


@case
def silver_meters_rejected(spark):
    from spark_jobs.silver_meters import split

    return split(_registry_conformed(spark))[1].drop("_ingested_at")


def _readings_conformed(spark):
    from spark_jobs.bronze_meter_readings import EXPECTED_HEADER, to_bronze
    from spark_jobs.silver_meter_readings import conform

    day1 = [
        EXPECTED_HEADER,
        "KS00000001,2026-03-29T01:15:00+01:00,15,0.100,231.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T01:30:00+01:00,15,0.120,231.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T03:15:00+02:00,15,0.130,231.0,0.5,0.97,EST",  # after the DST gap
        "KS00000002,2026-03-29T01:00:00+01:00,60,2.5,229.0,11.0,0.99,OK",
        "KS00000002,2026-03-29T04:00:00+02:00,60,,,,,ERR",
        "KS00000001,2026-03-29T01:15:00+01:00,15,0.100,231.0,0.5,0.97,OK",  # duplicate
        "KS00000001,not-a-time,15,0.1,231.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T05:00:00+02:00,30,0.1,231.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T05:00:00+02:00,15,0.1,231.0,0.5,0.97,MAYBE",
        "KS00000001,2026-03-29T05:15:00+02:00,15,abc,231.0,0.5,0.97,OK",
        "KS99999999,2026-03-29T05:00:00+02:00,15,0.1,231.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T05:30:00+02:00,15,,231.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T05:45:00+02:00,15,-0.2,231.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T06:00:00+02:00,15,0.1,400.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T06:07:00+02:00,15,0.1,231.0,0.5,0.97,OK",
        "KS00000001,2026-01-02T06:00:00+01:00,15,0.1,231.0,0.5,0.97,OK",
        "KS00000001,2026-03-29T06:15:00+02:00,15",
    ]
    day2 = [EXPECTED_HEADER, "KS00000001,2026-03-29T01:30:00+01:00,15,0.125,231.0,0.5,0.97,OK"]  # correction
    lines = _lines(
        spark,
        {"meters/readings/date=2026-03-29/a.csv": day1, "meters/readings/date=2026-03-30/b.csv": day2},
    )
    bronze = to_bronze(lines, batch_id="b1", ingested_at=INGESTED)
    meters = spark.createDataFrame(
        [("KS00000001", "Prishtina", "residential"), ("KS00000002", "Prizren", "commercial")],
        "meter_id string, region string, customer_type string",
    )
    return conform(bronze, meters, TZ_NAME)


@case
def silver_meter_readings(spark):
    from spark_jobs.silver_meter_readings import readings

    return readings(_readings_conformed(spark))


@case
def silver_quarantine_meters(spark):
    from spark_jobs.silver_common import quarantine_rows
    from spark_jobs.silver_meter_readings import rejected

    return quarantine_rows(rejected(_readings_conformed(spark)), "meters", INGESTED)


def _document(name: str, key: str, value: str, landing_date: date) -> dict[str, Any]:
    return {
        key: value,
        "document": (FIXTURES / name).read_text(encoding="utf-8"),
        "_parse_error": None,
        "_landing_file": f"x/date={landing_date}/{value}",
        "_landing_date": landing_date,
        "_ingested_at": INGESTED,
        "_batch_id": "b1",
    }


def _prices(spark):
    from spark_jobs.silver_prices import PARSED_SCHEMA, parse_documents, to_silver

    docs = [
        _document("entsoe_a44_23h_2026-03-29.xml", "bidding_zone", "10Y1001C--00100H", SPRING),
        _document("entsoe_a44_25h_2026-10-25.xml", "bidding_zone", "10Y1001C--00100H", AUTUMN),
        _document("entsoe_a44_pt15m_2026-06-15.xml", "bidding_zone", "10Y1001C--00100H", date(2026, 6, 15)),
    ]
    parsed, _ = parse_documents(docs)
    return to_silver(spark.createDataFrame(parsed, PARSED_SCHEMA), TZ_NAME)


@case
def silver_day_ahead_prices(spark):
    return _prices(spark)


@case
def silver_day_ahead_prices_hourly(spark):
    from spark_jobs.silver_prices import hourly

    return hourly(_prices(spark), TZ_NAME)


@case
def silver_weather_hourly(spark):
    from spark_jobs.silver_weather import RECORD_SCHEMA, conform, hourly, parse_documents

    docs = [
        _document("open_meteo_prishtina_2026-10-25.json", "city", "Prishtina", AUTUMN),
        _document("open_meteo_prishtina_2026-01-15.json", "city", "Prishtina", date(2026, 1, 15)),
    ]
    return hourly(conform(spark.createDataFrame(parse_documents(docs), RECORD_SCHEMA), TZ_NAME))


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
        # Cases in parallel threads: most of the time is JVM warm-up (planning, code generation).
        with ThreadPoolExecutor(max_workers=3) as pool:
            parts = pool.map(lambda name: run_cases(spark, [name]), sorted(CASES))
            results = {k: v for part in parts for k, v in part.items()}
        Path(out).write_bytes(pickle.dumps(results))
    finally:
        spark.stop()


if __name__ == "__main__":
    _classic_main(sys.argv[1])
