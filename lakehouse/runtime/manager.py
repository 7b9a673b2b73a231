"""`up`, `status`, `down`: start what is not configured externally, check it for real, stop exactly it."""

from __future__ import annotations

import importlib
import importlib.util
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lakehouse.runtime import health, postgres, processes
from lakehouse.runtime.errors import (
    PortInUseError,
    RuntimeServiceError,
    ServiceConfigError,
    ServiceStartError,
)
from lakehouse.runtime.services import (
    AIRFLOW_DB,
    ALL_NAMES,
    MLFLOW,
    POSTGRES,
    PROCESS_SERVICES,
    ProcessService,
    launch,
    redact,
    warehouse_url_for,
)
from lakehouse.settings import Settings, get_settings

Report = Callable[[str], None]
State = Literal["running", "unhealthy", "stopped", "external", "unreachable", "ready", "not migrated",
                "not used", "skipped"]  # fmt: skip
_OK_STATES = frozenset({"running", "external", "ready", "not used", "skipped"})
_PROGRESS_EVERY_S = 5.0


@dataclass(frozen=True)
class ServiceStatus:
    """One line of `lakehouse status`."""

    name: str
    state: State
    address: str
    detail: str

    @property
    def ok(self) -> bool:
        """False when something configured is down or unhealthy."""
        return self.state in _OK_STATES


def _quiet(_: str) -> None:
    return None


def _select(names: Iterable[str] | None) -> list[str]:
    if not names:
        return list(ALL_NAMES)
    wanted = set()
    for name in names:
        if name not in ALL_NAMES:
            raise ServiceConfigError(name, f"unknown service; choose from {', '.join(ALL_NAMES)}")
        wanted.add(name)
    if AIRFLOW_DB in wanted:
        wanted.add(POSTGRES.name)  # the metadata database lives in that server
    return [name for name in ALL_NAMES if name in wanted]


# --- up ------------------------------------------------------------------------------------------


def _check_port(service: ProcessService, settings: Settings) -> None:
    port = service.port(settings)
    owner = health.port_owner(port)
    if owner is not None:
        variable = f"{service.name.upper()}_PORT"
        raise PortInUseError(
            service.name,
            f"port {port} on 127.0.0.1 is already in use by {owner}, which is not a service this "
            f"LAKEHOUSE_HOME started: stop that program or set {variable} to a free port",
        )


def _env_for(service: ProcessService) -> dict[str, str]:
    env = dict(os.environ)
    if service is POSTGRES:
        for name in ("PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGPASSWORD", "PGDATABASE"):
            env.pop(name, None)
    if service is MLFLOW:
        # MLflow's job runner (GenAI evaluation jobs) adds ~8 worker processes; tracking and the
        # model registry do not need it. A user who wants it sets the variable to true.
        env.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
    return env


def _start(service: ProcessService, settings: Settings, report: Report) -> processes.PidRecord:
    _check_port(service, settings)
    how = launch(service, settings, report)
    record = processes.spawn(
        service.name,
        how.argv,
        run_dir=settings.run_dir,
        log_path=service.log_path(settings),
        cwd=how.cwd or settings.home,
        env=_env_for(service),
        user=how.user,
    )
    as_user = f" as user '{how.user.name}'" if how.user else ""
    report(f"{service.name}: started pid {record.pid}{as_user}, log {record.log}")
    return record


def _wait_ready(
    service: ProcessService, record: processes.PidRecord, settings: Settings, report: Report
) -> str:
    """Poll the real health check until it passes; fail early if the process dies."""
    started = time.monotonic()
    next_progress = started + _PROGRESS_EVERY_S
    last_error = "no answer yet"
    while True:
        if not processes.group_members(record):
            code = processes.exit_code(record)
            how = f"exited with code {code}" if code is not None else "exited"
            lines = processes.tail(record.log)
            raise ServiceStartError(
                service.name, f"the process {how} while starting. Last log lines:\n{lines}", Path(record.log)
            )
        try:
            return service.check(settings)
        except health.HealthError as error:
            last_error = str(error)
        now = time.monotonic()
        if now - started > service.start_timeout:
            raise ServiceStartError(
                service.name,
                f"not healthy after {service.start_timeout:.0f} s at {service.address(settings)} "
                f"({last_error}); see the log",
                Path(record.log),
            )
        if now >= next_progress:
            report(f"{service.name}: waiting for {service.address(settings)} ({now - started:.0f} s)")
            next_progress = now + _PROGRESS_EVERY_S
        time.sleep(0.3)


def _stop_record(service: ProcessService | None, record: processes.PidRecord) -> float:
    if service is None:
        return processes.stop(record)
    return processes.stop(record, sig=service.stop_signal, leader_only=service.stop_leader_only)


def _airflow_db(settings: Settings, report: Report) -> ServiceStatus:
    """Make sure the Airflow metadata database exists, then let Airflow migrate it."""
    address = redact(warehouse_url_for(settings, "airflow"))
    try:
        airflow = importlib.import_module("lakehouse.orchestration.airflow")
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("lakehouse"):
            raise
        report(f"{AIRFLOW_DB}: skipped (lakehouse.orchestration.airflow is not there yet)")
        return ServiceStatus(AIRFLOW_DB, "skipped", address, "lakehouse.orchestration.airflow not found")
    try:
        if settings.warehouse_url:
            created = postgres.ensure_databases(settings.warehouse_url, ("airflow",))
            if created:
                report(f"{AIRFLOW_DB}: created database 'airflow' on WAREHOUSE_URL's server")
        report(f"{AIRFLOW_DB}: migrating the Airflow metadata database (if needed)")
        started = time.monotonic()
        outcome = airflow.migrate_metadata_db(settings)
    except Exception as error:
        raise ServiceStartError(
            AIRFLOW_DB,
            f"could not prepare the Airflow metadata database at {address}: {error}. If the server "
            "refuses CREATE DATABASE, create it yourself (CREATE DATABASE airflow)",
        ) from error
    detail = f"{outcome or 'migrated'} ({time.monotonic() - started:.0f} s)"
    report(f"{AIRFLOW_DB}: {detail}")
    return ServiceStatus(AIRFLOW_DB, "ready", address, detail)


def _warehouse_roles(settings: Settings, report: Report) -> None:
    """The roles engineer, analyst and dbt on the platform's own warehouse (idempotent, every start)."""
    from lakehouse.warehouse import roles
    from lakehouse.warehouse.errors import WarehouseError

    try:
        applied, passwords = roles.setup(settings, postgres.url(settings, "warehouse"))
    except WarehouseError as error:
        raise ServiceStartError(POSTGRES.name, f"could not set up the warehouse roles: {error}") from error
    users = ", ".join(applied.names.login(kind) for kind in applied.logins)
    where = sorted({passwords.source(kind) for kind in applied.logins})
    report(f"postgres: warehouse roles {', '.join(applied.names.groups)}; login users {users} "
           f"(passwords: {', '.join(where)})")  # fmt: skip


def up(
    names: list[str] | None = None, *, report: Report | None = None, settings: Settings | None = None
) -> list[ServiceStatus]:
    """Start the selected services (all by default) that are not configured externally.

    Services already running are reported, not restarted. All processes are spawned first and
    then awaited, so slow starters (MLflow) overlap with the others. On failure the failed
    service is stopped again and ServiceStartError says which one, why, and where its log is.
    """
    report = report or _quiet
    settings = settings or get_settings()
    selected = _select(names)
    results: dict[str, ServiceStatus] = {}
    errors: list[RuntimeServiceError] = []
    with processes.locked(settings.run_dir):
        pending: list[tuple[ProcessService, processes.PidRecord, bool]] = []
        for service in PROCESS_SERVICES:
            if service.name not in selected:
                continue
            mode = service.mode(settings)
            if mode != "embedded":
                what = "configured externally" if mode == "external" else "not used by this SPARK_ENGINE"
                report(f"{service.name}: {what} ({service.address(settings)}), not started")
                results[service.name] = _status_of(service, settings)
                continue
            record, note = processes.live_record(settings.run_dir, service.name)
            if note:
                report(note)
            if record is not None:
                report(f"{service.name}: already running (pid {record.pid})")
                pending.append((service, record, False))
                continue
            try:
                pending.append((service, _start(service, settings, report), True))
            except RuntimeServiceError as error:
                errors.append(error)
        for service, record, fresh in pending:
            try:
                detail = _wait_ready(service, record, settings, report)
            except ServiceStartError as error:
                if fresh:
                    _stop_record(service, record)
                    processes.remove_record(settings.run_dir, service.name)
                errors.append(error)
                continue
            if service is POSTGRES:
                created = postgres.ensure_databases(postgres.url(settings, "postgres"))
                if created:
                    report(f"postgres: created databases {', '.join(created)}")
                try:
                    _warehouse_roles(settings, report)
                except ServiceStartError as error:
                    errors.append(error)
            report(
                f"{service.name}: {'ready' if fresh else 'healthy'} at {service.address(settings)} ({detail})"
            )
            results[service.name] = ServiceStatus(service.name, "running", service.address(settings), detail)
        if AIRFLOW_DB in selected:
            postgres_ok = results.get(POSTGRES.name)
            if postgres_ok is not None and postgres_ok.ok:
                try:
                    results[AIRFLOW_DB] = _airflow_db(settings, report)
                except RuntimeServiceError as error:
                    errors.append(error)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise ServiceStartError("lakehouse up", "several services failed:\n" + "\n".join(map(str, errors)))
    return [results[name] for name in selected if name in results]


# --- status --------------------------------------------------------------------------------------


def _status_of(service: ProcessService, settings: Settings) -> ServiceStatus:
    mode = service.mode(settings)
    address = service.address(settings)
    if mode == "unused":
        return ServiceStatus(service.name, "not used", address, f"SPARK_ENGINE={settings.spark_engine}")
    if mode == "external":
        try:
            return ServiceStatus(service.name, "external", address, service.check(settings))
        except health.HealthError as error:
            return ServiceStatus(service.name, "unreachable", address, str(error))
    record, note = processes.live_record(settings.run_dir, service.name)
    if record is None:
        owner = health.port_owner(service.port(settings))
        detail = note or "not started (lakehouse up)"
        if owner is not None:
            detail += f"; port {service.port(settings)} is used by {owner}"
        return ServiceStatus(service.name, "stopped", address, detail)
    if processes.leader_state(record) != "ours":
        return ServiceStatus(
            service.name, "unhealthy", address, f"leader pid {record.pid} died; run lakehouse down"
        )
    try:
        return ServiceStatus(service.name, "running", address, f"pid {record.pid}; {service.check(settings)}")
    except health.HealthError as error:
        return ServiceStatus(
            service.name, "unhealthy", address, f"pid {record.pid}; {error}; log {record.log}"
        )


def _airflow_module_present() -> bool:
    try:
        return importlib.util.find_spec("lakehouse.orchestration.airflow") is not None
    except ModuleNotFoundError:
        return False


def _airflow_db_status(settings: Settings, postgres_status: ServiceStatus) -> ServiceStatus:
    address = redact(warehouse_url_for(settings, "airflow"))
    if not _airflow_module_present():
        return ServiceStatus(AIRFLOW_DB, "skipped", address, "lakehouse.orchestration.airflow not found")
    if not postgres_status.ok:
        return ServiceStatus(AIRFLOW_DB, "stopped", address, "its PostgreSQL is not reachable")
    import psycopg

    try:
        with psycopg.connect(warehouse_url_for(settings, "airflow"), connect_timeout=5) as conn:
            row = conn.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()
            revision = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone() if row and row[0] else None
            )
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        return ServiceStatus(AIRFLOW_DB, "not migrated", address, f"{first}; run lakehouse up {AIRFLOW_DB}")
    if revision is None:
        return ServiceStatus(
            AIRFLOW_DB, "not migrated", address, f"no schema yet; run lakehouse up {AIRFLOW_DB}"
        )
    return ServiceStatus(AIRFLOW_DB, "ready", address, f"SELECT ok, schema revision {revision[0]}")


def status(settings: Settings | None = None) -> list[ServiceStatus]:
    """Every service with its address and the result of its real health check.

    `settings` (default: get_settings()) lets tests and tools address another LAKEHOUSE_HOME.
    """
    settings = settings or get_settings()
    by_name = {service.name: _status_of(service, settings) for service in PROCESS_SERVICES}
    by_name[AIRFLOW_DB] = _airflow_db_status(settings, by_name[POSTGRES.name])
    return [by_name[name] for name in ALL_NAMES]


# --- down ----------------------------------------------------------------------------------------


def down(*, report: Report | None = None, settings: Settings | None = None) -> list[str]:
    """Stop every service this LAKEHOUSE_HOME's pid files name (reverse start order); keep the data.

    Returns the names of the services it stopped. Stale pid files are removed and reported.
    """
    report = report or _quiet
    settings = settings or get_settings()
    known = {service.name: service for service in PROCESS_SERVICES}
    stopped: list[str] = []
    with processes.locked(settings.run_dir):
        recorded = processes.recorded_services(settings.run_dir)
        order = [name for name in reversed(ALL_NAMES) if name in recorded]
        order += [name for name in recorded if name not in order]
        for name in order:
            record, note = processes.live_record(settings.run_dir, name)
            if note:
                report(note)
            if record is None:
                continue
            seconds = _stop_record(known.get(name), record)
            processes.remove_record(settings.run_dir, name)
            stopped.append(name)
            report(f"{name}: stopped (pid {record.pid}, {seconds:.1f} s)")
    if not stopped:
        report("nothing was running")
    return stopped
