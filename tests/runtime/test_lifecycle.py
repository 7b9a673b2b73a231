"""The whole life of the embedded services: up, status, up again, down, data kept, nothing left running."""

from __future__ import annotations

import psutil
import psycopg
import pytest

from lakehouse import runtime
from lakehouse.runtime import processes
from lakehouse.settings import Settings

SERVICES = ["sail", "postgres", "mlflow"]


def _alive(pid: int, create_time: float) -> bool:
    try:
        proc = psutil.Process(pid)
        return proc.create_time() == create_time and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_up_status_up_again_down_keeps_data_and_leaves_no_process(runtime_env: Settings) -> None:
    settings = runtime_env
    lines: list[str] = []

    started = runtime.up(SERVICES, report=lines.append)
    assert [s.name for s in started] == SERVICES
    assert all(s.state == "running" for s in started), started

    by_name = {s.name: s for s in runtime.status()}
    for name in SERVICES:
        assert by_name[name].state == "running", by_name[name]
        assert by_name[name].ok
    assert "SELECT 1 ok" in by_name["sail"].detail
    assert "SELECT 1 ok" in by_name["postgres"].detail
    assert "/health 200" in by_name["mlflow"].detail
    assert by_name["sail"].address == f"sc://127.0.0.1:{settings.sail_port}"
    assert runtime.mlflow_tracking_uri() == f"http://127.0.0.1:{settings.mlflow_port}"

    records = {name: processes.read_record(settings.run_dir, name) for name in SERVICES}
    assert all(record is not None and record.pgid == record.pid for record in records.values())
    ours = {(p.pid, p.create_time()) for r in records.values() for p in processes.group_members(r)}
    assert len(ours) >= 3

    # Both databases exist, password auth over TCP works, and some data goes in.
    with psycopg.connect(runtime.database_url("airflow")) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("airflow",)
    with psycopg.connect(runtime.database_url()) as conn:
        conn.execute("CREATE TABLE kept (x int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    password = (settings.home / "postgres/password").read_text().strip()
    wrong = runtime.database_url().replace(f":{password}@", ":wrong@")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong, connect_timeout=5).close()

    # up again: reported as running, not restarted.
    lines.clear()
    again = runtime.up(SERVICES, report=lines.append)
    assert all(s.state == "running" for s in again)
    assert sum("already running" in line for line in lines) == 3, lines
    assert {n: processes.read_record(settings.run_dir, n) for n in SERVICES} == records

    stopped = runtime.down()
    assert sorted(stopped) == sorted(SERVICES)
    assert not [pid for pid, created in ours if _alive(pid, created)]
    for record in records.values():
        assert processes.group_members(record) == []
    assert list(settings.run_dir.glob("*.pid")) == []
    assert all(not s.ok for s in runtime.status() if s.name in SERVICES)

    # The data stays: the cluster, the MLflow store, and the row written above.
    assert (settings.home / "postgres/data/PG_VERSION").is_file()
    assert (settings.home / "mlflow/mlflow.db").is_file()
    runtime.up(["postgres"])
    with psycopg.connect(runtime.database_url()) as conn:
        assert conn.execute("SELECT x FROM kept").fetchall() == [(42,)]
    assert runtime.down() == ["postgres"]
