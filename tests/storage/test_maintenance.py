"""Hazard: Sail has no OPTIMIZE / VACUUM / DESCRIBE HISTORY; maintenance runs through delta-rs on
tables Sail wrote, and the table reads the same afterwards."""

from __future__ import annotations

import pytest

from lakehouse.storage import maintenance, tables

TABLE = "bronze.readings_mt"


def _many_small_files(spark, make_readings) -> None:
    for day in ("2026-03-01", "2026-03-02"):
        for meters in (1, 2, 3):
            tables.append(make_readings(meters=meters, days=(day,)), TABLE, partition_by=["date_local"])


def _files() -> list[str]:
    from deltalake import DeltaTable

    return DeltaTable(tables.table_uri(TABLE)).file_uris()


def test_history_lists_sail_commits(tables_env, spark, make_readings):
    _many_small_files(spark, make_readings)
    commits = maintenance.history(TABLE)
    assert [c["version"] for c in commits] == list(range(6, -1, -1))
    assert commits[-1]["operation"] == "CREATE TABLE"
    assert {c["operation"] for c in commits[:-1]} == {"WRITE"}
    assert len(maintenance.history(TABLE, limit=2)) == 2


def test_compact_then_vacuum_keeps_the_data(tables_env, spark, make_readings, sorted_rows):
    _many_small_files(spark, make_readings)
    before = sorted_rows(tables.read(spark, TABLE))
    assert len(_files()) == 6

    metrics = maintenance.compact(TABLE)
    assert (metrics["numFilesRemoved"], metrics["numFilesAdded"]) == (6, 2)
    assert len(_files()) == 2
    assert sorted_rows(tables.read(spark, TABLE)) == before

    # Default retention (DELTA_VACUUM_RETENTION_HOURS=168) keeps the just-removed files.
    assert maintenance.vacuum(TABLE) == []
    would = maintenance.vacuum(TABLE, retention_hours=0, dry_run=True)
    assert len(would) == 6
    deleted = maintenance.vacuum(TABLE, retention_hours=0)
    assert sorted(deleted) == sorted(would)
    assert sorted_rows(tables.read(spark, TABLE)) == before
    # Sail still appends to the compacted, vacuumed table.
    tables.append(make_readings(meters=1, days=("2026-03-03",)), TABLE)
    assert tables.read(spark, TABLE).count() == len(before) + 24


def test_vacuum_retention_setting(tables_env, spark, make_readings, monkeypatch):
    from lakehouse.settings import get_settings

    _many_small_files(spark, make_readings)
    maintenance.compact(TABLE)
    monkeypatch.setenv("DELTA_VACUUM_RETENTION_HOURS", "0")
    get_settings.cache_clear()
    assert len(maintenance.vacuum(TABLE, dry_run=True)) == 6


def test_maintenance_on_a_missing_table_says_so(tables_env):
    with pytest.raises(tables.TableNotFoundError, match=r"bronze\.nothing"):
        maintenance.history("bronze.nothing")


def test_cli_history_compact_vacuum(tables_env, spark, make_readings):
    from typer.testing import CliRunner

    from lakehouse.cli import app

    _many_small_files(spark, make_readings)
    runner = CliRunner()
    out = runner.invoke(app, ["table", "history", TABLE, "--limit", "3"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "WRITE" in out.output and "sail-delta-lake" in out.output
    out = runner.invoke(app, ["table", "compact", TABLE])
    assert out.exit_code == 0 and "6 files compacted into 2" in out.output
    out = runner.invoke(app, ["table", "vacuum", TABLE, "--retention-hours", "0", "--dry-run"])
    assert out.exit_code == 0 and "would delete 6 files" in out.output
    out = runner.invoke(app, ["table", "history", "gold.missing"])
    assert out.exit_code == 1
