"""Crash safety: a pipeline run killed with SIGKILL while it writes bronze or silver leaves every table
readable (delta-rs) and consistent, and the next run completes to exactly the tables of a run that was
never killed: no duplicate, no lost record.

The run of day 2 is started in a child process four times, and killed: as soon as bronze's first new
data file appears (during the write, before its commit), as soon as bronze's new commit appears
(between the data commit and the exactly-once tracking write), and the same two points for silver's
MERGE (between the silver commit and the quarantine and tracking writes). The test prints what each
kill caught.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
from deltalake import DeltaTable

from lakehouse.pipeline import medallion_ingest
from lakehouse.settings import get_settings
from lakehouse.storage import tables
from tests.medallion.conftest import RUN_COLUMNS, land, rows, sim_config, use_home
from tests.medallion.test_idempotency import ALL

ROOT = Path(__file__).resolve().parents[2]
DAY1, DAY2 = date(2026, 3, 10), date(2026, 3, 11)
KILL_POINTS = (
    ("bronze.meter_readings", "data"),
    ("bronze.meter_readings", "commit"),
    ("silver.meter_readings", "data"),
    ("silver.meter_readings", "commit"),
)
UNIQUE = {
    "bronze.meter_readings": ["_landing_file", "_line_number"],
    "bronze._ingested_files": ["landing_file"],
    "silver.meter_readings": ["meter_id", "interval_start_utc"],
    "silver.quarantine": ["source", "landing_file", "line_number", "reason"],
    "silver.weather_hourly": ["city", "hour_utc"],
    "silver.day_ahead_prices": ["bidding_zone", "interval_start_utc"],
}
CHILD = (
    "import datetime, sys\n"
    "from lakehouse.pipeline.medallion_ingest import ingest_day\n"
    "ingest_day(datetime.date.fromisoformat(sys.argv[1]))\n"
)


def _files(folder: Path, suffix: str) -> set[str]:
    """Files under `folder` ending with `suffix` (os.walk: cheap enough to poll every 2 ms)."""
    return {os.path.join(d, f) for d, _, names in os.walk(folder) for f in names if f.endswith(suffix)}


def _run_and_kill(table: str, point: str) -> str:
    """Run day 2 in a child; SIGKILL it when `table` gets a new data file or commit. Says what it caught."""
    folder = Path(tables.table_uri(table))
    watched = folder / "_delta_log" if point == "commit" else folder
    pattern = ".json" if point == "commit" else ".parquet"
    before = _files(watched, pattern)
    commits_before = _files(folder / "_delta_log", ".json")
    child = subprocess.Popen([sys.executable, "-c", CHILD, DAY2.isoformat()], cwd=ROOT, env=dict(os.environ),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if _files(watched, pattern) - before:
                os.kill(child.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
    assert child.returncode == -signal.SIGKILL, f"the run ended ({child.returncode}) before writing {table}"
    committed = bool(_files(folder / "_delta_log", ".json") - commits_before)
    return f"{table} {'committed' if committed else 'not committed'}"


def _check_consistent() -> None:
    """Every table reads with delta-rs; keys are unique; tracked files match bronze."""
    settings = get_settings()
    for name in ALL:
        uri = tables.table_uri(name, settings)
        if not DeltaTable.is_deltatable(uri):
            continue
        data = DeltaTable(uri).to_pyarrow_table()
        keys = UNIQUE.get(name)
        if keys and data.num_rows:
            distinct = data.group_by(keys).aggregate([]).num_rows
            assert distinct == data.num_rows, f"{name}: {data.num_rows - distinct} duplicate keys"
    tracker = DeltaTable(tables.table_uri("bronze._ingested_files")).to_pyarrow_table().to_pylist()
    bronze = DeltaTable(tables.table_uri("bronze.meter_readings")).to_pyarrow_table(columns=["_landing_file"])
    for tracked in tracker:
        if tracked["feed"] == "meters":
            held = pc.sum(pc.equal(bronze["_landing_file"], tracked["landing_file"])).as_py() or 0
            assert held == tracked["rows"], (tracked["landing_file"], held, tracked["rows"])


def test_sigkill_during_writes_leaves_tables_consistent_and_rerun_completes(
    medallion_env, monkeypatch, tmp_path, spark
) -> None:
    config = sim_config(DAY1, meters=100)
    land(config, DAY1)
    medallion_ingest.ingest_day(DAY1)
    land(config, DAY2)

    for table, point in KILL_POINTS:
        print(f"SIGKILL at the first new {point} file of {table}: {_run_and_kill(table, point)}")
        _check_consistent()
    medallion_ingest.ingest_day(DAY2)  # the re-run completes
    _check_consistent()
    crashed = {name: rows(spark, name, RUN_COLUMNS) for name in ALL}

    use_home(monkeypatch, tmp_path / "reference")
    for day in (DAY1, DAY2):
        land(config, day)
        medallion_ingest.ingest_day(day)
    for name in ALL:
        assert rows(spark, name, RUN_COLUMNS) == crashed[name], f"{name} differs from a run never killed"
