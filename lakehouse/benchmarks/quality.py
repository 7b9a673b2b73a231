"""Quality gate overhead: validating one silver.meter_readings partition vs the silver job's own time.

For each size, one local day of simulated readings (faults off; the fleet mixes 15- and 60-minute
meters, about 47.6 readings per meter and day) lands in $LAKEHOUSE_HOME/bench/quality/<size>, bronze
and silver run as the DAG runs them (lakehouse.pipeline.medallion_ingest on Sail), then the
silver.meter_readings suite (20 expectations, quarantine and fail policies included) validates the
partition date_local = D on the same Sail session. Printed: rows, silver_meter_readings step seconds,
validation seconds, and their ratio (target: validation <= 25 % of the silver job).

Run: `python -m lakehouse.benchmarks quality` (1m) or `python -m lakehouse.benchmarks.quality --size 10m`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import time
from datetime import date

SIZES: dict[str, int] = {"1m": 21_000, "10m": 210_000}  # meters; one day each
DAY = date(2026, 3, 24)
TARGET_RATIO = 0.25


def run(size: str, keep: bool = False) -> dict[str, float]:
    from lakehouse.settings import get_settings

    base = get_settings().home / "bench" / "quality" / size
    if base.exists() and not keep:
        shutil.rmtree(base)
    os.environ["LAKEHOUSE_HOME"] = str(base)
    for name in ("LAKEHOUSE_ROOT", "LANDING_ROOT"):
        os.environ.pop(name, None)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        os.environ["SAIL_PORT"] = str(sock.getsockname()[1])
    get_settings.cache_clear()

    from lakehouse.pipeline import medallion_ingest
    from lakehouse.quality import validate
    from lakehouse.sources.landing import LandingStore
    from lakehouse.sources.simulator import FEEDS, SimulatorConfig, produce
    from lakehouse.spark import session
    from lakehouse.storage import tables

    started = time.perf_counter()
    config = SimulatorConfig(meters=SIZES[size], first_day=DAY, faults=False)
    for feed in FEEDS:
        produce(feed, DAY, config, LandingStore())
    landed = time.perf_counter() - started
    ingest = medallion_ingest.ingest_day(DAY)
    silver_seconds = float(ingest["silver"]["steps"]["silver_meter_readings"]["seconds"])
    spark = session()
    rows = tables.read(spark, "silver.meter_readings").where(f"date_local = '{DAY}'").count()
    validate("silver.weather_hourly", DAY, spark, build_docs=False)  # warm up GE and the context once
    started = time.perf_counter()
    summary = validate("silver.meter_readings", DAY, spark, build_docs=False)
    validation = time.perf_counter() - started
    started = time.perf_counter()
    from lakehouse.quality.context import build_data_docs

    build_data_docs()
    docs = time.perf_counter() - started
    figures = {
        "rows": rows,
        "simulate_s": round(landed, 1),
        "bronze_meter_readings_s": float(ingest["bronze"]["steps"]["bronze_meter_readings"]["seconds"]),
        "silver_meter_readings_s": silver_seconds,
        "validate_s": round(validation, 2),
        "ratio": round(validation / silver_seconds, 3),
        "data_docs_s": round(docs, 2),
        "expectations": summary["expectations"],
    }
    print(f"quality {size}: {figures}")
    print(
        f"quality {size}: validation {validation:.1f}s = {100 * validation / silver_seconds:.0f} % "
        f"of the silver job's {silver_seconds:.1f}s (target <= {100 * TARGET_RATIO:.0f} %)"
    )
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), action="append")
    args = parser.parse_args(argv)
    for size in args.size or ["1m"]:
        run(size)


if __name__ == "__main__":
    main()
