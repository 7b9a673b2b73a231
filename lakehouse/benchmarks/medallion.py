"""Medallion benchmark: landing files -> bronze -> silver -> gold, on Sail, classic Spark and DuckDB.

Sizes: `1m` (2,100 meters x 10 days) and `10m` (21,000 meters x 10 days); the simulator's fleet mixes
15- and 60-minute meters (about 47.6 readings per meter and day), so these land about 1M and 10M
readings, the issue's 10,000 meters x 10 days x 96. Faults are off, so that every engine has the same
clean input and the gold totals printed for each engine must agree. The landed files are simulated
once into $LAKEHOUSE_HOME/bench/medallion/<size>/landing and reused.

Engines, each in its own child process (peak RSS: that process tree, sampled by _measure.PeakRSS):
- sail: the real pipeline (lakehouse.pipeline steps: exactly-once bronze, silver MERGE and quarantine,
  gold replace_where) into Delta tables, on a Sail server inside the child.
- sail-parquet / classic: the same pure transforms of spark_jobs/ (to_bronze, silver conform/dedup,
  gold), writing Parquet instead of going through the Delta write API: classic local Spark has no
  Delta jars here (no Maven offline), so this is the engine-to-engine comparison; sail-parquet is the
  same code on Sail, so Delta's share of the sail time is visible too.
- duckdb: a hand-written DuckDB SQL pipeline over the same files (read_csv, the same conversions,
  dedup, registry join, hourly region load with weather and price, meter days, features), writing
  Parquet: the single-node reference.

Run: `python -m lakehouse.benchmarks medallion` (both sizes, every engine; choose with
MEDALLION_BENCH_SIZES=1m and MEDALLION_BENCH_ENGINES=sail,duckdb), or directly
`python -m lakehouse.benchmarks.medallion --size 1m [--engine sail --engine duckdb]`.
Target (issue 4): 10M readings landing to gold in at most 120 s on Sail, peak RSS at most 6 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lakehouse.benchmarks import _measure

START = date(2026, 3, 23)  # 10 days through the spring DST change (2026-03-29: 23 hours)
DAYS = 10
SIZES: dict[str, int] = {"1m": 2_100, "10m": 21_000}  # meters
ENGINES = ("sail", "sail-parquet", "classic", "duckdb")
STAGES = ("bronze", "silver", "gold")
TARGET_SECONDS = 120.0
TARGET_RSS_GB = 6.0


def bench_days() -> list[date]:
    return [START + timedelta(days=k) for k in range(DAYS)]


# --- measuring ---------------------------------------------------------------------------------------
@dataclass
class Result:
    engine: str
    size: str
    readings: int
    stages: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # sail: seconds per pipeline step
    peaks: dict[str, int] = field(default_factory=dict)  # sail: peak RSS per pipeline step
    wall: float = 0.0
    peak_rss: int = 0
    error: str | None = None


# --- landing data --------------------------------------------------------------------------------------
def bench_root() -> Path:
    from lakehouse.settings import get_settings

    return get_settings().home / "bench" / "medallion"


def ensure_landing(size: str, echo: Callable[[str], None] = print) -> tuple[Path, int]:
    """The landed files of `size` (simulated on first use, then reused) and their reading count."""
    from lakehouse.sources.landing import LandingStore
    from lakehouse.sources.simulator import SimulatorConfig, simulate

    folder = bench_root() / size / "landing"
    marker = folder / "_bench.json"
    if marker.exists():
        return folder, int(json.loads(marker.read_text())["readings"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    echo(f"  simulating {SIZES[size]:,} meters x {DAYS} days into {folder} (once; reused next time)")
    began = time.perf_counter()
    summary = simulate(LandingStore(str(folder)), SimulatorConfig(seed=42, meters=SIZES[size]), START, DAYS)
    echo(f"  simulated {summary.readings:,} readings in {time.perf_counter() - began:.0f} s")
    marker.write_text(json.dumps({"readings": summary.readings, "meters": SIZES[size], "days": DAYS}))
    return folder, summary.readings


# --- child: the engines -------------------------------------------------------------------------------
class Stages:
    """Wall time per stage, recorded by `with stages("bronze"): ...`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - began


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_sail_pipeline(landing: Path, work: Path) -> dict[str, Any]:
    """The real pipeline steps into Delta tables under `work`, on a Sail server in this process."""
    os.environ.update(
        LAKEHOUSE_HOME=str(work), LANDING_ROOT=str(landing), LAKEHOUSE_ROOT=str(work / "lakehouse")
    )
    os.environ["SAIL_PORT"] = str(_free_port())  # never someone's `lakehouse up` server: measure ours
    from lakehouse.settings import get_settings

    get_settings.cache_clear()
    from pyspark.sql import functions as F

    from lakehouse.pipeline import medallion_gold, medallion_ingest
    from lakehouse.spark import session
    from lakehouse.storage import tables

    spark = session()
    stages = Stages()
    days = bench_days()
    steps: dict[str, float] = {}
    peaks: dict[str, int] = {}

    def step(name: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """One pipeline step, timed, with the peak RSS of this process (Sail runs inside it)."""
        with _measure.PeakRSS() as rss:
            began = time.perf_counter()
            summary = call()
        steps[name] = steps.get(name, 0.0) + time.perf_counter() - began
        peaks[name] = max(peaks.get(name, 0), rss.peak)
        return summary

    bronze = []
    with stages("bronze"):
        for day in days:
            for name in medallion_ingest.BRONZE_STEPS:
                bronze.append(step(name, lambda n=name, d=day: getattr(medallion_ingest, n)(d)))
    with stages("silver"):
        silver = [
            step(name, lambda n=name: getattr(medallion_ingest, n)(days[-1]))
            for name in medallion_ingest.SILVER_STEPS
        ]
    affected = medallion_ingest.affected_dates(*silver)
    gold = {}
    with stages("gold"):
        for name in ("gold_region_load_hourly", "gold_meter_daily", "gold_load_features"):
            gold[name] = step(name, lambda n=name: getattr(medallion_gold, n)(affected, spark))
    readings_rows = sum(int(b["rows"]) for b in bronze if b["step"] == "bronze_meter_readings")
    hourly = tables.read(spark, "gold.region_load_hourly")
    daily = tables.read(spark, "gold.meter_daily")
    return {
        "stages": stages.seconds,
        "rows": {
            "bronze": readings_rows,
            "silver": tables.read(spark, "silver.meter_readings").count(),
            "gold": sum(int(g.get("rows", 0)) for g in gold.values()),
        },
        "totals": _totals(hourly, daily, F),
        "steps": steps,
        "peaks": peaks,
    }


def _totals(hourly: Any, daily: Any, F: Any) -> dict[str, float]:
    h = hourly.agg(F.count(F.lit(1)).alias("n"), F.sum("energy_mwh").alias("e")).first()
    d = daily.agg(F.count(F.lit(1)).alias("n"), F.sum("cost_eur").alias("c")).first()
    return {
        "hourly_rows": int(h["n"]),
        "energy_mwh": float(h["e"] or 0.0),
        "meter_days": int(d["n"]),
        "cost_eur": float(d["c"] or 0.0),
    }


def run_transforms(spark: Any, landing: Path, out: Path) -> dict[str, Any]:
    """spark_jobs' pure transforms, landing -> bronze -> silver -> gold, each stage written as Parquet."""
    from pyspark.sql import functions as F

    from lakehouse.settings import get_settings
    from lakehouse.sources.landing import LandingStore
    from lakehouse.storage import ingested_files as tracker
    from spark_jobs import (
        bronze_meter_readings,
        bronze_meter_registry,
        bronze_prices,
        bronze_weather,
        gold_load_features,
        gold_meter_daily,
        gold_region_load_hourly,
        silver_meter_readings,
        silver_meters,
        silver_prices,
        silver_weather,
    )
    from spark_jobs.bronze_files import Batch

    settings = get_settings()
    tz, zone = settings.local_timezone, settings.bidding_zone
    store = LandingStore(str(landing))
    batch = Batch.new()
    stages = Stages()

    def write(df: Any, name: str, partition_by: str | None = None) -> Any:
        path = str(out / name)
        writer = df.write.mode("overwrite")
        (writer.partitionBy(partition_by) if partition_by else writer).parquet(path)
        return spark.read.parquet(path)

    def listed(prefix: str, suffixes: tuple[str, ...]) -> list[str]:
        return sorted(p for p in store.list(prefix) if p.endswith(suffixes))

    with stages("bronze"):
        files = [
            tracker.fingerprint(store, p, "meters") for p in listed("meters/readings/", (".csv", ".csv.gz"))
        ]
        rows = bronze_meter_readings.build(
            spark, store, files, batch
        )  # as the pipeline: headers from the driver
        b_readings = write(rows, "bronze/meter_readings", "_landing_date")
        registry = [tracker.fingerprint(store, p, "registry") for p in listed("meters/registry/", (".csv",))]
        b_registry = write(
            bronze_meter_registry.build(spark, store, registry, batch), "bronze/meter_registry"
        )
        weather = [tracker.fingerprint(store, p, "weather") for p in listed("weather/", (".json",))]
        b_weather = write(bronze_weather.build(spark, store, weather, batch), "bronze/weather")
        prices = [tracker.fingerprint(store, p, "prices") for p in listed("prices/", (".xml",))]
        b_prices = write(bronze_prices.build(spark, store, prices, batch), "bronze/prices")
        bronze_rows = b_readings.count()

    with stages("silver"):
        meters, _ = silver_meters.split(silver_meters.conform(b_registry))
        s_meters = write(meters, "silver/meters")
        conformed = silver_meter_readings.conform(b_readings, s_meters, tz)
        staged = write(silver_meter_readings.staged_rows(conformed), "silver/_staging")  # as the pipeline
        s_readings = write(silver_meter_readings.readings(staged), "silver/meter_readings", "date_local")
        weather_rows = silver_weather.parse_documents([r.asDict() for r in b_weather.collect()])
        records = spark.createDataFrame(weather_rows, silver_weather.RECORD_SCHEMA)
        s_weather = write(silver_weather.hourly(silver_weather.conform(records, tz)), "silver/weather_hourly")
        parsed, _ = silver_prices.parse_documents([r.asDict() for r in b_prices.collect()])
        s_prices = silver_prices.to_silver(spark.createDataFrame(parsed, silver_prices.PARSED_SCHEMA), tz)
        s_hourly = write(silver_prices.hourly(s_prices, tz), "silver/day_ahead_prices_hourly")
        silver_rows = s_readings.count()

    with stages("gold"):
        hourly = write(
            gold_region_load_hourly.region_load_hourly(
                s_readings, s_weather, s_hourly, tz=tz, bidding_zone=zone
            ),
            "gold/region_load_hourly",
            "date_local",
        )
        daily = write(
            gold_meter_daily.meter_daily(s_readings, s_hourly, tz=tz, bidding_zone=zone),
            "gold/meter_daily",
            "date_local",
        )
        holidays = gold_load_features.holiday_frame(spark, {d.year for d in bench_days()})
        features = write(
            gold_load_features.load_features(hourly, s_weather, holidays, tz=tz),
            "gold/load_features",
            "date_local",
        )
        gold_rows = hourly.count() + daily.count() + features.count()

    return {
        "stages": stages.seconds,
        "rows": {"bronze": bronze_rows, "silver": silver_rows, "gold": gold_rows},
        "totals": _totals(hourly, daily, F),
    }


def run_sail_transforms(landing: Path, work: Path) -> dict[str, Any]:
    os.environ["SAIL_PORT"] = str(_free_port())
    from lakehouse.settings import get_settings

    get_settings.cache_clear()
    from lakehouse.spark import session

    return run_transforms(session(), landing, work / "parquet")


def run_classic_transforms(landing: Path, work: Path) -> dict[str, Any]:
    from lakehouse.spark import classic_session

    cores = os.cpu_count() or 2
    spark = classic_session(
        delta=False,
        master=f"local[{cores}]",
        app_name="bench-medallion",
        conf={
            "spark.driver.memory": "4g",
            "spark.sql.shuffle.partitions": str(cores * 4),
            "spark.ui.enabled": "false",
        },
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        return run_transforms(spark, landing, work / "parquet")
    finally:
        spark.stop()


DUCKDB_PIPELINE = """
SET TimeZone = 'UTC';
-- bronze: the landed records as text, with their file
CREATE TABLE bronze_readings AS
SELECT *, filename AS _landing_file
FROM read_csv('{landing}/meters/readings/date=*/*.csv*', header = true, all_varchar = true,
              filename = true, union_by_name = true);
CREATE TABLE bronze_registry AS
SELECT * FROM read_csv('{landing}/meters/registry/meters.csv', header = true, all_varchar = true);
CREATE TABLE bronze_weather AS
SELECT * FROM read_json('{landing}/weather/date=*/*.json', filename = true, format = 'auto');
--STAGE silver
CREATE TABLE meters AS
SELECT trim(meter_id) AS meter_id, trim(region) AS region, trim(customer_type) AS customer_type
FROM bronze_registry
QUALIFY row_number() OVER (PARTITION BY trim(meter_id)) = 1;
CREATE TABLE silver_readings AS
WITH typed AS (
    SELECT trim(meter_id) AS meter_id,
           (trim("timestamp")::TIMESTAMPTZ - to_minutes(trim(interval_min)::INT)) AT TIME ZONE 'UTC'
               AS interval_start_utc,
           trim(interval_min)::INT AS interval_min,
           TRY_CAST(nullif(trim(energy_kwh), '') AS DOUBLE) AS energy_kwh,
           TRY_CAST(nullif(trim(voltage_v), '') AS DOUBLE) AS voltage_v,
           upper(trim(status)) AS status,
           _landing_file
    FROM bronze_readings
    WHERE trim(interval_min) IN ('15', '60')
)
SELECT t.meter_id, t.interval_start_utc, t.interval_min, t.energy_kwh, t.voltage_v, t.status,
       m.region, m.customer_type,
       CAST(timezone('{tz}', t.interval_start_utc AT TIME ZONE 'UTC') AS DATE) AS date_local
FROM typed t JOIN meters m USING (meter_id)
QUALIFY row_number() OVER (PARTITION BY t.meter_id, t.interval_start_utc ORDER BY t._landing_file DESC) = 1;
CREATE TABLE silver_weather AS
WITH hours AS (
    SELECT regexp_extract(filename, '([^/]+)\\.json$', 1) AS city, filename,
           unnest(hourly."time") AS t, unnest(hourly.temperature_2m) AS temperature_c,
           unnest(hourly.shortwave_radiation) AS shortwave_radiation_wm2,
           utc_offset_seconds
    FROM bronze_weather
)
SELECT city, strptime(t, '%Y-%m-%dT%H:%M') - to_seconds(utc_offset_seconds) AS hour_utc,
       temperature_c::DOUBLE AS temperature_c, shortwave_radiation_wm2::DOUBLE AS shortwave_radiation_wm2
FROM hours
QUALIFY row_number() OVER (PARTITION BY city, hour_utc ORDER BY filename DESC) = 1;
CREATE TABLE silver_prices_hourly AS
SELECT date_trunc('hour', interval_start_utc) AS hour_utc, avg(price_eur_mwh) AS price_eur_mwh
FROM (SELECT * FROM prices_parsed
      QUALIFY row_number() OVER (PARTITION BY interval_start_utc ORDER BY landing_file DESC) = 1)
GROUP BY ALL;
--STAGE gold
CREATE TABLE gold_region_load_hourly AS
SELECT h.region, h.hour_utc, h.energy_mwh, h.meters_reporting, w.temperature_c, p.price_eur_mwh,
       CAST(timezone('{tz}', h.hour_utc AT TIME ZONE 'UTC') AS DATE) AS date_local
FROM (
    SELECT region, date_trunc('hour', interval_start_utc) AS hour_utc, sum(energy_kwh) / 1000 AS energy_mwh,
           count(DISTINCT CASE WHEN energy_kwh IS NOT NULL THEN meter_id END) AS meters_reporting
    FROM silver_readings GROUP BY ALL
) h
LEFT JOIN silver_weather w ON w.city = h.region AND w.hour_utc = h.hour_utc
LEFT JOIN silver_prices_hourly p ON p.hour_utc = h.hour_utc;
CREATE TABLE gold_meter_daily AS
SELECT r.meter_id, max(r.region) AS region, max(r.customer_type) AS customer_type, r.date_local,
       sum(r.energy_kwh) AS energy_kwh, sum(r.energy_kwh * p.price_eur_mwh / 1000) AS cost_eur,
       count(*) AS intervals, max(r.interval_min) AS interval_min
FROM silver_readings r
LEFT JOIN silver_prices_hourly p ON p.hour_utc = date_trunc('hour', r.interval_start_utc)
GROUP BY r.meter_id, r.date_local;
CREATE TABLE gold_load_features AS
SELECT g.*,
       max(g.energy_mwh) OVER (w RANGE BETWEEN 86400 PRECEDING AND 86400 PRECEDING) AS lag_24h_mwh,
       max(g.energy_mwh) OVER (w RANGE BETWEEN 604800 PRECEDING AND 604800 PRECEDING) AS lag_168h_mwh,
       avg(g.energy_mwh) OVER (w RANGE BETWEEN 169200 PRECEDING AND 86400 PRECEDING) AS rolling_mean_24h_mwh,
       stddev_samp(g.energy_mwh) OVER (w RANGE BETWEEN 169200 PRECEDING AND 86400 PRECEDING)
           AS rolling_std_24h_mwh,
       avg(g.energy_mwh) OVER (w RANGE BETWEEN 687600 PRECEDING AND 86400 PRECEDING) AS rolling_mean_168h_mwh,
       hour(timezone('{tz}', g.hour_utc AT TIME ZONE 'UTC')) AS hour_local,
       isodow(timezone('{tz}', g.hour_utc AT TIME ZONE 'UTC')) AS weekday_local,
       greatest(18 - g.temperature_c, 0) AS heating_degree_hours,
       s.shortwave_radiation_wm2
FROM gold_region_load_hourly g
LEFT JOIN silver_weather s ON s.city = g.region AND s.hour_utc = g.hour_utc
WINDOW w AS (PARTITION BY g.region ORDER BY epoch(g.hour_utc));
COPY gold_region_load_hourly TO '{out}/region_load_hourly' (FORMAT parquet, PARTITION_BY (date_local));
COPY gold_meter_daily TO '{out}/meter_daily' (FORMAT parquet, PARTITION_BY (date_local));
COPY gold_load_features TO '{out}/load_features' (FORMAT parquet, PARTITION_BY (date_local));
"""


def _split_stages(script: str) -> dict[str, str]:
    """The SQL of each stage: bronze first, then the parts that start with `--STAGE <name>`."""
    first, *rest = script.split("--STAGE")
    parts = {"bronze": first}
    for part in rest:
        name, sql = part.split("\n", 1)
        parts[name.strip()] = sql
    return parts


def run_duckdb(landing: Path, work: Path) -> dict[str, Any]:
    """The hand-written SQL pipeline; prices (XML) are parsed with the platform's A44 parser."""
    import duckdb
    import pyarrow as pa

    from lakehouse.settings import get_settings
    from lakehouse.sources.entsoe import parse_prices
    from lakehouse.sources.landing import LandingStore

    settings = get_settings()
    out = work / "duckdb"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    con = duckdb.connect(str(work / "bench.duckdb"))
    script = DUCKDB_PIPELINE.format(landing=landing, tz=settings.local_timezone, out=out)
    parts = _split_stages(script)
    stages = Stages()
    with stages("bronze"):
        con.execute(parts["bronze"])
    with stages("silver"):
        store = LandingStore(str(landing))
        rows = [
            (r.interval_start_utc.replace(tzinfo=None), r.price_eur_mwh, path)
            for path in sorted(p for p in store.list("prices/") if p.endswith(".xml"))
            for r in parse_prices(store.read_bytes(path))
        ]
        prices_parsed = pa.table(  # noqa: F841 - DuckDB reads it by name
            {
                "interval_start_utc": [r[0] for r in rows],
                "price_eur_mwh": [r[1] for r in rows],
                "landing_file": [r[2] for r in rows],
            }
        )
        con.execute(parts["silver"])
    with stages("gold"):
        con.execute(parts["gold"])
    count = lambda table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
    h = con.execute("SELECT count(*), sum(energy_mwh) FROM gold_region_load_hourly").fetchone()
    d = con.execute("SELECT count(*), sum(cost_eur) FROM gold_meter_daily").fetchone()
    result = {
        "stages": stages.seconds,
        "rows": {
            "bronze": count("bronze_readings"),
            "silver": count("silver_readings"),
            "gold": count("gold_region_load_hourly")
            + count("gold_meter_daily")
            + count("gold_load_features"),
        },
        "totals": {"hourly_rows": h[0], "energy_mwh": h[1], "meter_days": d[0], "cost_eur": d[1]},
    }
    con.close()
    return result


CHILDREN: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "sail": run_sail_pipeline,
    "sail-parquet": run_sail_transforms,
    "classic": run_classic_transforms,
    "duckdb": run_duckdb,
}


def child_main(engine: str, landing: Path, work: Path, out: Path | None = None) -> None:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    began = time.perf_counter()
    result = CHILDREN[engine](landing, work)
    result["wall"] = time.perf_counter() - began
    if out is not None:
        out.write_text(json.dumps(result))
    _measure.report(result)


# --- parent: run, measure, print -----------------------------------------------------------------------
def run_engine(engine: str, size: str, landing: Path, readings: int) -> Result:
    """Run one engine in a child process; wall time, stage times and the child tree's peak RSS."""
    work = bench_root() / size / f"work-{engine}"
    env = {k: v for k, v in os.environ.items() if k not in {"SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED"}}
    env.setdefault("RUST_LOG", "error")
    command = [sys.executable, "-m", "lakehouse.benchmarks.medallion", "--child", engine]
    command += ["--landing", str(landing), "--work", str(work)]
    try:
        measured = _measure.measure_subprocess(f"{size} {engine}", command, env=env, timeout=3600)
    except RuntimeError as error:
        return Result(engine, size, readings, error=str(error))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    data = measured.reported
    return Result(
        engine,
        size,
        readings,
        stages=data["stages"],
        rows=data["rows"],
        totals=data["totals"],
        steps=data.get("steps", {}),
        peaks=data.get("peaks", {}),
        wall=measured.wall_s,
        peak_rss=measured.peak_rss_bytes,
    )


def report(results: list[Result], echo: Callable[[str], None] = print) -> None:
    by = {(r.size, r.engine): r for r in results}
    for size in dict.fromkeys(r.size for r in results):
        rows = [r for r in results if r.size == size]
        echo(f"\n  {size}: {rows[0].readings:,} landed readings ({SIZES[size]:,} meters x {DAYS} days)")
        echo(
            f"  {'engine':<13}{'wall s':>8}{'bronze s':>10}{'silver s':>10}{'gold s':>8}"
            f"{'readings/s':>12}{'peak RSS':>10}   gold check (hourly rows, MWh, meter-days, EUR)"
        )
        for r in rows:
            if r.error:
                echo(
                    f"  {r.engine:<13} FAILED: {r.error.strip().splitlines()[-1] if r.error.strip() else '?'}"
                )
                continue
            s = r.stages
            t = r.totals
            echo(
                f"  {r.engine:<13}{r.wall:>8.1f}{s['bronze']:>10.1f}{s['silver']:>10.1f}{s['gold']:>8.1f}"
                f"{r.readings / r.wall:>12,.0f}{r.peak_rss / 2**30:>8.2f} GB   "
                f"{t['hourly_rows']:,}, {t['energy_mwh']:,.3f}, {t['meter_days']:,}, {t['cost_eur']:,.2f}"
            )
        for r in rows:
            if not r.error:
                per_stage = ", ".join(
                    f"{k} {r.rows.get(k, 0):,} rows = {r.rows.get(k, 0) / max(v, 1e-9):,.0f} rows/s"
                    for k, v in r.stages.items()
                )
                echo(f"    {r.engine}: {per_stage}")
                if r.steps:
                    slowest = sorted(r.steps.items(), key=lambda kv: -kv[1])
                    echo(
                        "      steps (s, peak RSS GB): "
                        + ", ".join(f"{k} {v:.1f} s {r.peaks.get(k, 0) / 2**30:.1f}" for k, v in slowest)
                    )
        sail = by.get((size, "sail"))
        if sail and not sail.error:
            for other in ("sail-parquet", "classic", "duckdb"):
                o = by.get((size, other))
                if o and not o.error:
                    echo(
                        f"  ratio sail / {other}: wall {sail.wall / o.wall:.2f}x, "
                        f"peak RSS {sail.peak_rss / max(o.peak_rss, 1):.2f}x"
                    )
            sp, cl = by.get((size, "sail-parquet")), by.get((size, "classic"))
            if sp and cl and not sp.error and not cl.error:
                echo(
                    "  ratio sail-parquet / classic (same transforms, Parquet): "
                    f"wall {sp.wall / cl.wall:.2f}x"
                )
            if size == "10m":
                ok = sail.wall <= TARGET_SECONDS and sail.peak_rss <= TARGET_RSS_GB * 2**30
                echo(
                    f"  target (10M readings <= {TARGET_SECONDS:.0f} s, <= {TARGET_RSS_GB:.0f} GB on Sail): "
                    f"{'met' if ok else 'MISSED'} ({sail.wall:.1f} s, {sail.peak_rss / 2**30:.2f} GB)"
                )


def _listed(variable: str, allowed: Any) -> list[str]:
    """Comma-separated choices from an environment variable (the bench runner passes no arguments)."""
    values = [v.strip() for v in os.environ.get(variable, "").split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise SystemExit(f"{variable}: unknown {unknown}; choose from {', '.join(allowed)}")
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append", choices=sorted(SIZES), help="1m and/or 10m (default both)")
    parser.add_argument("--engine", action="append", choices=ENGINES, help="default: every engine")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        child_main(args.child, args.landing, args.work, args.out)
        return
    sizes = args.size or _listed("MEDALLION_BENCH_SIZES", SIZES) or ["1m", "10m"]
    engines = args.engine or _listed("MEDALLION_BENCH_ENGINES", ENGINES) or list(ENGINES)
    print("medallion (lakehouse.benchmarks.medallion): landing -> bronze -> silver -> gold")
    m = _measure.machine()
    print(f"  machine: {m['cpu']}, {m['cores']}, {m['ram']} RAM, load (1 min) {m['load (1 min)']}")
    print(
        "  sail = the real pipeline into Delta; sail-parquet and classic = the same spark_jobs transforms "
        "writing Parquet\n  (classic local Spark has no Delta jars offline); duckdb = hand-written SQL "
        "(reference). Faults off.\n  Each engine runs in its own child process; peak RSS = that process tree."
    )
    results = []
    for size in sizes:
        landing, readings = ensure_landing(size)
        for engine in engines:
            result = run_engine(engine, size, landing, readings)
            status = "failed" if result.error else f"{result.wall:.1f} s"
            print(f"  {size} {engine}: {status}", flush=True)
            results.append(result)
    report(results)


if __name__ == "__main__":
    main()
