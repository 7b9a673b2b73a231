"""Foundation benchmark: Sail start-up, the write API's append throughput, and classic Spark for scale.

Figures printed: Sail session start time; rows/s of a BENCH_ROWS-row (default 5,000,000) append of
meter readings through lakehouse.storage.tables on Sail; the same rows written to Parquet by classic
local Spark (JVM) for the engine ratio; peak RSS of the whole process tree of each. Each engine runs
in its own subprocess so that its memory is measured alone.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time

from lakehouse.benchmarks._measure import format_bytes, measure_subprocess, print_table, report

DEFAULT_ROWS = 5_000_000
METERS = 10_000
DAYS = 5


def readings(spark, rows: int):
    """`rows` synthetic 15-minute meter readings over DAYS days, generated inside the engine."""
    from pyspark.sql import functions as F

    slot = F.floor(F.col("id") / METERS)
    return spark.range(rows).select(
        F.format_string("MTR%06d", (F.col("id") % METERS).cast("int")).alias("meter_id"),
        F.timestamp_seconds(F.lit(1_774_742_400) + (slot % (96 * DAYS)) * 900).alias("interval_start_utc"),
        F.lit(15).alias("interval_min"),
        ((F.abs(F.hash("id")) % 1000) / 1000.0).alias("energy_kwh"),
        (225.0 + (F.abs(F.hash("id", F.lit(1))) % 100) / 10.0).alias("voltage_v"),
        F.when(F.col("id") % 997 == 0, "EST").otherwise("OK").alias("status"),
        F.date_format(
            F.timestamp_seconds(F.lit(1_774_742_400) + (slot % (96 * DAYS)) * 900), "yyyy-MM-dd"
        ).alias("date_local"),
    )


def _sail_child(rows: int) -> None:
    from lakehouse import spark as lakehouse_spark
    from lakehouse.storage import tables

    started = time.perf_counter()
    spark = lakehouse_spark.session()
    spark.range(1).count()
    start_s = time.perf_counter() - started

    started = time.perf_counter()
    result = tables.append(readings(spark, rows), "bronze.bench_readings", partition_by=["date_local"])
    append_s = time.perf_counter() - started
    assert result.rows_written == rows, result
    report({"start_s": start_s, "write_s": append_s, "rows": result.rows_written})
    lakehouse_spark.stop()


def _classic_child(rows: int, out: str) -> None:
    from lakehouse import spark as lakehouse_spark

    started = time.perf_counter()
    spark = lakehouse_spark.classic_session(delta=False, app_name="bench")
    spark.range(1).count()
    start_s = time.perf_counter() - started

    started = time.perf_counter()
    readings(spark, rows).write.mode("overwrite").partitionBy("date_local").parquet(out)
    write_s = time.perf_counter() - started
    written = spark.read.parquet(out).count()
    assert written == rows, written
    report({"start_s": start_s, "write_s": write_s, "rows": written})
    spark.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    rows = int(os.environ.get("BENCH_ROWS", DEFAULT_ROWS))
    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-") as tmp:
        env = {
            k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "SPARK_ENGINE", "LAKEHOUSE_ROOT")
        }
        # The embedded engine in-process (a free SAIL_PORT, so no shared server is used): its RSS is ours.
        env.update(LAKEHOUSE_HOME=os.path.join(tmp, "home"), SAIL_PORT=str(_free_port()), SPARK_ENGINE="sail")
        me = [sys.executable, "-m", "lakehouse.benchmarks.foundation"]
        sail = measure_subprocess("sail", [*me, "sail", str(rows)], env=env)
        classic = measure_subprocess(
            "classic", [*me, "classic", str(rows), os.path.join(tmp, "parquet")], env=env
        )

    s, c = sail.reported, classic.reported
    sail_rate, classic_rate = rows / s["write_s"], rows / c["write_s"]
    print_table(
        f"foundation: {rows:,} meter readings, partitioned by date_local ({DAYS} days)",
        [
            ("Sail session start (server + session + first query)", s["start_s"], "s"),
            ("Sail append through the write API (Delta)", s["write_s"], "s"),
            ("Sail append throughput", sail_rate, "rows/s"),
            ("Sail process tree peak RSS", format_bytes(sail.peak_rss_bytes), ""),
            ("Sail subprocess wall time", sail.wall_s, "s"),
            ("classic Spark session start (JVM, local[*])", c["start_s"], "s"),
            ("classic Spark write (Parquet)", c["write_s"], "s"),
            ("classic Spark write throughput", classic_rate, "rows/s"),
            ("classic process tree peak RSS (Python + JVM)", format_bytes(classic.peak_rss_bytes), ""),
            ("classic subprocess wall time", classic.wall_s, "s"),
            ("throughput ratio Sail / classic", sail_rate / classic_rate, "x"),
            ("peak RSS ratio classic / Sail", classic.peak_rss_bytes / sail.peak_rss_bytes, "x"),
            ("start-up ratio classic / Sail", c["start_s"] / s["start_s"], "x"),
        ],
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["sail"]:
        _sail_child(int(sys.argv[2]))
    elif sys.argv[1:2] == ["classic"]:
        _classic_child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
