"""Maintenance through delta-rs on tables Sail wrote: contents unchanged, files compacted and vacuumed;
the weekly smartgrid_maintenance DAG parses (in a subprocess with the platform's Airflow environment)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from lakehouse.pipeline import maintenance
from lakehouse.settings import Settings
from lakehouse.storage import tables


@pytest.fixture(autouse=True)
def _utc(spark) -> None:
    """As lakehouse.spark.session() does: Sail fails replace_where of timestamps under 'Etc/UTC'."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")


ROWS_SCHEMA = "region string, hour_utc timestamp, energy_mwh double, date_local date"


def _rows(day: date, scale: float) -> list[tuple]:
    return [
        (region, datetime(day.year, day.month, day.day, h), scale * (h + 1), day)
        for region in ("Prishtina", "Peja")
        for h in range(0, 24, 6)
    ]


def _contents(spark, name: str) -> list[tuple]:
    return sorted(tuple(r) for r in tables.read(spark, name).collect())


def _data_files(settings: Settings, name: str) -> int:
    layer, table = name.split(".")
    return sum(1 for _ in (Path(settings.lakehouse_uri) / layer / table).rglob("*.parquet"))


def test_maintenance_keeps_contents_of_tables_written_by_sail(spark, lakehouse_env: Settings) -> None:
    days = [date(2026, 3, 28), date(2026, 3, 29)]
    for scale in (1.0, 2.0, 3.0):  # three rebuilds of the same days: old files pile up
        for day in days:
            df = spark.createDataFrame(_rows(day, scale), ROWS_SCHEMA)
            tables.replace_where(
                df, "gold.test_hourly", f"date_local = DATE'{day}'", partition_by=["date_local"]
            )
    late = [("Gjilan", datetime(2026, 3, 29, h), 0.5, days[1]) for h in (1, 2)]
    for row in late:  # small appends to one partition: files to compact
        tables.append(spark.createDataFrame([row], ROWS_SCHEMA), "gold.test_hourly")
    for k in range(3):  # many small appends to an unpartitioned internal table
        tables.append(
            spark.createDataFrame([(f"file-{k}.csv", k)], "landing_file string, rows long"),
            "bronze._test_files",
        )

    names = maintenance.existing_tables()
    assert names == ["bronze._test_files", "gold.test_hourly"]
    before = {n: _contents(spark, n) for n in names}
    files_before = {n: _data_files(lakehouse_env, n) for n in names}

    summaries = {s["table"]: s for s in maintenance.maintain_all(retention_hours=0)}
    print(json.dumps(summaries, indent=1, default=str))

    assert {n: _contents(spark, n) for n in names} == before  # Sail reads the compacted tables
    expected = [3.0 * (h + 1) for h in range(0, 24, 6)]
    assert [r[2] for r in before["gold.test_hourly"]] == [0.5, 0.5, *expected * 4]
    for name in names:
        s = summaries[name]
        assert s["files_compacted"] > s["files_written"] >= 1
        assert s["files_vacuumed"] > 0
        assert _data_files(lakehouse_env, name) < files_before[name]
        assert s["operations"]["OPTIMIZE"] == 1 and s["last_operation"] == "VACUUM END"
        assert s["retention_hours"] == 0
    assert summaries["gold.test_hourly"]["files_compacted"] == 3  # the day-29 partition: 3 files -> 1
    assert summaries["gold.test_hourly"]["operations"]["WRITE"] == 8
    # History summaries still read after vacuum; time travel to the compacted version gives the same rows.
    version = summaries["gold.test_hourly"]["version"]
    assert (
        sorted(tuple(r) for r in tables.read(spark, "gold.test_hourly", version=version).collect())
        == before["gold.test_hourly"]
    )
    # A second pass has nothing left to compact and deletes nothing more. (delta-rs lists the
    # already-deleted tombstoned files again in its vacuum result, so count the files on disk.)
    files_after = {n: _data_files(lakehouse_env, n) for n in names}
    again = {s["table"]: s for s in maintenance.maintain_all(retention_hours=0)}
    assert all(s["files_compacted"] == 0 for s in again.values()), again
    assert {n: _data_files(lakehouse_env, n) for n in names} == files_after
    assert {n: _contents(spark, n) for n in names} == before


def test_vacuum_retention_comes_from_settings(spark, lakehouse_env: Settings, monkeypatch) -> None:
    from lakehouse.settings import get_settings

    day = date(2026, 1, 5)
    for scale in (1.0, 2.0):
        df = spark.createDataFrame(_rows(day, scale), ROWS_SCHEMA)
        tables.replace_where(df, "silver.test_rows", f"date_local = DATE'{day}'", partition_by=["date_local"])
    summary = maintenance.maintain_table("silver.test_rows")  # default: 168 h, nothing old enough
    assert (summary["retention_hours"], summary["files_vacuumed"]) == (168, 0)
    assert _data_files(lakehouse_env, "silver.test_rows") == 2
    monkeypatch.setenv("DELTA_VACUUM_RETENTION_HOURS", "0")
    get_settings.cache_clear()
    summary = maintenance.maintain_table("silver.test_rows")
    assert summary["retention_hours"] == 0 and summary["files_vacuumed"] == 1  # the first write's file
    assert _data_files(lakehouse_env, "silver.test_rows") == 1
    assert tables.read(spark, "silver.test_rows").agg(F.sum("energy_mwh")).first()[0] == pytest.approx(
        2 * 2.0 * (1 + 7 + 13 + 19)
    )


def test_maintain_all_reports_every_failure_after_trying_the_rest(spark, lakehouse_env: Settings) -> None:
    day = date(2026, 1, 5)
    tables.append(spark.createDataFrame(_rows(day, 1.0), ROWS_SCHEMA), "gold.test_ok")
    with pytest.raises(maintenance.MaintenanceError) as caught:
        maintenance.maintain_all(["gold.test_missing", "gold.test_ok"], retention_hours=0)
    assert list(caught.value.failures) == ["gold.test_missing"]
    assert "does not exist" in caught.value.failures["gold.test_missing"]
    assert [s["table"] for s in caught.value.done] == ["gold.test_ok"]


PROBE = r"""
import json, sys
import pendulum
from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.encoders import coerce_to_core_timetable
from airflow.timetables.base import TimeRestriction

bag = DagBag(dag_folder=sys.argv[1])
out = {"import_errors": {str(k): str(v) for k, v in bag.import_errors.items()}}
dag = bag.dags.get("smartgrid_maintenance")
if dag is not None:
    tt = coerce_to_core_timetable(dag.timetable)
    runs, after = [], pendulum.datetime(2026, 3, 25, tz="UTC")
    for _ in range(3):  # the timetable's own sequence (catchup only decides whether the past runs)
        last = tt.infer_manual_data_interval(run_after=after)
        info = tt.next_dagrun_info(
            last_automated_data_interval=last,
            restriction=TimeRestriction(earliest=None, latest=None, catchup=True),
        )
        runs.append(info.run_after.in_timezone("Europe/Belgrade").isoformat())
        after = info.run_after
    out.update(
        tasks=sorted(dag.task_dict),
        catchup=dag.catchup,
        timezone=str(dag.timezone.name),
        runs=runs,
        retries={t: dag.task_dict[t].retries for t in dag.task_dict},
    )
print("RESULT" + json.dumps(out))
"""


def test_maintenance_dag_parses_and_runs_weekly_on_sunday_night(tmp_path: Path) -> None:
    from airflow_probe import probe_env, run_probe

    from lakehouse.orchestration.project import dags_folder
    from lakehouse.settings import load_settings

    dag_file = dags_folder(load_settings(lakehouse_home=tmp_path)) / "smartgrid_maintenance.py"
    probe = run_probe(["-c", PROBE, str(dag_file)], probe_env(tmp_path), timeout=180)
    assert probe["import_errors"] == {}
    assert probe["tasks"] == ["maintain", "tables"]
    assert probe["catchup"] is False
    assert probe["timezone"] == "Europe/Belgrade"
    assert probe["retries"]["maintain"] == 2
    # Sunday 22:00 local, also across the DST change of 2026-03-29 (a Sunday).
    assert probe["runs"] == [
        "2026-03-29T22:00:00+02:00",
        "2026-04-05T22:00:00+02:00",
        "2026-04-12T22:00:00+02:00",
    ]
