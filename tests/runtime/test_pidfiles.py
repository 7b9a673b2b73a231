"""Pid files: stale ones (process gone, pid reused) are cleaned; orphaned group members are stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil

from lakehouse import runtime
from lakehouse.runtime import processes
from lakehouse.settings import Settings


def test_pid_file_of_an_exited_process_is_stale_and_removed(runtime_env: Settings) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    created = psutil.Process(gone.pid).create_time()
    gone.wait()
    record = processes.PidRecord(
        "sail", gone.pid, gone.pid, created, [sys.executable], str(runtime_env.logs_dir / "sail.log"), "t"
    )
    processes.write_record(runtime_env.run_dir, record)

    sail = next(s for s in runtime.status() if s.name == "sail")

    assert sail.state == "stopped"
    assert f"removed stale pid file (pid {gone.pid} has exited)" in sail.detail
    assert not processes.pid_path(runtime_env.run_dir, "sail").exists()


def test_pid_reused_by_another_program_is_never_signalled(runtime_env: Settings) -> None:
    # This very test process plays "another program" that got the recorded pid after a reboot.
    me = psutil.Process()
    record = processes.PidRecord(
        "postgres", me.pid, me.pid, me.create_time() - 3600, ["/usr/lib/postgresql/15/bin/postgres"], "x", "t"
    )
    processes.write_record(runtime_env.run_dir, record)
    lines: list[str] = []

    assert runtime.down(report=lines.append) == []

    assert f"postgres: removed stale pid file (pid {me.pid} now belongs to another program)" in lines
    assert not processes.pid_path(runtime_env.run_dir, "postgres").exists()
    assert me.is_running()


def test_malformed_pid_file_is_removed(runtime_env: Settings) -> None:
    runtime_env.run_dir.mkdir(parents=True)
    processes.pid_path(runtime_env.run_dir, "mlflow").write_text("not json")

    mlflow = next(s for s in runtime.status() if s.name == "mlflow")

    assert mlflow.state == "stopped"
    assert not processes.pid_path(runtime_env.run_dir, "mlflow").exists()


def test_down_stops_the_whole_group_even_when_its_leader_is_gone(runtime_env: Settings) -> None:
    # The leader starts a child in its own group and exits: the child is still ours to stop.
    script = "import subprocess, sys; print(subprocess.Popen(['sleep', '300']).pid, flush=True)"
    record = processes.spawn(
        "worker",
        [sys.executable, "-c", script],
        run_dir=runtime_env.run_dir,
        log_path=runtime_env.logs_dir / "worker.log",
        cwd=runtime_env.home,
    )
    deadline = time.monotonic() + 20
    while processes.leader_state(record) == "ours" and time.monotonic() < deadline:
        time.sleep(0.05)
    orphan_pid = int((runtime_env.logs_dir / "worker.log").read_text().split()[-1])
    orphan = psutil.Process(orphan_pid)
    assert os.getpgid(orphan_pid) == record.pgid

    assert runtime.down() == ["worker"]

    assert not orphan.is_running() or orphan.status() == psutil.STATUS_ZOMBIE
    assert processes.group_members(record) == []
    assert not processes.pid_path(runtime_env.run_dir, "worker").exists()
