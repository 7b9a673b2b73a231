"""Service processes: spawn in their own process group, record them in pid files, stop exactly them.

A pid file records the leader's pid, its process group and its create time, so that a pid reused by
another program after a reboot or a crash is recognised as stale instead of being signalled.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from lakehouse.runtime.errors import ServiceStopError

# Popen objects of the services this process started, so that stopped children are reaped
# (a dead child that nobody waits for stays a zombie and would look alive to kill(pid, 0)).
_children: dict[int, subprocess.Popen[bytes]] = {}

_CREATE_TIME_TOLERANCE_S = 1.0


@dataclass(frozen=True)
class ServiceUser:
    """The unprivileged account a service runs as when the platform is started by root."""

    name: str
    uid: int
    gid: int


@dataclass(frozen=True)
class PidRecord:
    """What `up` wrote about one running service."""

    service: str
    pid: int
    pgid: int
    create_time: float
    cmdline: list[str]
    log: str
    started_at: str


def pid_path(run_dir: Path, service: str) -> Path:
    return run_dir / f"{service}.pid"


def read_record(run_dir: Path, service: str) -> PidRecord | None:
    """The pid file's content; a malformed file counts as stale and is removed."""
    path = pid_path(run_dir, service)
    try:
        data = json.loads(path.read_text())
        return PidRecord(**data)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        path.unlink(missing_ok=True)
        return None


def write_record(run_dir: Path, record: PidRecord) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    path = pid_path(run_dir, record.service)
    tmp = path.with_suffix(".pid.tmp")
    tmp.write_text(json.dumps(asdict(record), indent=2) + "\n")
    tmp.replace(path)


def remove_record(run_dir: Path, service: str) -> None:
    pid_path(run_dir, service).unlink(missing_ok=True)


def recorded_services(run_dir: Path) -> list[str]:
    return sorted(p.stem for p in run_dir.glob("*.pid")) if run_dir.is_dir() else []


def _reap(pid: int) -> None:
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        _children.pop(pid, None)


def leader_state(record: PidRecord) -> str:
    """'ours' (recorded process alive), 'gone' (it exited) or 'reused' (another program has the pid)."""
    _reap(record.pid)
    try:
        proc = psutil.Process(record.pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return "gone"
        if abs(proc.create_time() - record.create_time) > _CREATE_TIME_TOLERANCE_S:
            return "reused"
        with contextlib.suppress(psutil.AccessDenied):
            cmdline = proc.cmdline()
            if cmdline and record.cmdline and Path(cmdline[0]).name != Path(record.cmdline[0]).name:
                return "reused"
        return "ours"
    except psutil.NoSuchProcess:
        return "gone"


def group_members(record: PidRecord) -> list[psutil.Process]:
    """Live processes of the recorded process group (leader included), never another program's group.

    While any process of a group lives, Linux does not hand its id to a new process, so a group id
    whose leader pid now belongs to a different program has no members of ours left.
    """
    if leader_state(record) == "reused":
        return []
    members = []
    for proc in psutil.process_iter(["status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        try:
            if os.getpgid(proc.pid) == record.pgid:
                members.append(proc)
        except (ProcessLookupError, PermissionError):
            continue
    return members


def live_record(run_dir: Path, service: str) -> tuple[PidRecord | None, str | None]:
    """The service's record if its leader is alive; a stale pid file is removed and explained."""
    record = read_record(run_dir, service)
    if record is None:
        return None, None
    state = leader_state(record)
    if state == "ours":
        return record, None
    if group_members(record):
        # The leader died but its children live on: still ours, `down` stops them.
        return record, None
    remove_record(run_dir, service)
    why = "has exited" if state == "gone" else "now belongs to another program"
    return None, f"{service}: removed stale pid file (pid {record.pid} {why})"


def spawn(
    service: str,
    argv: list[str],
    *,
    run_dir: Path,
    log_path: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    user: ServiceUser | None = None,
) -> PidRecord:
    """Start `argv` as the leader of a new session (and process group), output appended to its log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with log_path.open("ab") as log:
        log.write(f"\n--- {started_at} lakehouse up: {shlex.join(argv)}\n".encode())
        log.flush()
        identity: dict[str, object] = {}
        if user is not None:
            identity = {"user": user.uid, "group": user.gid, "extra_groups": []}
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
            close_fds=True,
            **identity,
        )
    _children[proc.pid] = proc
    try:
        create_time = psutil.Process(proc.pid).create_time()
    except psutil.NoSuchProcess:
        create_time = time.time()
    record = PidRecord(
        service=service,
        pid=proc.pid,
        pgid=proc.pid,
        create_time=create_time,
        cmdline=list(argv),
        log=str(log_path),
        started_at=started_at,
    )
    write_record(run_dir, record)
    return record


def exit_code(record: PidRecord) -> int | None:
    """The leader's exit code when this process started it and it has exited."""
    child = _children.get(record.pid)
    return child.poll() if child is not None else None


def _wait_group_gone(record: PidRecord, timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while True:
        _reap(record.pid)
        members = group_members(record)
        if not members or time.monotonic() >= deadline:
            return members
        time.sleep(0.1)


def stop(
    record: PidRecord,
    *,
    sig: signal.Signals = signal.SIGTERM,
    leader_only: bool = False,
    timeout: float = 20.0,
) -> float:
    """Signal the service (its whole group, or its leader when it coordinates its own shutdown),
    wait, then SIGKILL the group after `timeout`. Returns the seconds it took."""
    started = time.monotonic()
    if not group_members(record):
        return 0.0
    with contextlib.suppress(ProcessLookupError):
        if leader_only and leader_state(record) == "ours":
            os.kill(record.pid, sig)
        else:
            os.killpg(record.pgid, sig)
    survivors = _wait_group_gone(record, timeout)
    if survivors:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(record.pgid, signal.SIGKILL)
        survivors = _wait_group_gone(record, 5.0)
    if survivors:
        pids = ", ".join(str(p.pid) for p in survivors)
        raise ServiceStopError(record.service, f"processes {pids} survived SIGKILL", Path(record.log))
    child = _children.pop(record.pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1)
    return time.monotonic() - started


@contextlib.contextmanager
def locked(run_dir: Path) -> Iterator[None]:
    """Serialise `up` and `down` of one LAKEHOUSE_HOME (two terminals, or a test and a CLI)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    with (run_dir / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tail(path: Path | str, lines: int = 8) -> str:
    """The last lines of a log, to quote in an error message."""
    try:
        with Path(path).open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 8192))
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
